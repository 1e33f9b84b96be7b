"""Our map against the folium baseline, same data, same browser, same run → docs/benchmarks.md.

    python bench/run.py --scales S M                                   # SQLite (default)
    python bench/run.py --scales S M L --backends sqlite postgis       # L is measured on PostGIS only

For each backend and scale: seed a database (SQLite: bench/out/jinlin-<scale>.sqlite3, reused; PostGIS: a
throw-away cluster from scripts/pg_cluster.sh, seeded in this run), then

1. ours: bench/map_speed.py's measurement (app on 127.0.0.1:--port, headless Chromium: cold first draw of the
   street view, bytes on the wire, drill click → drawn, Server-Timing per callback, app VmHWM, JS heap);
2. the baseline: bench/folium_baseline.py builds bench/out/folium-<scale>.html from the same database in a child
   process (its VmHWM is the baseline's "server" memory), serves bench/out/ on 127.0.0.1:--port+1 with gzip,
   and the same Chromium measures: cold first draw (navigation start → `load` fired, the map holds all its
   GeoJSON layers and the marker cluster, two animation frames), bytes on the wire (CDP encodedDataLength),
   JS heap after GC, and as folium's closest thing to a drill, fitBounds to a community → drawn.

Writes docs/benchmarks.md (a table per backend and scale: ours, folium, folium/ours, the issue's targets) and
bench/out/benchmarks.json. Exit 1 if a page logged a console error, a request failed or left loopback; exit 2
if ours could not be measured at all.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
import folium_baseline as fb  # noqa: E402
import map_speed as ms  # noqa: E402

ROOT, OUT = ms.ROOT, ms.OUT
DOC = ROOT / "docs" / "benchmarks.md"
# The issue's targets, at scale M: ours against folium.
TARGET_SPEEDUP = 5.0
TARGET_BYTES = 10.0
TARGET_DRILL_P95_MS = 300.0

# Runs before any script of the folium page: once `load` has fired, waits (per animation frame) for the map
# object folium creates (a global `map_<id>`) to hold `expect.geojson` GeoJSON layers and `expect.clusters`
# marker clusters, then two more frames, and stores performance.now() in marks.drawn.
FOLIUM_INIT = """
(() => {
  const expect = %s;
  const bench = window.__bench = { marks: {} };
  const findMap = () => {
    if (!window.L) return null;
    for (const k of Object.keys(window)) {
      if (k.startsWith("map_") && window[k] instanceof L.Map) return window[k];
    }
    return null;
  };
  const complete = (map) => {
    let geojson = 0, clusters = 0;
    map.eachLayer((l) => {
      if (l instanceof L.GeoJSON) geojson++;
      if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup) clusters++;
    });
    return geojson >= expect.geojson && clusters >= expect.clusters;
  };
  window.addEventListener("load", () => {
    bench.marks.load = performance.now();
    const tick = () => {
      const map = findMap();
      if (!map || !complete(map)) { requestAnimationFrame(tick); return; }
      bench.map = map;
      requestAnimationFrame(() => requestAnimationFrame(() => { bench.marks.drawn = performance.now(); }));
    };
    requestAnimationFrame(tick);
  });
})();
"""

COUNT_FEATURES_JS = """(map) => { let n = 0; (map || window.__bench.map).eachLayer((l) => { if (l.feature) n++; }); return n; }"""

# fitBounds to community i (its polygon from the page's own GeoJSON), timed until two frames after moveend,
# starting from the whole-data view like a user who zooms in from the overview. Leaflet re-projects every path
# on the map on that zoom: all buildings are already in the page.
ZOOM_JS = """
([i, home]) => new Promise((resolve) => {
  const map = window.__bench.map;
  const communities = [];
  map.eachLayer((l) => { const p = l.feature && l.feature.properties; if (p && p.level === "community" && l.getBounds) communities.push(l); });
  communities.sort((a, b) => (a.feature.properties.code < b.feature.properties.code ? -1 : 1));
  const target = communities[i];
  if (!target) { resolve(null); return; }
  map.fitBounds(home, { animate: false });
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const t0 = performance.now();
    map.once("moveend", () => requestAnimationFrame(() => requestAnimationFrame(() =>
      resolve({ code: target.feature.properties.code, name: target.feature.properties.name, ms: performance.now() - t0 }))));
    map.fitBounds(target.getBounds(), { animate: false });
  }));
})
"""


def say(message: str) -> None:
    ms.say(message)


# ---------------------------------------------------------------------------------------------------- databases

class PgCluster:
    """scripts/pg_cluster.sh's throw-away PostgreSQL + PostGIS, in a temporary directory."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="jinlin-bench-pg-"))
        done = subprocess.run(["bash", "scripts/pg_cluster.sh", "start", str(self.dir)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise ms.BenchError(f"pg_cluster.sh start failed: {done.stderr.strip()[-800:]}")
        self.admin_url = done.stdout.strip().splitlines()[-1]
        self.version = self._scalar("SELECT split_part(version(), ' ', 2) || ' / PostGIS ' || postgis_lib_version()")

    def _scalar(self, sql: str):
        from sqlalchemy import create_engine, text

        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                result = conn.execute(text(sql))
                return result.scalar() if result.returns_rows else None
        finally:
            engine.dispose()

    def create_database(self, name: str) -> str:
        self._scalar(f'DROP DATABASE IF EXISTS "{name}"')
        self._scalar(f'CREATE DATABASE "{name}"')
        return self.admin_url.rsplit("/", 1)[0] + f"/{name}"

    def stop(self) -> None:
        subprocess.run(["bash", "scripts/pg_cluster.sh", "stop", str(self.dir)], cwd=ROOT,
                       capture_output=True, timeout=120)
        shutil.rmtree(self.dir, ignore_errors=True)


def seed_postgis(cluster: PgCluster, scale: str) -> tuple[str, float]:
    url = cluster.create_database(f"jinlin_{scale.lower()}")
    log = OUT / f"seed-postgis-{scale}.log"
    say(f"seeding demo scale {scale} into PostGIS (log: {log.relative_to(ROOT)}) ...")
    started = time.perf_counter()
    with open(log, "w") as out:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "seed-demo", "--scale", scale],
                              cwd=ROOT, env=ms.app_env(url, port=None), stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise ms.BenchError(f"seeding PostGIS failed (exit {done.returncode}):\n{ms.tail(log)}")
    seconds = time.perf_counter() - started
    say(f"seeded in {seconds:.0f} s")
    return url, seconds


# ---------------------------------------------------------------------------------------------------- baseline

def build_folium(scale: str, database_url: str, timeout_s: float) -> dict:
    """Build bench/out/folium-<scale>.html in a child process (its own VmHWM); a dict with "error" on failure."""
    out = OUT / f"folium-{scale}.html"
    out.unlink(missing_ok=True)
    log = OUT / f"folium-build-{scale}.log"
    say(f"building the folium page {out.relative_to(ROOT)} (log: {log.relative_to(ROOT)}) ...")
    env = {**os.environ, "DATABASE_URL": database_url}
    started = time.perf_counter()
    with open(log, "w") as err:
        try:
            done = subprocess.run([sys.executable, str(Path(fb.__file__)), "build", "--out", str(out)], cwd=ROOT,
                                  env=env, stdout=subprocess.PIPE, stderr=err, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return {"error": f"folium build did not finish within {timeout_s:.0f} s"}
    if done.returncode != 0:
        return {"error": f"folium build failed (exit {done.returncode}): {ms.tail(log, 5)}"}
    info = json.loads(done.stdout.strip().splitlines()[-1])
    info["wall_seconds"] = round(time.perf_counter() - started, 1)
    say(f"  built in {info['build_seconds']:.1f} s: {info['html_bytes'] / 2**20:,.1f} MB HTML, "
        f"builder peak {info['builder_memory_kb']['VmHWM'] / 1024:,.0f} MB")
    return info


def measure_folium(info: dict, port: int, runs: int, zooms: int, draw_timeout_s: float) -> dict:
    """Cold first draws (fresh context each), bytes, JS heap; then fitBounds to communities in the last page."""
    page_name = Path(info["html"]).name
    issues = ms.Issues()
    server = fb.StaticServer(port)
    result = {"cold": [], "zooms": [], "issues": issues.items, "error": None}
    try:
        server.warm(page_name)
        result["html_gzip_bytes"] = server.gzipped_size(page_name)
        expect = {"geojson": info["shown_geojson_layers"], "clusters": info["shown_clusters"]}
        url = f"{server.base}/{page_name}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=ms.CHROMIUM, headless=True, args=ms.CHROMIUM_ARGS)
            result["chromium_version"] = browser.version
            try:
                for run in range(runs):
                    context = browser.new_context(viewport=ms.VIEWPORT, locale="zh-CN")
                    try:
                        context.add_init_script(FOLIUM_INIT % json.dumps(expect))
                        page = context.new_page()
                        page.set_default_timeout(draw_timeout_s * 1000 + 60_000)
                        issues.watch(page)
                        cdp = context.new_cdp_session(page)
                        net = ms.NetworkLog(cdp, phase="cold")
                        page.goto(url, wait_until="commit")
                        try:
                            page.wait_for_function("() => window.__bench && window.__bench.marks.drawn !== undefined",
                                                   polling=100, timeout=draw_timeout_s * 1000)
                        except PlaywrightTimeout:
                            result["error"] = f"not drawn within {draw_timeout_s:.0f} s"
                            say(f"  folium cold run {run + 1}: {result['error']}")
                            break
                        marks = page.evaluate("() => window.__bench.marks")
                        net.wait_quiet(page, timeout_ms=120_000)
                        requests = net.of_phase("cold")
                        cold = {"run": run + 1, "drawn_ms": round(marks["drawn"], 1), "load_ms": round(marks["load"], 1),
                                "wire_bytes": sum(r["wire_bytes"] for r in requests),
                                "body_bytes": sum(r["body_bytes"] for r in requests),
                                "requests": len(requests), "js_heap_bytes": ms.js_heap_bytes(cdp),
                                "features_on_map": page.evaluate(COUNT_FEATURES_JS),
                                "resources": sorted(({"url": r["url"], "status": r["status"], "encoding": r.get("encoding"),
                                                      "wire_bytes": r["wire_bytes"], "body_bytes": r["body_bytes"]}
                                                     for r in requests), key=lambda r: -r["wire_bytes"])}
                        result["cold"].append(cold)
                        say(f"  folium cold run {run + 1}/{runs}: {cold['drawn_ms']:,.0f} ms "
                            f"(load event {cold['load_ms']:,.0f} ms), {cold['wire_bytes'] / 1024:,.0f} KB on the wire")
                        if run == runs - 1:
                            home = page.evaluate("() => window.__bench.map.getBounds()")
                            home = [[home["_southWest"]["lat"], home["_southWest"]["lng"]],
                                    [home["_northEast"]["lat"], home["_northEast"]["lng"]]]
                            for i in range(zooms):
                                z = page.evaluate(ZOOM_JS, [i, home])
                                if z is None:
                                    break
                                z["ms"] = round(z["ms"], 1)
                                result["zooms"].append(z)
                                say(f"  folium zoom {i + 1}/{zooms} to {z['code']} {z['name']}: {z['ms']:,.0f} ms")
                    finally:
                        context.close()
            finally:
                browser.close()
    except (PlaywrightError, ms.BenchError) as error:  # a crashed tab is a result too
        result["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"
        say(f"  folium: {result['error']}")
    finally:
        server.stop()
    return result


# ---------------------------------------------------------------------------------------------------- one case

def run_case(backend: str, scale: str, args, cluster: PgCluster | None) -> dict:
    case = {"backend": backend, "scale": scale, "measured_at": dt.datetime.now().isoformat(timespec="seconds")}
    if backend == "sqlite":
        url = ms.sqlite_url(ms.prepare_database(scale))
    else:
        url, case["seed_seconds"] = seed_postgis(cluster, scale)
    say(f"== {backend} {scale}: ours")
    try:
        case["ours"] = ms.measure_ours(scale, url, args.port, args.runs, args.drills, tag=f"{backend}-{scale}")
    except ms.BenchError as error:
        say(f"ours failed: {error}")
        case["ours_error"] = str(error)
    say(f"== {backend} {scale}: folium baseline")
    info = build_folium(scale, url, args.build_timeout)
    case["folium_build"] = info
    if "error" not in info:
        case["folium"] = measure_folium(info, args.port + 1, args.runs, args.zooms, args.draw_timeout)
    return case


# ---------------------------------------------------------------------------------------------------- report

def _median(rows: list[dict], key: str):
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def _page_wire(cold: list[dict]):
    """Median wire bytes of the folium HTML page itself (the first request of each run)."""
    sizes = [next((r["wire_bytes"] for r in run["resources"] if r["url"].endswith(".html")), None) for run in cold]
    sizes = [s for s in sizes if s is not None]
    return statistics.median(sizes) if sizes else None


def _kb(b) -> str:
    return "—" if b is None else f"{b / 1024:,.0f} KB"


def _mb(b) -> str:
    return "—" if b is None else f"{b / 2**20:,.1f} MB"


def _ms(v) -> str:
    return "—" if v is None else f"{v:,.0f}"


def _ratio(folium, ours) -> str:
    return "—" if not folium or not ours else f"{folium / ours:,.1f}×"


def library_bytes(ours: dict | None) -> int | None:
    """Wire bytes of the component libraries' scripts (and the runtime in the polyfill's place) in our cold run."""
    resources = (ours or {}).get("cold_run_resources") or []
    libs = [r["wire_bytes"] for r in resources if "/_dash-component-suites/" in r["url"] or "/_jinlin/" in r["url"]]
    return sum(libs) or None


def case_rows(case: dict, args) -> tuple[list[tuple], list[str]]:
    """(metric, ours, folium, ratio, target) rows of one backend × scale, and notes."""
    ours, fol, build = case.get("ours"), case.get("folium") or {}, case.get("folium_build") or {}
    cold = fol.get("cold") or []
    notes = []
    m_scale = case["scale"] == "M"
    o_draw = ours["street_first_drawn_ms"]["median"] if ours else None
    f_draw = _median(cold, "drawn_ms")
    o_bytes = ours["street_transfer_bytes"]["total"] if ours else None
    f_bytes = _median(cold, "wire_bytes")

    if f_draw is None:
        why = fol.get("error") or build.get("error") or "not measured"
        draw_cell, draw_ratio = f"not drawn ({why})", "—"
        if "within" in why and o_draw:
            draw_ratio = f"> {args.draw_timeout * 1000 / o_draw:,.0f}×"
    else:
        draw_cell, draw_ratio = _ms(f_draw), _ratio(f_draw, o_draw)
        if fol.get("error"):
            notes.append(f"folium: {fol['error']} after {len(cold)} run(s)")

    def verdict(ratio_text: str, target: float) -> str:
        goal = f"≥ {target:.0f}×"
        if not m_scale:
            return f"({goal} at M)"
        try:
            value = float(ratio_text.lstrip("> ").rstrip("×").replace(",", ""))
        except ValueError:
            return goal
        return f"{goal}: {'met' if value >= target else 'MISSED'}"

    def drill_verdict(ours: dict | None) -> str:
        goal = f"p95 < {TARGET_DRILL_P95_MS:.0f} ms"
        if not m_scale:
            return f"({goal} at M)"
        p95 = (ours or {}).get("drill_click_to_drawn_ms", {}).get("p95")
        return goal if p95 is None else f"{goal}: {'met' if p95 < TARGET_DRILL_P95_MS else 'MISSED'}"

    def spread(s: dict | None) -> str:
        return "—" if not s or not s.get("n") else f"{_ms(s['p50'])} / {_ms(s['p95'])}"

    o_libs = library_bytes(ours)
    f_libs = f_bytes - _page_wire(cold) if f_bytes and _page_wire(cold) else None
    if o_libs and f_bytes:
        notes.append(f"The libraries' JavaScript alone is {_kb(o_libs)} on our side, the same on every page of "
                     f"this stack: even with no map data and no code of ours, the bytes ratio could reach at most "
                     f"{_ratio(f_bytes, o_libs)}.")

    zooms = [z["ms"] for z in fol.get("zooms") or []]
    zoom_spread = ms.spread(zooms) if zooms else None
    rows = [
        (f"first draw, cold, median of {args.runs} (ms)", _ms(o_draw), draw_cell, draw_ratio,
         verdict(draw_ratio, TARGET_SPEEDUP)),
        ("  each cold run (ms)", ", ".join(_ms(v) for v in ours["street_first_drawn_ms"]["runs"]) if ours else "—",
         ", ".join(_ms(r["drawn_ms"]) for r in cold) or "—", "", ""),
        ("  folium: the `load` event (ms)", "", _ms(_median(cold, "load_ms")), "", ""),
        ("bytes on the wire, cold (gzip, headers included)", _kb(o_bytes), _kb(f_bytes), _ratio(f_bytes, o_bytes),
         verdict(_ratio(f_bytes, o_bytes), TARGET_BYTES)),
        ("  map data on the wire (ours: callback responses; folium: the HTML page, data inline)",
         _kb(ours["street_transfer_bytes"]["data"]) if ours else "—",
         _kb(_page_wire(cold)), _ratio(_page_wire(cold), ours["street_transfer_bytes"]["data"] if ours else None), ""),
        ("  map data uncompressed", _kb(ours["street_transfer_bytes"]["data_uncompressed"]) if ours else "—",
         _kb(build.get("html_bytes")), _ratio(build.get("html_bytes"),
                                              ours["street_transfer_bytes"]["data_uncompressed"] if ours else None), ""),
        ("  libraries' JS (Dash renderer, React, dcc, html, dash-leaflet; folium: Leaflet, jQuery, Bootstrap, …)",
         _kb(o_libs), _kb(f_libs), _ratio(f_libs, o_libs), ""),
        ("  requests", f"{ours['street_transfer_bytes']['requests']:.0f}" if ours else "—",
         f"{_median(cold, 'requests'):.0f}" if cold else "—", "", ""),
        ("vector features on the map after first draw (a cluster counts once)",
         _ms(ours.get("features_on_map")) if ours else "—", _ms(_median(cold, "features_on_map")), "", ""),
        (f"drill click → drawn, p50 / p95 (ms, n={ours['drill_click_to_drawn_ms']['n'] if ours else 0})",
         spread(ours["drill_click_to_drawn_ms"]) if ours else "—", "n/a (no drill-down)", "",
         drill_verdict(ours)),
        (f"  folium's closest: fitBounds to a community → drawn, p50 / p95 (ms, n={len(zooms)})", "—",
         spread(zoom_spread), "", ""),
        (f"server time per callback, p50 / p95 (ms, n={ours['callback_server_ms']['all']['n'] if ours else 0})",
         spread(ours["callback_server_ms"]["all"]) if ours else "—", "n/a (static file)", "", ""),
        *[(f"  {name} (n={s['n']})", spread(s), "", "", "")
          for name, s in (ours["callback_server_ms"]["per_callback"].items() if ours else [])],
        ("  folium: building the page from the database (s; again on every data change)", "",
         f"{build['build_seconds']:,.1f}" if "build_seconds" in build else "—", "", ""),
        ("server peak memory, VmHWM (ours: the app; folium: the Python process that built the page)",
         _mb(ours["app_memory_kb"]["VmHWM"] * 1024) if ours else "—",
         _mb(build["builder_memory_kb"]["VmHWM"] * 1024) if "builder_memory_kb" in build else "—",
         _ratio(build.get("builder_memory_kb", {}).get("VmHWM"), ours["app_memory_kb"]["VmHWM"] if ours else None), ""),
        ("browser JS heap after first draw (after GC, median)", _mb(ours.get("js_heap_bytes")) if ours else "—",
         _mb(_median(cold, "js_heap_bytes")), _ratio(_median(cold, "js_heap_bytes"),
                                                      ours.get("js_heap_bytes") if ours else None), ""),
    ]
    if case.get("ours_error"):
        notes.append(f"ours could not be measured: {case['ours_error'][:400]}")
    if build.get("error"):
        notes.append(f"folium build: {build['error']}")
    for side, items in (("ours", (ours or {}).get("issues") or []), ("folium", fol.get("issues") or [])):
        for item in items[:5]:
            notes.append(f"browser problem ({side}): {item}")
    return rows, notes


def render_doc(cases: list[dict], machine: dict, args, command: str) -> str:
    lines = [
        "# Benchmarks: our map against a folium page of the same data",
        "",
        "<!-- Written by bench/run.py; rerun it rather than editing by hand. -->",
        "",
        f"Measured {machine['date']} on {machine['cpus']} CPUs ({machine['platform']}), headless Chromium "
        f"{machine['chromium']}, Python {machine['python']}, dash {machine['dash']}, dash-leaflet "
        f"{machine['dash_leaflet']}, folium {machine['folium']}."
        + (f" PostGIS backend: PostgreSQL {machine['postgis']}." if machine.get("postgis") else ""),
        f"Other sessions share this small machine (1-minute load average {machine['load_at_start']:.1f} when the run "
        "started), so single numbers are noisy: compare ratios, and runs on the same machine only.",
        "",
        "Command:",
        "",
        f"    {command}",
        "",
        "**What is compared.** *Ours*: the staff map (`python app.py`, production mode, no tiles, logged in as the "
        "demo admin, who sees every street) opened cold on "
        f"the street view `/?area={ms.STREET}`; it loads only that street's layers, and the rest on drill-down. "
        "*folium*: the page a Python user would otherwise make with folium "
        f"{machine['folium']} from the same database (`bench/folium_baseline.py`): every street, community, "
        "grid and compound polygon, every building, roads and places as `GeoJson` layers with `GeoJsonTooltip`s, "
        "the open cases as `Marker`s with popups in a `MarkerCluster`, service points as `Marker`s and volunteer "
        "posts as `CircleMarker`s (a layer that starts hidden, as in ours), a `LayerControl`; folium's defaults "
        "otherwise (SVG renderer, data embedded in the page). Both without map tiles. folium's JS/CSS (Leaflet, "
        "markercluster, jQuery, Bootstrap, Font Awesome, awesome-markers, glyphicons) are the versions folium "
        "links, fetched with `npm pack` and served locally; neither page makes a request off loopback.",
        "",
        "**How.** Each cold run is a fresh browser context (empty cache), viewport "
        f"{ms.VIEWPORT['width']}×{ms.VIEWPORT['height']}. First draw = navigation start → ours: the street's "
        "community polygons are on the map and the panel shows the street, plus two animation frames; folium: "
        "the `load` event has fired and the map holds all its GeoJSON layers and the marker cluster, plus two "
        "animation frames. Bytes on the wire = the sum of CDP `Network.loadingFinished.encodedDataLength` "
        "(gzip, headers included) until the network is quiet. Our app gzips through flask-compress; the "
        "folium page is served by a Python `http.server` on 127.0.0.1 that gzips text files too (level 6, "
        "compressed once before timing, as precompressed static files would be), so both are compared "
        "compressed. Drill = mousedown on a community polygon → its compounds drawn. folium has no drill-down; "
        "its closest equivalent, zooming into a community (`fitBounds`, no animation, from the whole-data view) "
        "→ two frames after `moveend`, is shown for information, without a ratio. Server time = the "
        "`Server-Timing` header of every Dash callback (the folium page is a static file: none). Memory = "
        "VmHWM of our app process vs. of the Python process that built the folium page, and the page's JS "
        "heap after a forced GC. Ratios are folium / ours: above 1× means ours is faster or smaller. "
        f"Targets (issue, scale M): first draw ≥ {TARGET_SPEEDUP:.0f}× faster, ≥ {TARGET_BYTES:.0f}× fewer bytes, "
        f"drill click → drawn p95 < {TARGET_DRILL_P95_MS:.0f} ms.",
    ]
    lines += ["", "## Summary", "", "| backend | scale | first draw, ours → folium (ms) | folium / ours | "
              "bytes on the wire, ours → folium | folium / ours | drill click → drawn, p50 / p95 (ms) |",
              "|---|---|---:|---:|---:|---:|---:|"]
    for case in cases:
        rows, _ = case_rows(case, args)
        draw, wire = rows[0], rows[3]
        drill = next(row for row in rows if row[0].startswith("drill click"))
        backend = {"sqlite": "SQLite", "postgis": "PostGIS"}[case["backend"]]
        lines.append(f"| {backend} | {case['scale']} | {draw[1]} → {draw[2]} | {draw[3]} | {wire[1]} → {wire[2]} | "
                     f"{wire[3]} | {drill[1]} |")
    lines += ["", f"Targets at scale M: first draw ≥ {TARGET_SPEEDUP:.0f}× faster and ≥ {TARGET_BYTES:.0f}× fewer bytes "
                  f"than folium (the ratio columns), drill click → drawn p95 < {TARGET_DRILL_P95_MS:.0f} ms."]
    for case in cases:
        backend = {"sqlite": "SQLite", "postgis": "PostgreSQL + PostGIS"}[case["backend"]]
        counts = (case.get("folium_build") or {}).get("counts")
        lines += ["", f"## Scale {case['scale']} on {backend}", ""]
        if counts:
            lines.append(f"Data: {counts['streets']:,} streets, {counts['communities']:,} communities, "
                         f"{counts['grids']:,} grids, {counts['compounds']:,} compounds, {counts['buildings']:,} "
                         f"buildings, {counts['basemap_features']:,} roads and places, {counts['open_cases']:,} "
                         f"open cases, {counts['service_points']:,} service points, {counts['volunteer_posts']:,} "
                         f"volunteer posts. Measured {case['measured_at']}"
                         + (f"; seeding took {case['seed_seconds']:,.0f} s" if case.get("seed_seconds") else "") + ".")
            lines.append("")
        rows, notes = case_rows(case, args)
        lines += ["| metric | ours | folium | folium / ours | target |", "|---|---:|---:|---:|---|"]
        lines += [f"| {' | '.join(str(c).replace('|', '/') for c in row)} |" for row in rows]
        if notes:
            lines += [""] + [f"- {n}" for n in notes]
    skipped = [c for c in args.skipped]
    if skipped:
        lines += ["", "Not run: " + "; ".join(skipped) + "."]
    return "\n".join(lines) + "\n"


HISTORY = "<!-- Earlier runs: kept as they were written, newest first. -->"


def with_history(new: str, previous: str | None) -> str:
    """This run's report, then the report the file held before (its headings one level down), then older ones."""
    if not previous or not previous.strip():
        return new
    last, _, older = previous.partition(HISTORY)
    data_now = {line for line in new.split("\n") if line.startswith("Data:")}
    data_then = {line for line in last.split("\n") if line.startswith("Data:")}
    strip = lambda lines: {line.split(" Measured ")[0] for line in lines}
    if data_then and strip(data_now) != strip(data_then):
        # ratios move with the data too: say so where the new numbers are read
        changed = ("The dataset differs from the previous run's (compare the Data lines below and under "
                   "Earlier runs): ratios against folium move with the data, not only with our code.")
        new = new.replace("\n## Summary\n", f"\n{changed}\n\n## Summary\n", 1)
    lines = last.split("\n")
    body = [line for line in lines[1:] if not line.startswith("<!-- Written by")]  # minus title and the note
    measured = next((line.split(" on ")[0] for line in body if line.startswith("Measured ")), "Measured earlier")
    command = next((line.strip() for line in body if line.strip().startswith("python bench/run.py")), None)
    measured += f": `{command}`" if command else ""
    body = ["#" + line if line.startswith("#") else line for line in body]
    earlier = "\n".join(["", HISTORY, "", "# Earlier runs", "", f"## {measured}"] + body).rstrip() + "\n"
    older = older.split("# Earlier runs", 1)[-1].lstrip("\n") if older else ""
    return new + earlier + ("\n" + older if older else "")


# ---------------------------------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", nargs="+", default=["S", "M"], type=str.upper, choices=["S", "M", "L"])
    parser.add_argument("--backends", nargs="+", default=["sqlite"], choices=["sqlite", "postgis"])
    parser.add_argument("--runs", type=int, default=3, help="cold first draws per side (default 3)")
    parser.add_argument("--drills", type=int, default=8, help="our drill clicks (default 8)")
    parser.add_argument("--zooms", type=int, default=8, help="folium zooms into communities (default 8)")
    parser.add_argument("--port", type=int, default=8090, help="our app; the static server takes port+1 (default 8090)")
    parser.add_argument("--draw-timeout", type=float, default=300, help="seconds the folium page gets to draw")
    parser.add_argument("--build-timeout", type=float, default=1800, help="seconds the folium build gets")
    parser.add_argument("--doc", type=Path, default=DOC)
    args = parser.parse_args(argv)
    if args.runs < 1 or args.drills < 1:
        parser.error("--runs and --drills must be at least 1")
    command = "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    args.skipped = []

    plan = []
    for backend in args.backends:
        for scale in args.scales:
            if scale == "L" and backend == "sqlite":
                args.skipped.append("scale L on SQLite (L is measured on PostGIS)")
                continue
            plan.append((backend, scale))
    if not plan:
        parser.error("nothing to run: scale L runs on PostGIS only (add --backends postgis)")

    if not fb.vendor_ready():
        fb.fetch_vendor()
    cases, machine_extra = [], {"load_at_start": os.getloadavg()[0]}
    cluster = None
    try:
        for backend, scale in plan:
            if backend == "postgis" and cluster is None:
                cluster = PgCluster()
                machine_extra["postgis"] = cluster.version
                say(f"PostGIS cluster up: {cluster.version}")
            try:
                cases.append(run_case(backend, scale, args, cluster))
            except ms.BenchError as error:
                say(f"error in {backend} {scale}: {error}")
                cases.append({"backend": backend, "scale": scale, "ours_error": str(error),
                              "measured_at": dt.datetime.now().isoformat(timespec="seconds")})
    finally:
        if cluster is not None:
            cluster.stop()

    chromium = next((c["ours"]["machine"]["chromium_version"] for c in cases if c.get("ours")), None) \
        or next((c["folium"]["chromium_version"] for c in cases if (c.get("folium") or {}).get("chromium_version")), "?")
    machine = {"date": dt.date.today().isoformat(), "cpus": os.cpu_count(), "platform": platform.platform(terse=True),
               "python": platform.python_version(), "chromium": chromium, "dash": metadata.version("dash"),
               "dash_leaflet": metadata.version("dash-leaflet"), "folium": metadata.version("folium"), **machine_extra}
    (OUT / "benchmarks.json").write_text(json.dumps({"machine": machine, "command": command, "cases": cases},
                                                    ensure_ascii=False, indent=2, default=str))
    args.doc.parent.mkdir(parents=True, exist_ok=True)
    previous = args.doc.read_text() if args.doc.exists() else None
    args.doc.write_text(with_history(render_doc(cases, machine, args, command), previous))
    say(f"written: {args.doc.relative_to(ROOT) if args.doc.is_relative_to(ROOT) else args.doc}, "
        f"{(OUT / 'benchmarks.json').relative_to(ROOT)}")
    print(args.doc.read_text())
    problems = [i for c in cases for side in ("ours", "folium") for i in ((c.get(side) or {}).get("issues") or [])]
    if not any(c.get("ours") for c in cases):
        return 2
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
