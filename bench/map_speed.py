"""Map speed benchmark of the staff map in real headless Chromium.

    python bench/map_speed.py --scale S|M [--runs 5] [--drills 8] [--port 8077] [--database-url URL]

Seeds (once) a SQLite database of the given demo scale under bench/out/ (or uses --database-url, already seeded at
--scale), starts `python app.py` on loopback, logs in through the login form as the demo admin (or
BENCH_USER / BENCH_PASSWORD) and hands the session cookie to every browser context, and measures:

1. street view first drawn: navigation start → the street's community polygons are on the map, the panel
   title shows the street, and two animation frames have passed (so the canvas has painted). Median of
   --runs cold runs, each in a fresh browser context (empty HTTP cache).
2. bytes on the wire of that cold street view (CDP Network.loadingFinished encodedDataLength, i.e. gzipped,
   headers included), split into static (page, bundles, assets, layout) and data (callback POSTs), plus
   the uncompressed size of the data.
3. drill click → drawn: mousedown on a community polygon → that community's compound polygons are on the
   map, the panel title shows the community, two frames passed. One warm context, --drills communities.
4. server time per callback: the Server-Timing `app;dur` of every POST /_dash-update-component.
5. the app process's peak resident memory (VmHWM), and the page's JS heap after the cold first draw (after GC).

Every time is taken inside the page (performance.now / event.timeStamp, both relative to navigation start),
so Playwright's round trips do not count. Prints a table to stdout, writes bench/out/map_speed-<scale>.json,
and exits 1 if the page logged a console error, a request left loopback, or a request failed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import http.cookiejar
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1440, "height": 900}
STREET = "330381001"
# Streets per demo scale; mirrors geodata/demo.py SCALES (the bench does not import app code).
STREETS_AT_SCALE = {"S": 1, "M": 20, "L": 100}
CALLBACK_PATH = "/_dash-update-component"
# Readable names for the callbacks of callbacks/map.py, keyed by their first output; others keep the output.
CALLBACK_NAMES = {"map-drill.data": "render_map", "area-panel.children": "render_panel",
                  "map-gaps.data": "render_gaps", "url.search": "drill_into_clicked_area"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Targets from the issue, for scale M. Reported beside the numbers, never asserted.
TARGETS = {"street_first_drawn_ms": 1500, "drill_click_to_drawn_ms": 300, "drill_callback_server_ms": 50,
           "street_transfer_kb": 500}

# Runs in every page before any of its scripts. `window.__bench.arm(key, level, code, title)` watches every
# animation frame for: an interactive (= drill layer) feature of `level` whose code starts with `code`, and
# `.panel-title` reading `title`. Once both hold it waits two more frames and stores performance.now() in
# marks[key]. The street view is armed at document start; the drill is armed by the bench before its click.
INIT_SCRIPT = """
(() => {
  const expect = %s;
  const bench = window.__bench = { marks: {}, clickAt: null };
  window.addEventListener("mousedown", (e) => { if (bench.clickAt === null) bench.clickAt = e.timeStamp; }, true);
  function drawn(level, code, title) {
    const map = window.jinlinMap;
    const heading = document.querySelector(".panel-title");
    if (!map || !heading || heading.textContent.trim() !== title) return false;
    let found = false;
    map.eachLayer((l) => {
      const p = l.feature && l.feature.properties;
      if (p && p.level === level && String(p.code).startsWith(code) && l.options.interactive !== false) found = true;
    });
    return found;
  }
  bench.arm = (key, level, code, title) => {
    delete bench.marks[key];
    bench.clickAt = null;
    const tick = () => {
      if (!drawn(level, code, title)) { requestAnimationFrame(tick); return; }
      requestAnimationFrame(() => requestAnimationFrame(() => { bench.marks[key] = performance.now(); }));
    };
    requestAnimationFrame(tick);
  };
  bench.arm("street", expect.level, expect.code, expect.title);
})();
"""

# A page pixel deep inside the drill polygon `code` where a real click reaches that polygon: inside the
# polygon (even-odd over all rings), within the visible map, on the <canvas> (not a marker, control or
# legend, also 4 px around), and not on a canvas circle marker, which Leaflet would hit first. Of those, the one farthest
# from the polygon's edges. null when there is none.
CLICK_POINT_JS = """
(code) => {
  const map = window.jinlinMap;
  let target = null;
  map.eachLayer((l) => {
    const p = l.feature && l.feature.properties;
    if (p && p.code === code && l.getLatLngs && l.options.interactive !== false) target = l;
  });
  if (!target) return null;
  const toPx = (ll) => map.latLngToContainerPoint(ll);
  const rings = [];
  (function collect(lls) {
    if (lls.length && lls[0] instanceof L.LatLng) { rings.push(lls.map(toPx)); } else { lls.forEach(collect); }
  })(target.getLatLngs());
  const inside = (x, y) => {
    let odd = false;
    for (const r of rings) {
      for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
        if ((r[i].y > y) !== (r[j].y > y) && x < (r[j].x - r[i].x) * (y - r[i].y) / (r[j].y - r[i].y) + r[i].x) odd = !odd;
      }
    }
    return odd;
  };
  const edgeDistance = (x, y) => {
    let best = Infinity;
    for (const r of rings) {
      for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
        const dx = r[i].x - r[j].x, dy = r[i].y - r[j].y, len2 = dx * dx + dy * dy;
        const t = len2 ? Math.max(0, Math.min(1, ((x - r[j].x) * dx + (y - r[j].y) * dy) / len2)) : 0;
        best = Math.min(best, Math.hypot(x - (r[j].x + t * dx), y - (r[j].y + t * dy)));
      }
    }
    return best;
  };
  const circles = [];
  map.eachLayer((l) => {
    if (l instanceof L.CircleMarker && l.options.interactive !== false) {
      const c = toPx(l.getLatLng());
      circles.push([c.x, c.y, (l.getRadius ? l.getRadius() : 10) + l.options.weight + 4]);
    }
  });
  const size = map.getSize();
  const rect = map.getContainer().getBoundingClientRect();
  const xs = rings.flat().map((p) => p.x), ys = rings.flat().map((p) => p.y);
  const x0 = Math.max(4, Math.min(...xs)), x1 = Math.min(size.x - 4, Math.max(...xs));
  const y0 = Math.max(4, Math.min(...ys)), y1 = Math.min(size.y - 4, Math.max(...ys));
  const candidates = [];
  const steps = 32;
  for (let i = 0; i <= steps; i++) {
    for (let j = 0; j <= steps; j++) {
      const x = x0 + (x1 - x0) * i / steps, y = y0 + (y1 - y0) * j / steps;
      if (!inside(x, y) || circles.some(([cx, cy, r]) => Math.hypot(x - cx, y - cy) < r)) continue;
      candidates.push([edgeDistance(x, y), x, y]);
    }
  }
  candidates.sort((a, b) => b[0] - a[0]);
  const onCanvas = (x, y) => {
    const hit = document.elementFromPoint(rect.left + x, rect.top + y);
    return hit !== null && hit.tagName === "CANVAS";
  };
  for (const [inset, x, y] of candidates) {
    // The pixel and its neighbours 4 px away: a click a hair off still lands on the polygon.
    if ([[0, 0], [4, 0], [-4, 0], [0, 4], [0, -4]].every(([dx, dy]) => onCanvas(x + dx, y + dy))) {
      return { x: rect.left + x, y: rect.top + y, inset: inset };
    }
  }
  return null;
}
"""


# Vector features (polygons, lines, markers; a cluster counts once) on the page's Leaflet map.
COUNT_FEATURES_JS = "() => { let n = 0; window.jinlinMap.eachLayer((l) => { if (l.feature) n++; }); return n; }"


class BenchError(RuntimeError):
    """The benchmark could not measure; the message says why."""


def say(message: str) -> None:
    """Progress goes to stderr; stdout carries only the results table."""
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------- database

def prepare_database(scale: str) -> Path:
    """bench/out/jinlin-<scale>.sqlite3, seeded at `scale` once; a marker file records a finished seed."""
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"jinlin-{scale}.sqlite3"
    marker = OUT / f"jinlin-{scale}.seeded.json"
    if db.exists() and marker.exists() and json.loads(marker.read_text()).get("scale") == scale:
        return db
    for stale in (db, marker, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    log = OUT / f"seed-{scale}.log"
    say(f"seeding demo scale {scale} into {db.relative_to(ROOT)} (log: {log.relative_to(ROOT)}) ...")
    started = time.perf_counter()
    with open(log, "w") as out:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "seed-demo", "--scale", scale],
                              cwd=ROOT, env=app_env(sqlite_url(db), port=None), stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise BenchError(f"seeding failed (exit {done.returncode}):\n{tail(log)}")
    marker.write_text(json.dumps({"scale": scale, "seeded_at": dt.datetime.now().isoformat(timespec="seconds"),
                                  "seconds": round(time.perf_counter() - started, 1)}))
    say(f"seeded in {time.perf_counter() - started:.0f} s")
    return db


def sqlite_url(db: Path) -> str:
    return f"sqlite:///{db}"


def app_env(database_url: str, port: int | None) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "TILE_PROVIDER": "none"}  # no tiles: nothing leaves loopback
    env.pop("JINLIN_DEBUG", None)  # production mode: no dev tools, no reloader child process
    if port is not None:
        env["PORT"] = str(port)
    return env


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# ---------------------------------------------------------------------------------------------------- app server

class AppServer:
    """`python app.py` as a child process; always stop() it."""

    def __init__(self, database_url: str, port: int, tag: str):
        self.base = f"http://127.0.0.1:{port}"
        self.log = OUT / f"app-{tag}.log"
        self.opener = urllib.request.build_opener()
        self.cookies: list[dict] = []
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                raise BenchError(f"port {port} is already in use: pick another with --port")
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=app_env(database_url, port),
                                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_healthy(self, timeout_s: float = 180) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"app exited with {self.proc.returncode}:\n{tail(self.log)}")
            try:
                if self.get_json("/healthz").get("status") == "ok":
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"app not healthy after {timeout_s:.0f} s:\n{tail(self.log)}")

    def login(self) -> None:
        """Log in through the login form as the staff account of bench_account(); keep the session cookie for
        get_json() and, as `cookies`, for the browser contexts (so no login page warms their cache)."""
        username, password = bench_account()
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with self.opener.open(self.base + "/login", timeout=30) as response:
            form = response.read().decode()
        token = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', form)
        fields = {"username": username, "password": password, **({"csrf_token": token.group(1)} if token else {})}
        try:
            with self.opener.open(self.base + "/login?next=/healthz", data=urlencode(fields).encode(), timeout=30) as r:
                landed = urlsplit(r.geturl()).path
        except urllib.error.HTTPError as error:
            raise BenchError(f"login as {username!r} failed: HTTP {error.code}") from None
        if landed != "/healthz":
            raise BenchError(f"login as {username!r} failed (landed on {landed})")
        self.cookies = [{"name": c.name, "value": c.value, "url": self.base} for c in jar]

    def get_json(self, path: str) -> dict:
        with self.opener.open(self.base + path, timeout=30) as response:
            return json.load(response)

    def memory_kb(self) -> dict:
        """VmHWM (peak resident) and VmRSS of the app process, in kB."""
        fields = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                fields[key] = int(value.split()[0])
        return fields

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------------------------------------------- browser side

class Issues:
    """What must not happen: console errors, page errors, requests off loopback, failed requests."""

    def __init__(self):
        self.items: list[str] = []

    def watch(self, page) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.items.append(f"console error: {msg.text}"))
        page.on("pageerror", lambda err: self.items.append(f"page error: {err}"))
        page.on("request", lambda req: self._check_host(req.url))
        page.on("websocket", lambda ws: self._check_host(ws.url))
        page.on("requestfailed", lambda req: self.items.append(f"request failed: {req.url} ({req.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.items.append(f"HTTP {r.status}: {r.request.method} {r.url}"))

    def _check_host(self, url: str) -> None:
        if url.startswith(("data:", "blob:", "about:")):
            return
        if urlsplit(url).hostname not in LOOPBACK:
            self.items.append(f"request off loopback: {url}")


class NetworkLog:
    """Every request of one page as the Chrome DevTools protocol sees it, tagged with the bench phase."""

    def __init__(self, cdp, phase: str):
        self.phase = phase
        self.requests: dict[str, dict] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.send("Network.enable")

    def _sent(self, e):
        req = e["request"]
        self.requests[e["requestId"]] = {
            "url": req["url"], "method": req["method"], "type": e.get("type"), "phase": self.phase,
            "callback": callback_label(req.get("postData")) if urlsplit(req["url"]).path == CALLBACK_PATH else None,
            "status": None, "server_ms": None, "wire_bytes": 0, "body_bytes": 0, "done": False}

    def _response(self, e):
        r = self.requests.get(e["requestId"])
        if r is None:
            return
        r["status"] = e["response"]["status"]
        r["from_cache"] = bool(e["response"].get("fromDiskCache") or e["response"].get("fromServiceWorker"))
        headers = {k.lower(): v for k, v in e["response"]["headers"].items()}
        r["encoding"] = headers.get("content-encoding")
        r["server_ms"] = server_timing_ms(headers.get("server-timing"))

    def _data(self, e):
        if e["requestId"] in self.requests:
            self.requests[e["requestId"]]["body_bytes"] += e["dataLength"]  # decoded (uncompressed) bytes

    def _finished(self, e):
        r = self.requests.get(e["requestId"])
        if r is not None:
            r["wire_bytes"] = int(e["encodedDataLength"])  # bytes received, compressed, headers included
            r["done"] = True

    def _failed(self, e):
        r = self.requests.get(e["requestId"])
        if r is not None:
            r["done"] = True
            r["failed"] = e.get("errorText")

    def in_flight(self) -> int:
        return sum(1 for r in self.requests.values() if not r["done"])

    def wait_quiet(self, page, quiet_ms: int = 500, timeout_ms: int = 30_000) -> None:
        """Until no request has been in flight for quiet_ms (lazy bundles and follow-up callbacks included)."""
        quiet_since = None
        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            page.wait_for_timeout(50)  # lets Playwright deliver the protocol events
            if self.in_flight():
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_ms / 1000:
                return
        raise BenchError(f"network never went quiet: {[r['url'] for r in self.requests.values() if not r['done']]}")

    def of_phase(self, phase: str) -> list[dict]:
        return [r for r in self.requests.values() if r["phase"] == phase]


def callback_label(post_data: str | None) -> str:
    """A Dash callback's name from its request body: its first output, plus how many more it has."""
    try:
        output = json.loads(post_data or "")["output"]
    except (ValueError, KeyError, TypeError):
        return "?"
    outputs = [o for o in output.strip(".").split("...") if o]
    if not outputs:
        return "?"
    label = outputs[0] + (f" +{len(outputs) - 1}" if len(outputs) > 1 else "")
    return f"{CALLBACK_NAMES[outputs[0]]} ({label})" if outputs[0] in CALLBACK_NAMES else label


