"""The baseline a Python user would otherwise pick: one folium page with every feature of the dataset.

    python bench/folium_baseline.py build --out bench/out/folium-M.html    # reads DATABASE_URL
    python bench/folium_baseline.py vendor                                 # fetch folium's JS/CSS once (npm pack)
    python bench/folium_baseline.py serve --port 8091                      # bench/out/ on loopback, gzip

`build` reads the seeded database through the project's own engine and models (db.engine reads DATABASE_URL) and
writes the folium map a Python user would make of the same layers: every street, community, grid and compound
polygon, EVERY building (folium has no drill-down, so all of them go into the one page), roads and places, the
open cases in a MarkerCluster, service points as markers and volunteer posts as circle markers (a hidden layer,
as in our map), with tooltips and popups of the same fields as ours. folium's defaults otherwise: SVG renderer,
GeoJSON embedded with full coordinate precision, one Python object per marker. No tiles (ours run with none).

folium's JS/CSS (Leaflet, markercluster, jQuery, Bootstrap, Font Awesome, awesome-markers, glyphicons) normally
come from CDNs. `vendor` fetches the same versions with `npm pack` into bench/out/vendor/ (two files that npm does
not carry are made locally, see VENDOR), and `build` points folium's `default_js`/`default_css` at them, so the
page makes no request off loopback. `serve` (and StaticServer, used by bench/run.py) serves bench/out/ on
127.0.0.1 with gzip for text files (level 6, compressed once and kept, like a static server with precompressed
files), for parity with our app, which gzips through flask-compress.

`build` prints one JSON line: the file, its size, feature counts, build seconds and the builder's peak memory.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VENDOR_DIR = OUT / "vendor"

# npm package → where folium 0.20's CDN links point. Each package is unpacked to vendor/<name>@<version>/.
NPM_PACKAGES = ("leaflet@1.9.3", "jquery@3.7.1", "bootstrap@5.2.2", "@fortawesome/fontawesome-free@6.2.0",
                "drmonty-leaflet-awesome-markers@2.0.2", "leaflet.markercluster@1.1.0",
                # only for its glyphicons font and CSS rules, see _make_glyphicons_css
                "bootstrap@3.3.7")
# folium's resource name → a path under bench/out/ (the page sits in bench/out/, so relative URLs resolve both
# over HTTP and from file://).
LOCAL_JS = {
    "leaflet": "vendor/leaflet@1.9.3/dist/leaflet.js",
    "jquery": "vendor/jquery@3.7.1/dist/jquery.min.js",
    "bootstrap": "vendor/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
    "awesome_markers": "vendor/drmonty-leaflet-awesome-markers@2.0.2/js/leaflet.awesome-markers.js",
    "markerclusterjs": "vendor/leaflet.markercluster@1.1.0/dist/leaflet.markercluster.js",
}
LOCAL_CSS = {
    "leaflet_css": "vendor/leaflet@1.9.3/dist/leaflet.css",
    "bootstrap_css": "vendor/bootstrap@5.2.2/dist/css/bootstrap.min.css",
    # folium links Bootstrap 3.0.0's bootstrap-glyphicons.css, which is not on npm: the same rules are cut out
    # of bootstrap@3.3.7's CSS, next to that package's glyphicon fonts.
    "glyphicons_css": "vendor/bootstrap@3.3.7/dist/css/bootstrap-glyphicons.css",
    "awesome_markers_font_css": "vendor/fontawesome-free@6.2.0/css/all.min.css",
    "awesome_markers_css": "vendor/drmonty-leaflet-awesome-markers@2.0.2/css/leaflet.awesome-markers.css",
    # folium's own leaflet.awesome.rotate.min.css (`.fa-rotate-N` for Icon(angle=N)) is served from its GitHub
    # repository, not npm: generated here with the same rules.
    "awesome_rotate_css": "vendor/folium-local/leaflet.awesome.rotate.min.css",
    "markerclustercss": "vendor/leaflet.markercluster@1.1.0/dist/MarkerCluster.css",
    "markerclusterdefaultcss": "vendor/leaflet.markercluster@1.1.0/dist/MarkerCluster.Default.css",
}
GZIP_SUFFIXES = {".html", ".js", ".css", ".json", ".svg", ".txt", ".map", ".eot", ".ttf"}

# Same palettes and words as our map (assets/jinlin.js, layouts/text.py), so the two pages show the same thing.
COMMUNITY_FILL = ["#dbe9f6", "#e4f1e1", "#fbe9d7", "#efe3f3", "#fdf3c9", "#dff2f1", "#f7dfe3", "#e8eaf0"]
ERA_FILL = {"old": "#f3d9b1", "mid": "#f6e7c8", "new": "#cfe3f3", "mixed": "#e6dcc6"}
BASEMAP_FILL = {"park": "#cfe8c4", "school": "#f3e3ef", "market": "#f5ead2"}
# folium.Icon takes only its own colour names.
LIGHT_ICON = {"red": "red", "yellow": "orange", "green": "green"}
SERVICE_ICON = {"党群服务中心": "darkred", "红色驿站": "red", "爱心食堂": "orange", "日间照料中心": "purple",
                "百姓健身房": "darkgreen", "共享工具柜": "gray", "卫生服务站": "blue", "图书室": "beige",
                "儿童之家": "pink", "议事厅": "darkblue", "调解室": "cadetblue"}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------- vendor

def vendor_ready() -> bool:
    return all((OUT / p).is_file() for p in [*LOCAL_JS.values(), *LOCAL_CSS.values()])


def fetch_vendor() -> None:
    """`npm pack` each package once into vendor/<name>@<version>/ (the npm registry is the only source)."""
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    for spec in NPM_PACKAGES:
        target = VENDOR_DIR / spec.rsplit("/", 1)[-1]
        if target.is_dir():
            continue
        say(f"npm pack {spec} → {target.relative_to(ROOT)}")
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", tmp],
                                  capture_output=True, text=True, timeout=300)
            tarballs = list(Path(tmp).glob("*.tgz"))
            if done.returncode != 0 or len(tarballs) != 1:
                raise RuntimeError(f"npm pack {spec} failed: {done.stderr.strip()[-500:]}")
            staging = Path(tmp) / "x"
            with tarfile.open(tarballs[0]) as tar:
                tar.extractall(staging, filter="data")
            shutil.move(str(staging / "package"), target)
    _make_glyphicons_css()
    _make_rotate_css()
    missing = [p for p in [*LOCAL_JS.values(), *LOCAL_CSS.values()] if not (OUT / p).is_file()]
    if missing:
        raise RuntimeError(f"vendor files missing after npm pack: {missing}")


def _make_glyphicons_css() -> None:
    """The @font-face and `.glyphicon*` rules of Bootstrap 3's CSS: what bootstrap-glyphicons.css holds."""
    target = OUT / LOCAL_CSS["glyphicons_css"]
    if target.exists():
        return
    full = (target.parent / "bootstrap.css").read_text()
    rules = re.findall(r"@font-face\s*\{[^}]*Glyphicons Halflings[^}]*\}|(?<=\n)\.glyphicon[^{]*\{[^}]*\}", full)
    if len(rules) < 100:
        raise RuntimeError(f"found only {len(rules)} glyphicon rules in bootstrap@3.3.7's CSS")
    target.write_text("\n".join(rules) + "\n")


