"""Bounded load test on loopback: N concurrent clients for T seconds against gunicorn, on SQLite or PostGIS.

    python bench/load.py --backend sqlite --clients 50 --seconds 60
    python bench/load.py --backend postgis --clients 50 --seconds 60 --restart-db-at 20
    python bench/load.py --backend sqlite --clients 50 --seconds 60 --hostile 8

The mix is what the three audiences' browsers send: staff drill-downs (the two Dash callbacks a drill fires),
big-screen refreshes (the screen's own refresh callback for a street) and residents' map loads (the /public/
page, its service-point GeoJSON and the callback that lists the points). With
--restart-db-at the PostgreSQL cluster is restarted mid-run; the run then reports how the app answered
while the database was away (a clear 数据库暂时不可用, never a traceback) and how long recovery took.
With --hostile N, N more clients send what a hostile or broken client sends beside the normal mix: oversized
bodies to an anonymous callback, malformed callback bodies, bad logins under variants of a real account's name and
unknown paths. The normal clients must see no error, no hostile request may get a 5xx, and the workers' peak
resident memory is printed.
Traffic goes only to 127.0.0.1 and stops by itself.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the project's own login helpers and demo accounts
OUT = ROOT / "bench" / "out"
DB_DOWN_TEXT = "数据库暂时不可用"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], env: dict | None = None, capture: bool = False) -> str:
    done = subprocess.run(cmd, cwd=ROOT, env=env, check=True, text=True,
                          stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.PIPE)
    return (done.stdout or "").strip()


class Database:
    """The backend under test: a seeded SQLite file, or a throw-away PostGIS cluster with a seeded database."""

    def __init__(self, backend: str, scale: str):
        self.backend, self.scale = backend, scale
        self.pg_dir: str | None = None
        self.url = ""

    def __enter__(self) -> "Database":
        OUT.mkdir(parents=True, exist_ok=True)
        if self.backend == "sqlite":
            path = OUT / f"load-{self.scale}.sqlite3"
            self.url = f"sqlite:///{path}"
            if not path.exists():
                self._seed()
            # an older file gets the current schema and the demo accounts, as a deploy would
            run([sys.executable, "-m", "flask", "--app", "app", "init-db"], env={**os.environ, "DATABASE_URL": self.url})
            return self
        self.pg_dir = tempfile.mkdtemp(prefix="jinlin-load-pg.")
        admin = run(["bash", "scripts/pg_cluster.sh", "start", self.pg_dir], capture=True)
        from sqlalchemy import create_engine, text

        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE DATABASE jinlin_load"))
        engine.dispose()
        self.url = admin.rsplit("/", 1)[0] + "/jinlin_load"
        self._seed()
        return self

    def _seed(self) -> None:
        print(f"seeding scale {self.scale} on {self.backend} …", file=sys.stderr)
        run([sys.executable, "-m", "flask", "--app", "app", "seed-demo", "--scale", self.scale],
            env={**os.environ, "DATABASE_URL": self.url})

    def restart(self) -> None:
        run(["bash", "scripts/pg_cluster.sh", "restart", self.pg_dir])

    def __exit__(self, *exc) -> None:
        if self.pg_dir:
            subprocess.run(["bash", "scripts/pg_cluster.sh", "stop", self.pg_dir], cwd=ROOT)


class Server:
    """gunicorn with several workers, started and always stopped by us."""

    def __init__(self, url: str, workers: int, threads: int):
        self.url, self.workers, self.threads = url, workers, threads
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        env = {**os.environ, "DATABASE_URL": self.url, "TILE_PROVIDER": "none"}
        log = open(OUT / "load-gunicorn.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "--threads", str(self.threads),
             "-b", f"127.0.0.1:{self.port}", "--timeout", "60", "app:server"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 180  # workers import the app after the fork: slow on a busy 2-core box
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2):
                    return self
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise SystemExit("gunicorn did not start: see bench/out/load-gunicorn.log")
                time.sleep(0.3)

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def dependencies(opener, base: str, prefix: str = "/") -> list[dict]:
    with opener.open(f"{base}{prefix}_dash-dependencies", timeout=10) as r:
        return json.loads(r.read())


def callback_body(dep: dict, url_id: str, search: str, values: dict | None = None) -> dict:
    """The body a browser posts for `dep` when the page's URL is `search`: other inputs from `values` (by id),
    else empty."""
    outs = [dict(zip(("id", "property"), o.split("."))) for o in dep["output"].strip(".").split("...")]
    values = {url_id: search, **(values or {})}
    fill = lambda items: [{**i, "value": values.get(i["id"])} for i in items]
    # the input that changed: the URL when the callback listens to it (a navigation), else its first input
    changed = next((i for i in dep["inputs"] if i["id"] == url_id), dep["inputs"][0])
    return {"output": dep["output"], "outputs": outs if len(outs) > 1 else outs[0],
            "inputs": fill(dep["inputs"]), "state": fill(dep.get("state", [])),
            "changedPropIds": [f"{changed['id']}.{changed['property']}"]}


def callback_bodies(opener, base: str, codes: list[str]) -> list[list[dict]]:
    """For each area code, the request bodies of the three callbacks a drill into it fires: the map, the panel
    head, and (once both are in) the panel's details."""
    deps = dependencies(opener, base)
    wanted = [d for d in deps if "map-drill.data" in d["output"] or "area-panel.children" in d["output"]
              or "area-panel-details.children" in d["output"]]
    if len(wanted) != 3:
        raise SystemExit(f"expected the map, panel and details callbacks, found {[d['output'] for d in wanted]}")
    return [[callback_body(dep, "url", f"?area={code}", {"area-panel-ready": code, "rates-days": 30})
             for dep in wanted] for code in codes]