def server_timing_ms(header: str | None) -> float | None:
    for metric in (header or "").split(","):
        name, *params = [part.strip() for part in metric.split(";")]
        if name == "app":
            for param in params:
                if param.startswith("dur="):
                    return float(param[4:])
    return None


def js_heap_bytes(cdp) -> int:
    """Bytes of the page's JS heap still in use after a full garbage collection."""
    cdp.send("HeapProfiler.collectGarbage")
    return int(cdp.send("Runtime.getHeapUsage")["usedSize"])


def bench_account() -> tuple[str, str]:
    """The staff account the bench logs in as: BENCH_USER/BENCH_PASSWORD, else the demo admin (sees every street)."""
    if os.environ.get("BENCH_USER"):
        return os.environ["BENCH_USER"], os.environ.get("BENCH_PASSWORD", "")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from db.users import DEMO_USERS  # the demo seed's accounts; the only app code the bench reads

    username, password, *_ = next(u for u in DEMO_USERS if u[2] == "admin")
    return username, password


def new_page(browser, issues: Issues, expect: dict, cookies: list[dict] | None = None):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    if cookies:
        context.add_cookies(cookies)
    context.add_init_script(INIT_SCRIPT % json.dumps(expect, ensure_ascii=False))
    page = context.new_page()
    page.set_default_timeout(60_000)
    issues.watch(page)
    return context, page