def _make_rotate_css() -> None:
    target = OUT / LOCAL_CSS["awesome_rotate_css"]
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(f".fa-rotate-{n}{{-ms-transform:rotate({n}deg);-webkit-transform:rotate({n}deg);"
                              f"transform:rotate({n}deg);}}\n" for n in range(360)))


def use_local_resources() -> None:
    """Point folium's class-level resource lists at the vendored copies; fail on any we do not know."""
    import folium
    from folium import plugins

    for cls in (folium.Map, plugins.MarkerCluster):
        for attr, table in (("default_js", LOCAL_JS), ("default_css", LOCAL_CSS)):
            rewritten = []
            for name, url in getattr(cls, attr):
                if name not in table:
                    raise RuntimeError(f"{cls.__name__}.{attr} has {name} ({url}), which bench/ does not vendor")
                rewritten.append((name, table[name]))
            setattr(cls, attr, rewritten)


# ---------------------------------------------------------------------------------------------------- build

def _fill_for(code: str) -> str:
    """A stable pastel per area, like our map's hash-picked community fill."""
    return COMMUNITY_FILL[int(hashlib.md5(code.encode()).hexdigest(), 16) % len(COMMUNITY_FILL)]


def _popup_html(title: str, rows: list[tuple[str, object]]) -> str:
    lines = [f"<b>{html.escape(title)}</b>"]
    lines += [f"{html.escape(k)}：{html.escape(str(v))}" for k, v in rows if v not in (None, "")]
    return "<br>".join(lines)