def screen_bodies(opener, base: str, streets: list[str]) -> list[dict]:
    """The big screen's refresh callback, one body per street shown."""
    dep = next(d for d in dependencies(opener, base, "/screen/") if "screen-title.children" in d["output"])
    return [callback_body(dep, "screen-url", f"?area={code}") for code in streets]


def public_body(opener, base: str) -> dict:
    """The residents' map callback that lists and filters the service points."""
    dep = next(d for d in dependencies(opener, base, "/public/") if "public-list.children" in d["output"])
    return callback_body(dep, "public-url", "")


def area_codes(opener, base: str) -> tuple[list[str], list[str]]:
    with opener.open(base + "/api/areas", timeout=10) as r:
        streets = [a["code"] for a in json.loads(r.read())["areas"]]
    drill = []
    for street in streets[:5]:
        with opener.open(f"{base}/api/areas/{street}", timeout=10) as r:
            communities = [c["code"] for c in json.loads(r.read())["children"]]
        drill += [street] + communities
        with opener.open(f"{base}/api/areas/{communities[0]}", timeout=10) as r:
            drill += [c["code"] for c in json.loads(r.read())["children"][:3]]
    return streets, drill


class Recorder:
    def __init__(self):
        self.samples: list[tuple[float, str, int, float, str]] = []  # (t, kind, status, ms, note)

    def add(self, t: float, kind: str, status: int, ms: float, note: str = "") -> None:
        self.samples.append((t, kind, status, ms, note))


async def client(session: aiohttp.ClientSession, base: str, stop_at: float, started: float, rec: Recorder,
                 mix: dict, rng: random.Random) -> None:
    while time.perf_counter() < stop_at:
        roll = rng.random()
        if roll < 0.5:
            kind, requests = "drill", [("POST", "/_dash-update-component", body) for body in rng.choice(mix["drill"])]
        elif roll < 0.8:
            kind, requests = "screen", [("POST", "/screen/_dash-update-component", rng.choice(mix["screen"]))]
        else:
            kind, requests = "public", [("GET", "/public/", None), ("GET", "/api/public/service-points.geojson", None),
                                        ("POST", "/public/_dash-update-component", mix["public"])]
        for method, path, body in requests:
            t0 = time.perf_counter()
            try:
                async with session.request(method, base + path, json=body) as resp:
                    text = await resp.text()
                    status = resp.status
            except (aiohttp.ClientError, asyncio.TimeoutError) as err:
                rec.add(t0 - started, kind, 0, (time.perf_counter() - t0) * 1000, type(err).__name__)
                continue
            ms = (time.perf_counter() - t0) * 1000
            note = ""
            if DB_DOWN_TEXT in text:
                note = "db-down-message"
            elif "Traceback" in text:
                note = "traceback"
            rec.add(t0 - started, kind, status, ms, note)


def _junk_callbacks(public: dict) -> list[bytes]:
    """Callback bodies a broken or hostile client sends: not JSON, the wrong shapes, deep nesting, huge arrays."""
    deep = "[" * 50_000 + "]" * 50_000
    wrong_types = {**public, "inputs": "x", "outputs": 7}
    many_inputs = {**public, "inputs": [{"id": "public-url", "property": "search", "value": "?q=" + "水" * 200}] * 20_000}
    unknown_output = {**public, "output": "no-such-id.children", "outputs": {"id": "no-such-id", "property": "children"}}
    return [b"not json at all", b"[1, 2, 3]", deep.encode(), json.dumps(wrong_types).encode(),
            json.dumps(many_inputs).encode(), json.dumps(unknown_output).encode(), b"\x00\xff\xfe" * 1000]