def wait_mark(page, key: str, timeout_ms: int = 30_000) -> float:
    """The page time of mark `key`; on timeout a BenchError with what the page shows, and a screenshot."""
    try:
        page.wait_for_function("(k) => window.__bench.marks[k] !== undefined", arg=key, polling=50,
                               timeout=timeout_ms)
    except PlaywrightTimeout:
        shot = OUT / f"timeout-{key}.png"
        page.screenshot(path=str(shot))
        state = page.evaluate("""() => ({url: location.href, title: (document.querySelector(".panel-title") || {}).textContent,
                                         clickAt: window.__bench && window.__bench.clickAt})""")
        raise BenchError(f"'{key}' not drawn within {timeout_ms / 1000:.0f} s; page state {state}, "
                         f"screenshot {shot.relative_to(ROOT)}") from None
    return page.evaluate("(k) => window.__bench.marks[k]", key)


def street_expectation(code: str, name: str) -> dict:
    return {"level": "community", "code": code, "title": name}


def measure_cold_street(browser, issues: Issues, base: str, street: dict, runs: int,
                        cookies: list[dict] | None = None) -> list[dict]:
    """Each run: a fresh context (empty cache), navigate to the street view, time until drawn, then count bytes."""
    results = []
    for run in range(runs):
        context, page = new_page(browser, issues, street_expectation(street["code"], street["name"]), cookies)
        try:
            cdp = context.new_cdp_session(page)
            net = NetworkLog(cdp, phase="cold")
            page.goto(f"{base}/?area={street['code']}", wait_until="commit")
            drawn_ms = wait_mark(page, "street")
            net.wait_quiet(page)
            requests = net.of_phase("cold")
            heap = js_heap_bytes(cdp)
            features = page.evaluate(COUNT_FEATURES_JS)
        finally:
            context.close()
        data = [r for r in requests if r["callback"]]
        static = [r for r in requests if not r["callback"]]
        results.append({
            "run": run + 1, "drawn_ms": round(drawn_ms, 1),
            "wire_bytes": sum(r["wire_bytes"] for r in requests),
            "static_wire_bytes": sum(r["wire_bytes"] for r in static),
            "data_wire_bytes": sum(r["wire_bytes"] for r in data),
            "data_body_bytes": sum(r["body_bytes"] for r in data),
            "requests": len(requests),
            "js_heap_bytes": heap,
            "features_on_map": features,
            "resources": sorted(({k: r.get(k) for k in ("method", "url", "status", "encoding", "wire_bytes",
                                                          "body_bytes", "callback", "server_ms")}
                                 for r in requests), key=lambda r: -r["wire_bytes"]),
        })
        say(f"  cold street view run {run + 1}/{runs}: {drawn_ms:.0f} ms, "
            f"{results[-1]['wire_bytes'] / 1024:.0f} KB on the wire")
    return results