def load_frames(session) -> dict:
    """Every layer of the dataset as GeoDataFrames / DataFrames, read with the project's models."""
    import geopandas as gpd
    import pandas as pd
    from sqlalchemy import func, select

    from db import models as m
    from db.access import mask_name
    from workflow.vocab import OPEN_STATUSES
    from layouts.text import ERA

    def gdf(rows, columns):
        frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
        return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")

    areas = gdf(session.execute(select(m.Area.code, m.Area.level, m.Area.name, m.Area.households, m.Area.elderly,
                                       m.Area.era, m.Area.leader_name, m.Area.geometry).order_by(m.Area.code)),
                ["code", "level", "name", "households", "elderly", "era", "leader", "geometry"])
    areas["era"] = areas["era"].fillna("")
    areas["era_label"] = areas["era"].map(lambda e: ERA.get(e, ""))
    areas["leader"] = areas["leader"].fillna("")
    buildings = gdf(session.execute(select(m.Building.code, m.Building.name, m.Building.floors, m.Building.households,
                                           m.Building.elderly, m.Building.geometry).order_by(m.Building.code)),
                    ["code", "name", "floors", "households", "elderly", "geometry"])
    basemap = gdf(session.execute(select(m.BasemapFeature.kind, m.BasemapFeature.name, m.BasemapFeature.geometry)
                                  .order_by(m.BasemapFeature.id)), ["kind", "name", "geometry"])
    basemap["name"] = basemap["name"].fillna("")
    cases = pd.DataFrame([tuple(r) for r in session.execute(
        select(m.Case.code, m.Case.category, m.Case.status, m.Case.level, m.Case.deadline, m.Case.reporter_name,
               m.Case.assignee, m.Case.description, m.Case.lon, m.Case.lat)
        .where(m.Case.status.in_(OPEN_STATUSES)).order_by(m.Case.code))],
        columns=["code", "category", "status", "level", "deadline", "reporter", "assignee", "description", "lon", "lat"])
    cases["reporter"] = cases["reporter"].map(mask_name)
    services = pd.DataFrame([tuple(r) for r in session.execute(
        select(m.ServicePoint.code, m.ServicePoint.service_type, m.ServicePoint.name, m.ServicePoint.hours,
               m.ServicePoint.capacity, m.ServicePoint.address, m.ServicePoint.phone, m.ServicePoint.lon,
               m.ServicePoint.lat).order_by(m.ServicePoint.code))],
        columns=["code", "type", "name", "hours", "capacity", "address", "phone", "lon", "lat"])
    filled = (select(m.Assignment.post_code, func.count().label("n")).where(m.Assignment.active)
              .group_by(m.Assignment.post_code).subquery())
    posts = pd.DataFrame([tuple(r) for r in session.execute(
        select(m.VolunteerPost.code, m.VolunteerPost.post_type, m.VolunteerPost.name, m.VolunteerPost.slots_required,
               func.coalesce(filled.c.n, 0), m.VolunteerPost.schedule, m.VolunteerPost.lon, m.VolunteerPost.lat)
        .outerjoin(filled, filled.c.post_code == m.VolunteerPost.code).order_by(m.VolunteerPost.code))],
        columns=["code", "type", "name", "slots", "filled", "schedule", "lon", "lat"])
    return {"areas": areas, "buildings": buildings, "basemap": basemap, "cases": cases, "services": services,
            "posts": posts}