UNKNOWN_PATHS = ("/publicx", "/open311/x", "/api/public/anything", "/public/../admin/", "/%00", "/api/areas/%ff",
                 "/screen/?token=" + "0" * 64)


async def hostile_client(base: str, stop_at: float, started: float, rec: Recorder, mix: dict, big_mib: int,
                         rng: random.Random) -> None:
    """One hostile client with its own cookies (it never holds a staff session)."""
    timeout = aiohttp.ClientTimeout(total=60)
    big = b"{" + b" " * (big_mib * 1024 * 1024) + b"}"
    async with aiohttp.ClientSession(timeout=timeout, cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        while time.perf_counter() < stop_at:
            roll = rng.random()
            t0 = time.perf_counter()
            try:
                if roll < 0.15:
                    kind = "oversized"
                    resp = await session.post(base + "/public/_dash-update-component", data=big,
                                              headers={"Content-Type": "application/json"})
                elif roll < 0.55:
                    kind = "malformed"
                    prefix = rng.choice(("/", "/public/", "/screen/"))
                    resp = await session.post(base + prefix + "_dash-update-component", data=rng.choice(mix["junk"]),
                                              headers={"Content-Type": "application/json"})
                elif roll < 0.8:
                    kind = "badlogin"
                    async with session.get(base + "/login") as page:
                        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', await page.text())
                    name = rng.choice(mix["login_names"])
                    resp = await session.post(base + "/login", data={
                        "csrf_token": found.group(1) if found else "", "username": name,
                        "password": rng.choice(("123456", "password", "x" * 300, "\x00", "密码"))})
                else:
                    kind = "unknown-path"
                    resp = await session.get(base + rng.choice(UNKNOWN_PATHS))
                async with resp:
                    text = await resp.text(errors="replace")
                    status = resp.status
            except (aiohttp.ClientError, asyncio.TimeoutError) as err:
                # a server may close the connection on an oversized body once it has answered 413
                rec.add(t0 - started, "hostile-" + kind, 0, (time.perf_counter() - t0) * 1000, type(err).__name__)
                continue
            note = "traceback" if "Traceback" in text else ""
            rec.add(t0 - started, "hostile-" + kind, status, (time.perf_counter() - t0) * 1000, note)


async def watch_memory(pid: int, stop_at: float, peaks: dict) -> None:
    """Peak resident memory of the gunicorn master and of its biggest worker, sampled twice a second."""
    master = psutil.Process(pid)
    while time.perf_counter() < stop_at:
        try:
            workers = master.children(recursive=True)
            rss = [p.memory_info().rss for p in workers]
        except psutil.Error:
            rss = []
        if rss:
            peaks["worker_mib"] = max(peaks.get("worker_mib", 0), max(rss) / 2**20)
            peaks["all_workers_mib"] = max(peaks.get("all_workers_mib", 0), sum(rss) / 2**20)
        await asyncio.sleep(0.5)


async def login(session: aiohttp.ClientSession, base: str) -> None:
    """Staff pages need a session: log in once as the demo admin, as a browser would (CSRF token included)."""
    from db.users import DEMO_USERS

    username, password = DEMO_USERS[0][:2]
    async with session.get(base + "/login") as resp:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', await resp.text()).group(1)
    async with session.post(base + "/login", data={"csrf_token": token, "username": username,
                                                   "password": password}) as resp:
        if "/login" in str(resp.url):
            raise SystemExit("could not log in as the demo admin")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def drive(base: str, clients: int, seconds: float, mix: dict, restart=None, hostile: int = 0,
                big_mib: int = 50, server_pid: int | None = None) -> Recorder:
    rec = Recorder()
    rec.memory = {}
    started = time.perf_counter()
    stop_at = started + seconds
    timeout = aiohttp.ClientTimeout(total=30)
    # unsafe=True: aiohttp otherwise drops cookies set by an IP address such as 127.0.0.1
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=clients),
                                     cookie_jar=jar) as session:
        await login(session, base)
        tasks = [asyncio.create_task(client(session, base, stop_at, started, rec, mix, random.Random(i)))
                 for i in range(clients)]
        tasks += [asyncio.create_task(hostile_client(base, stop_at, started, rec, mix, big_mib, random.Random(-i)))
                  for i in range(1, hostile + 1)]
        if server_pid:
            tasks.append(asyncio.create_task(watch_memory(server_pid, stop_at, rec.memory)))
        if restart:
            at, action = restart
            await asyncio.sleep(at)
            rec.restart_started = time.perf_counter() - started
            await asyncio.to_thread(action)
            rec.restart_done = time.perf_counter() - started
        await asyncio.gather(*tasks)
    rec.elapsed = time.perf_counter() - started
    return rec