def measure_drills(browser, issues: Issues, base: str, targets: list[dict],
                   cookies: list[dict] | None = None) -> tuple[list[dict], list[dict]]:
    """One warm context. Per community: open its street view (untimed), then click the community polygon."""
    street = targets[0]["street"]
    context, page = new_page(browser, issues, street_expectation(street["code"], street["name"]), cookies)
    results = []
    try:
        net = NetworkLog(context.new_cdp_session(page), phase="street")
        for i, t in enumerate(targets):
            net.phase = "street"
            page.goto(f"{base}/?area={t['street']['code']}")
            # Untimed: re-arm for this target's street (the init script only knows the context's first one).
            page.evaluate("([c, n]) => window.__bench.arm('street', 'community', c, n)",
                          [t["street"]["code"], t["street"]["name"]])
            wait_mark(page, "street")
            net.wait_quiet(page)
            point = page.evaluate(CLICK_POINT_JS, t["code"])
            if point is None:
                raise BenchError(f"no clickable pixel inside community {t['code']} on the street view")
            page.mouse.move(point["x"], point["y"])  # hover first: tooltips open before the timed click
            page.wait_for_timeout(150)
            net.phase = "drill"
            page.evaluate("([c, n]) => window.__bench.arm('drill', 'compound', c, n)", [t["code"], t["name"]])
            page.mouse.click(point["x"], point["y"])
            drawn_at = wait_mark(page, "drill")
            state = page.evaluate("() => ({clickAt: window.__bench.clickAt, search: location.search})")
            if state["clickAt"] is None:
                raise BenchError("the click never reached the page")
            if f"area={t['code']}" not in state["search"]:
                raise BenchError(f"drill into {t['code']} drew but the URL reads {state['search']!r}")
            net.wait_quiet(page)
            results.append({"community": t["code"], "name": t["name"], "click_to_drawn_ms": round(drawn_at - state["clickAt"], 1),
                            "click_inset_px": round(point["inset"], 1)})
            say(f"  drill {i + 1}/{len(targets)} into {t['code']} {t['name']}: {results[-1]['click_to_drawn_ms']:.0f} ms")
        callbacks = [r for r in net.requests.values() if r["callback"]]
    finally:
        context.close()
    return results, callbacks