def build_map(frames: dict, now: dt.datetime):
    """The folium map of every layer, written the way the folium docs show it."""
    import folium
    from folium import plugins

    from workflow.vocab import YELLOW_HOURS
    from layouts.text import LEVEL

    areas, buildings, basemap = frames["areas"], frames["buildings"], frames["basemap"]
    streets = areas[areas.level == "street"]
    minx, miny, maxx, maxy = streets.total_bounds
    # Without a tile layer folium's min_zoom/max_zoom go nowhere, and MarkerCluster throws "Map has no maxZoom
    # specified": zoom limits as Leaflet map options, like ours (minZoom 10, maxZoom 20).
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=14, tiles=None,
                      control_scale=True, minZoom=10, maxZoom=20)

    def polygons(frame, name, style, fields, aliases, show=True):
        folium.GeoJson(frame, name=name, show=show, style_function=style,
                       tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True)).add_to(fmap)

    area_fields = (["name", "households"], ["名称", "户数"])
    polygons(streets, LEVEL["street"], lambda f: {"color": "#7b8794", "weight": 2, "fillColor": _fill_for(f["properties"]["code"]),
                                                  "fillOpacity": 0.85}, *area_fields)
    polygons(areas[areas.level == "community"], LEVEL["community"],
             lambda f: {"color": "#7b8794", "weight": 2, "fillColor": _fill_for(f["properties"]["code"]),
                        "fillOpacity": 0.85}, *area_fields)
    polygons(areas[areas.level == "compound"], LEVEL["compound"],
             lambda f: {"color": "#b08a57", "weight": 1.5, "fillColor": ERA_FILL.get(f["properties"]["era"], "#eee"),
                        "fillOpacity": 0.85}, ["name", "era_label", "households"], ["小区", "类型", "户数"])
    polygons(buildings, LEVEL["building"],
             lambda f: {"color": "#61768c", "weight": 1, "fillColor": "#9fb3c8", "fillOpacity": 0.8},
             ["name", "floors", "households", "elderly"], ["楼栋", "层数", "户数", "60岁以上"])
    polygons(areas[areas.level == "grid"], LEVEL["grid"],
             lambda f: {"color": "#2f6fbf", "weight": 2, "dashArray": "6 5", "fillOpacity": 0, "opacity": 0.85},
             ["name", "leader"], ["网格", "网格长"])

    def basemap_style(f):
        kind = f["properties"]["kind"]
        if kind in ("arterial", "branch"):
            return {"color": "#ffffff", "weight": 9 if kind == "arterial" else 5, "opacity": 1}
        fill = BASEMAP_FILL.get(kind, "#e9ecef")
        return {"color": fill, "weight": 0, "fillColor": fill, "fillOpacity": 1}

    polygons(basemap, "道路与地物", basemap_style, ["name", "kind"], ["名称", "类别"])

    cluster = plugins.MarkerCluster(name="在办诉求").add_to(fmap)
    soon = now + dt.timedelta(hours=YELLOW_HOURS)
    for c in frames["cases"].itertuples(index=False):
        deadline = c.deadline.to_pydatetime() if hasattr(c.deadline, "to_pydatetime") else c.deadline
        light = "red" if deadline < now else "yellow" if deadline < soon else "green"
        folium.Marker(
            [c.lat, c.lon], icon=folium.Icon(color=LIGHT_ICON[light], icon="exclamation-sign"),
            tooltip=html.escape(f"{c.category} · {c.status}"),
            popup=folium.Popup(_popup_html(f"{c.category} · {c.status}", [
                ("编号", c.code), ("描述", c.description), ("层级", c.level),
                ("时限", deadline.strftime("%Y-%m-%d %H:%M")), ("承办", c.assignee), ("反映人", c.reporter)]),
                max_width=320),
        ).add_to(cluster)

    services = folium.FeatureGroup(name="服务阵地").add_to(fmap)
    for p in frames["services"].itertuples(index=False):
        folium.Marker(
            [p.lat, p.lon], icon=folium.Icon(color=SERVICE_ICON.get(p.type, "gray"), icon="home"),
            tooltip=html.escape(p.name),
            popup=folium.Popup(_popup_html(p.name, [
                ("类型", p.type), ("开放时间", p.hours), ("容量", f"{p.capacity} 人" if p.capacity else None),
                ("地址", p.address), ("电话", p.phone)]), max_width=320),
        ).add_to(services)

    # Our map lists volunteer posts as an overlay that starts switched off: the same here.
    posts = folium.FeatureGroup(name="志愿岗位", show=False).add_to(fmap)
    for p in frames["posts"].itertuples(index=False):
        staffed = p.filled >= p.slots
        folium.CircleMarker(
            [p.lat, p.lon], radius=6, weight=2, color="#1e8e3e" if staffed else "#e8710a", fill=True,
            fill_color="#ffffff", fill_opacity=1, tooltip=html.escape(p.name),
            popup=folium.Popup(_popup_html(p.name, [
                ("岗位", p.type), ("在岗", f"{p.filled} / {p.slots} 人"), ("时间", p.schedule),
                ("状态", "满员" if staffed else f"缺员 {p.slots - p.filled} 人")]), max_width=320),
        ).add_to(posts)

    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


# The layers build_map puts on the map at load: the bench waits for this many L.GeoJSON groups and clusters.
SHOWN_GEOJSON_LAYERS = 6
SHOWN_CLUSTERS = 1


def peak_memory_kb() -> dict:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            fields[key] = int(value.split()[0])
    return fields