def report(rec: Recorder, args) -> dict:
    hostile = [s for s in rec.samples if s[1].startswith("hostile-")]
    samples = [s for s in rec.samples if not s[1].startswith("hostile-")]
    rec.samples = samples
    ok = [s for s in rec.samples if s[2] == 200 and not s[4]]
    degraded = [s for s in rec.samples if s[4] == "db-down-message"]  # the clear outage answer (200 banner or 503)
    errors = [s for s in rec.samples if (s[2] != 200 and s[4] != "db-down-message") or s[4] == "traceback"]
    ms = [s[3] for s in ok]
    result = {
        "backend": args.backend, "scale": args.scale, "clients": args.clients, "seconds": args.seconds,
        "workers": args.workers, "threads": args.threads, "requests": len(rec.samples),
        "requests_per_s": round(len(rec.samples) / rec.elapsed, 1),
        "p50_ms": round(percentile(ms, 0.5), 1), "p95_ms": round(percentile(ms, 0.95), 1),
        "p99_ms": round(percentile(ms, 0.99), 1), "errors": len(errors),
        "by_kind": {k: {"n": len([s for s in ok if s[1] == k]),
                        "p95_ms": round(percentile([s[3] for s in ok if s[1] == k], 0.95), 1)}
                    for k in ("drill", "screen", "public")},
        "peak_rss_mib": {k: round(v, 1) for k, v in rec.memory.items()},
    }
    if hostile:
        kinds = sorted({s[1] for s in hostile})
        result["hostile"] = {
            "clients": args.hostile, "requests": len(hostile), "oversized_mib": args.oversized_mib,
            "server_errors": len([s for s in hostile if s[2] >= 500 or s[4] == "traceback"]),
            "by_kind": {k.removeprefix("hostile-"): {
                "n": len([s for s in hostile if s[1] == k]),
                "statuses": {str(st): len([s for s in hostile if s[1] == k and s[2] == st])
                             for st in sorted({s[2] for s in hostile if s[1] == k})}} for k in kinds},
        }
    if hasattr(rec, "restart_started"):
        # requests are stamped when they start: one begun just before the restart can be answered during it
        last_degraded = max((s[0] for s in degraded), default=rec.restart_started)
        first_ok = min((s[0] for s in ok if s[0] > last_degraded), default=None)
        result["fault"] = {
            "restart_began_s": round(rec.restart_started, 2), "restart_returned_s": round(rec.restart_done, 2),
            "answers_with_db_down_message": len(degraded),
            "statuses_of_those_answers": sorted({s[2] for s in degraded}),
            "tracebacks": len([s for s in rec.samples if s[4] == "traceback"]),
            "last_outage_answer_s": round(last_degraded, 2),
            "first_normal_answer_after_s": None if first_ok is None else round(first_ok, 2),
        }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgis"], default="sqlite")
    parser.add_argument("--scale", choices=["S", "M"], default="S")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--hostile", type=int, default=0, help="hostile clients beside the normal ones")
    parser.add_argument("--oversized-mib", type=int, default=50, help="size of the hostile clients' big bodies")
    parser.add_argument("--restart-db-at", type=float, default=None, help="seconds into the run (PostGIS only)")
    args = parser.parse_args()
    if args.restart_db_at is not None and args.backend != "postgis":
        parser.error("--restart-db-at needs --backend postgis")
    if not (1 <= args.clients <= 200 and 1 <= args.seconds <= 600):
        parser.error("clients must be 1–200 and seconds 1–600: this is a bounded test")
    with Database(args.backend, args.scale) as db, Server(db.url, args.workers, args.threads) as server:
        from tests.helpers import logged_in_opener

        opener = logged_in_opener(server.base)
        streets, drill = area_codes(opener, server.base)
        mix = {"drill": callback_bodies(opener, server.base, drill),
               "screen": screen_bodies(opener, server.base, streets), "public": public_body(opener, server.base)}
        mix["junk"] = _junk_callbacks(mix["public"])
        from db.users import DEMO_USERS

        real = DEMO_USERS[0][0]
        mix["login_names"] = [real, f" {real}", f"{real}\t", real.upper(), f"{real}\x00", "nobody", "x" * 60]
        restart = (args.restart_db_at, db.restart) if args.restart_db_at is not None else None
        rec = asyncio.run(drive(server.base, args.clients, args.seconds, mix, restart, args.hostile,
                                args.oversized_mib, server.proc.pid))
    result = report(rec, args)
    name = f"load-{args.backend}-{args.scale}{'-fault' if restart else ''}{'-hostile' if args.hostile else ''}.json"
    (OUT / name).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 1 if result["errors"] or result.get("hostile", {}).get("server_errors") else 0


if __name__ == "__main__":
    sys.exit(main())