def drill_targets(server: AppServer, count: int) -> list[dict]:
    """`count` communities: those of street 330381001 first, then of the next streets."""
    streets = sorted(server.get_json("/api/areas")["areas"], key=lambda s: s["code"] != STREET)
    targets = []
    for s in streets:
        children = server.get_json(f"/api/areas/{s['code']}")["children"]
        for c in children:
            if c["level"] == "community" and len(targets) < count:
                targets.append({"code": c["code"], "name": c["name"], "street": {"code": s["code"], "name": s["name"]}})
        if len(targets) >= count:
            break
    return targets


# ---------------------------------------------------------------------------------------------------- numbers

def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def spread(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
            "max": max(values) if values else None}


def server_times(callbacks: list[dict]) -> dict:
    """Server-Timing of callback responses: all, the drill phase, and per callback."""
    timed = [c for c in callbacks if c["server_ms"] is not None]

    def by_callback(rows):
        grouped = {}
        for c in rows:
            grouped.setdefault(c["callback"], []).append(c["server_ms"])
        return {name: spread(v) for name, v in sorted(grouped.items())}

    drill = [c for c in timed if c["phase"] == "drill"]
    return {"all": spread([c["server_ms"] for c in timed]), "drill": spread([c["server_ms"] for c in drill]),
            "per_callback": by_callback(timed), "per_callback_drill": by_callback(drill),
            "missing_header": sum(1 for c in callbacks if c["server_ms"] is None and c["status"] is not None)}