def build(out: Path) -> dict:
    """Read the database, build and save the page; return what happened (counts, size, time, peak memory)."""
    sys.path.insert(0, str(ROOT))
    from db.engine import backend_name, session_scope

    if not vendor_ready():
        fetch_vendor()
    use_local_resources()
    started = time.perf_counter()
    with session_scope() as session:
        frames = load_frames(session)
    read_s = time.perf_counter() - started
    fmap = build_map(frames, dt.datetime.now())
    out.parent.mkdir(parents=True, exist_ok=True)
    fmap.save(str(out))
    total_s = time.perf_counter() - started
    page = out.read_text()
    remote = sorted(set(re.findall(r"""(?:src|href)\s*=\s*["'](https?://[^"']+)""", page)))
    if remote:
        raise RuntimeError(f"the folium page still links off-machine resources: {remote}")
    counts = {"streets": int((frames["areas"].level == "street").sum()),
              "communities": int((frames["areas"].level == "community").sum()),
              "grids": int((frames["areas"].level == "grid").sum()),
              "compounds": int((frames["areas"].level == "compound").sum()),
              "buildings": len(frames["buildings"]), "basemap_features": len(frames["basemap"]),
              "open_cases": len(frames["cases"]), "service_points": len(frames["services"]),
              "volunteer_posts": len(frames["posts"])}
    return {"html": str(out.relative_to(ROOT)) if out.is_relative_to(ROOT) else str(out), "html_bytes": out.stat().st_size,
            "backend": backend_name(), "counts": counts, "read_seconds": round(read_s, 2),
            "build_seconds": round(total_s, 2), "builder_memory_kb": peak_memory_kb(),
            "shown_geojson_layers": SHOWN_GEOJSON_LAYERS, "shown_clusters": SHOWN_CLUSTERS}


# ---------------------------------------------------------------------------------------------------- serve

class _Handler(SimpleHTTPRequestHandler):
    """Static files; text types gzipped when the browser asks, compressed once per file version."""

    protocol_version = "HTTP/1.1"
    _gz_cache: dict = {}
    _gz_lock = threading.Lock()

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if urlsplit(self.path).path == "/favicon.ico":  # the browser asks on its own; no icon, no 404
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = Path(self.translate_path(urlsplit(self.path).path))
        if (path.is_file() and path.suffix in GZIP_SUFFIXES
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            body = self.gzipped(path)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    @classmethod
    def gzipped(cls, path: Path) -> bytes:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        with cls._gz_lock:
            body = cls._gz_cache.get(key)
            if body is None:
                body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
                cls._gz_cache[key] = body
        return body

    def log_message(self, *_args):
        pass


class StaticServer:
    """bench/out/ over HTTP on 127.0.0.1:port, in a daemon thread of this process."""

    def __init__(self, port: int, root: Path = OUT):
        self.root = root
        self.base = f"http://127.0.0.1:{port}"
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), partial(_Handler, directory=str(root)))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="static-server", daemon=True)
        self.thread.start()

    def warm(self, relative: str) -> None:
        """Compress a page and every file it links before timing, as precompressed files would be."""
        page = self.root / relative
        _Handler.gzipped(page)
        for link in re.findall(r"""(?:src|href)\s*=\s*["']([^"':]+)["']""", page.read_text()):
            target = self.root / unquote(link)
            if target.is_file() and target.suffix in GZIP_SUFFIXES:
                _Handler.gzipped(target)

    def gzipped_size(self, relative: str) -> int:
        return len(_Handler.gzipped(self.root / relative))

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ---------------------------------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the folium page from DATABASE_URL")
    b.add_argument("--out", type=Path, required=True)
    sub.add_parser("vendor", help="fetch folium's JS/CSS into bench/out/vendor/ with npm pack")
    s = sub.add_parser("serve", help="serve bench/out/ on 127.0.0.1 with gzip until Ctrl-C")
    s.add_argument("--port", type=int, default=8091)
    args = parser.parse_args(argv)
    if args.command == "vendor":
        fetch_vendor()
        say(f"vendor files ready under {VENDOR_DIR.relative_to(ROOT)}")
    elif args.command == "build":
        print(json.dumps(build(args.out.resolve()), ensure_ascii=False))
    else:
        server = StaticServer(args.port)
        say(f"serving {OUT.relative_to(ROOT)} on {server.base} (Ctrl-C stops)")
        try:
            server.thread.join()
        except KeyboardInterrupt:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