def summarise(scale: str, cold: list[dict], drills: list[dict], callbacks: list[dict], memory: dict,
              street: dict, runs: int) -> dict:
    median = lambda key: statistics.median(r[key] for r in cold)
    return {
        "scale": scale, "street": street, "cold_runs": runs, "drills": len(drills), "viewport": VIEWPORT,
        "measured_at": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "chromium": CHROMIUM},
        "street_first_drawn_ms": {"median": median("drawn_ms"), "runs": [r["drawn_ms"] for r in cold]},
        "street_transfer_bytes": {"total": median("wire_bytes"), "static": median("static_wire_bytes"),
                                  "data": median("data_wire_bytes"), "data_uncompressed": median("data_body_bytes"),
                                  "requests": median("requests")},
        "drill_click_to_drawn_ms": {**spread([d["click_to_drawn_ms"] for d in drills]), "runs": drills},
        "callback_server_ms": server_times(callbacks),
        "app_memory_kb": memory,
        "js_heap_bytes": median("js_heap_bytes"),
        "features_on_map": median("features_on_map"),
        "targets": TARGETS,
        "cold_run_resources": cold[0]["resources"] if cold else [],
    }


def fmt_ms(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def render_table(result: dict, issues: list[str]) -> str:
    drawn, transfer = result["street_first_drawn_ms"], result["street_transfer_bytes"]
    drill, server = result["drill_click_to_drawn_ms"], result["callback_server_ms"]
    kb = lambda b: f"{b / 1024:,.0f} KB"
    three = lambda s: f"{fmt_ms(s['p50'])} / {fmt_ms(s['p95'])} / {fmt_ms(s['max'])}"

    def verdict(value, limit):
        return "" if value is None else ("meets" if value < limit else "MISSES")

    rows = [
        ("street view first drawn, median (ms)", fmt_ms(drawn["median"]), f"< {TARGETS['street_first_drawn_ms']}",
         verdict(drawn["median"], TARGETS["street_first_drawn_ms"])),
        ("  each cold run (ms; run 1 = server cache cold)", ", ".join(fmt_ms(v) for v in drawn["runs"]), "", ""),
        ("street view transfer, gzipped (median run)", kb(transfer["total"]), f"< {TARGETS['street_transfer_kb']} KB",
         verdict(transfer["total"] / 1024, TARGETS["street_transfer_kb"])),
        ("  static: page, layout, JS/CSS bundles, assets", kb(transfer["static"]), "", ""),
        ("  data: callback responses", kb(transfer["data"]), "", ""),
        ("  data uncompressed", kb(transfer["data_uncompressed"]), "", ""),
        ("  requests", f"{transfer['requests']:.0f}", "", ""),
        (f"drill click → drawn p50 / p95 / max (ms, n={drill['n']})", three(drill),
         f"< {TARGETS['drill_click_to_drawn_ms']}", verdict(drill["p95"], TARGETS["drill_click_to_drawn_ms"])),
        (f"server time, drill callbacks p50 / p95 / max (ms, n={server['drill']['n']})", three(server["drill"]),
         f"< {TARGETS['drill_callback_server_ms']}", verdict(server["drill"]["max"], TARGETS["drill_callback_server_ms"])),
        *[(f"  {name} (n={s['n']})", three(s), f"< {TARGETS['drill_callback_server_ms']}",
           verdict(s["max"], TARGETS["drill_callback_server_ms"])) for name, s in server["per_callback_drill"].items()],
        (f"server time, all callbacks p50 / p95 / max (ms, n={server['all']['n']})", three(server["all"]), "", ""),
        *[(f"  {name} (n={s['n']})", three(s), "", "") for name, s in server["per_callback"].items()],
        ("app peak memory VmHWM", f"{result['app_memory_kb'].get('VmHWM', 0) / 1024:,.0f} MB", "", ""),
        ("browser JS heap after first draw (after GC, median)", f"{result['js_heap_bytes'] / 2**20:,.1f} MB", "", ""),
    ]
    width = max(len(r[0]) for r in rows) + 2
    vwidth = max(len(r[1]) for r in rows) + 2
    head = (f"map speed, scale {result['scale']}: street {result['street']['code']} {result['street']['name']}, "
            f"{result['cold_runs']} cold runs, {result['drills']} drills, viewport "
            f"{VIEWPORT['width']}x{VIEWPORT['height']}, {result['machine']['cpus']} CPUs")
    lines = [head, "", f"{'metric':<{width}}{'value':<{vwidth}}{'target (M)':<14}", "-" * (width + vwidth + 20)]
    lines += [f"{name:<{width}}{value:<{vwidth}}{target:<14}{ok}".rstrip() for name, value, target, ok in rows]
    lines += ["", "largest transfers of cold run 1:"]
    for r in result["cold_run_resources"][:6]:
        what = f"POST {r['callback']}" if r["callback"] else urlsplit(r["url"]).path
        lines.append(f"  {kb(r['wire_bytes']):>9} wire  {kb(r['body_bytes']):>9} raw  {what}")
    lines += ["", "p95 is interpolated between ranks; a target is judged on the median (first draw, transfer), "
                  "p95 (drill) or max (server)."]
    if result["callback_server_ms"]["missing_header"]:
        lines.append(f"{result['callback_server_ms']['missing_header']} callback responses had no Server-Timing header")
    if issues:
        lines += ["", f"FAILED: {len(issues)} problem(s) in the browser:"] + [f"  {i}" for i in issues]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------- main

def measure_ours(scale: str, database_url: str, port: int, runs: int, drills: int, tag: str | None = None) -> dict:
    """Start the app on `database_url` (seeded at `scale`), measure it in Chromium, stop it. The result dict
    carries the browser problems under "issues"; raises BenchError when it could not measure."""
    issues = Issues()
    server = AppServer(database_url, port, tag or scale)
    try:
        server.wait_healthy()
        server.login()
        streets = server.get_json("/api/areas")["areas"]
        if len(streets) != STREETS_AT_SCALE[scale]:
            raise BenchError(f"the database holds {len(streets)} streets, scale {scale} has {STREETS_AT_SCALE[scale]}: "
                             f"reseed it (SQLite: delete bench/out/jinlin-{scale}.*)")
        street = next((s for s in streets if s["code"] == STREET), None)
        if street is None:
            raise BenchError(f"street {STREET} is not in the database")
        street = {"code": street["code"], "name": street["name"]}
        targets = drill_targets(server, drills)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                chromium_version = browser.version
                say(f"scale {scale}: {runs} cold street views, {len(targets)} drills on {server.base}")
                cold = measure_cold_street(browser, issues, server.base, street, runs, server.cookies)
                drill_results, drill_callbacks = measure_drills(browser, issues, server.base, targets, server.cookies)
            finally:
                browser.close()
        memory = server.memory_kb()
    except (BenchError, PlaywrightError, OSError) as error:
        if server.proc.poll() is not None:  # a dead app explains any timeout or refused connection: say so
            raise BenchError(f"the app process died (exit {server.proc.returncode}) during the run; {error}")
        raise BenchError(f"{error}; browser problems: {issues.items}" if issues.items else str(error)) from error
    finally:
        server.stop()
    # Cold-run callbacks are in each run's resource list; drill-context callbacks come from its network log.
    cold_callbacks = [{**r, "phase": "cold"} for run in cold for r in run["resources"] if r["callback"]]
    result = summarise(scale, cold, drill_results, cold_callbacks + drill_callbacks, memory, street, runs)
    result["machine"]["chromium_version"] = chromium_version
    result["database"] = database_url.split("://", 1)[0]
    result["issues"] = issues.items
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(STREETS_AT_SCALE), default="M", type=str.upper)
    parser.add_argument("--runs", type=int, default=5, help="cold street-view runs (default 5)")
    parser.add_argument("--drills", type=int, default=8, help="community drill clicks (default 8)")
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--database-url", help="a database already seeded at --scale (default: SQLite under bench/out/)")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.drills < 1:
        parser.error("--runs and --drills must be at least 1")

    try:
        database_url = args.database_url or sqlite_url(prepare_database(args.scale))
        result = measure_ours(args.scale, database_url, args.port, args.runs, args.drills)
    except BenchError as error:
        say(f"error: {error}")
        return 2
    out = OUT / f"map_speed-{args.scale}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(render_table(result, result["issues"]))
    print(f"\nwritten: {out.relative_to(ROOT)}")
    return 1 if result["issues"] else 0


if __name__ == "__main__":
    sys.exit(main())
