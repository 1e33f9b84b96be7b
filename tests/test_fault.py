"""The database goes away and comes back: clear answers meanwhile, recovery without a restart of the app, and no
acknowledged write lost, whether it went away gracefully or in a crash."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import BACKEND

ROOT = Path(__file__).resolve().parent.parent
# an embedded SQLite file has no server to lose: these run in the PostGIS pass of scripts/test.sh
server_only = pytest.mark.postgres_only


def _cluster(command: str) -> None:
    subprocess.run(["bash", "scripts/pg_cluster.sh", command, os.environ["JINLIN_TEST_PG_DIR"]], cwd=ROOT, check=True)


@pytest.fixture()
def client(seeded_url):
    from app import server
    from tests.helpers import login

    c = server.test_client()
    login(c)
    return c


def _map_body(client):
    from tests.helpers import dash_body, find_callback

    deps = client.get("/_dash-dependencies").get_json()
    # the panel head (and its area)
    return dash_body(find_callback(deps, "area-panel.children"), {"url.search": "?area=330381001006"})


@server_only
def test_outage_answers_clearly_and_recovers(client):
    assert client.get("/api/areas/330381001003").status_code == 200  # pool holds live connections now
    body = _map_body(client)
    _cluster("stop")
    try:
        api = client.get("/api/areas/330381001003")
        assert api.status_code == 503
        assert api.get_json()["message"] == "数据库暂时不可用，请稍后重试"
        assert client.get("/healthz").status_code == 503
        dash = client.post("/_dash-update-component", json=body)
        assert dash.status_code == 200
        text = dash.get_data(as_text=True)
        assert "数据库暂时不可用" in text and "Traceback" not in text
    finally:
        _cluster("resume")
    deadline = time.time() + 15
    while client.get("/api/areas/330381001003").status_code != 200:
        assert time.time() < deadline, "app did not recover within 15 s of the database coming back"
        time.sleep(0.2)
    again = client.post("/_dash-update-component", json=body).get_json()
    assert again["response"]["area-panel"]["children"]


@server_only
def test_no_acknowledged_write_is_lost_across_a_restart(client, monkeypatch):
    """A hotline keeps filing cases through Open311 while PostgreSQL restarts: every 201 it got is in the database."""
    import threading

    from sqlalchemy import delete, select, text as sql

    from app import server
    from db import models as m
    from db.engine import session_scope

    key = "fault-key-0123456789abcdef"
    from settings import Open311Key

    monkeypatch.setitem(server.config, "OPEN311_KEYS", {key: Open311Key("12345热线", None, "write")})
    with session_scope() as s:  # not the rolled-back test session: its connection would die in the restart
        b = s.execute(select(m.Building).where(m.Building.grid_code == "33038100100101").limit(1)).scalar_one()
        point = b.geometry.representative_point()
    code = client.get("/open311/v2/services.json", query_string={"api_key": key}).get_json()[0]["service_code"]
    acked: dict[str, str] = {}
    refused: list[int] = []
    stop = threading.Event()

    def hotline():
        writer = server.test_client()
        n = 0
        while not stop.is_set():
            n += 1
            description = f"故障测试第{n}件"
            r = writer.post("/open311/v2/requests.json", data={
                "api_key": key, "service_code": code, "lat": point.y, "long": point.x, "description": description})
            if r.status_code == 201:
                acked[r.get_json()[0]["service_request_id"]] = description
            else:
                refused.append(r.status_code)
                time.sleep(0.05)

    def started_at():
        with session_scope() as s:
            return s.execute(sql("select pg_postmaster_start_time()")).scalar()

    before = started_at()
    thread = threading.Thread(target=hotline, daemon=True)
    thread.start()
    try:
        deadline = time.time() + 20
        while len(acked) < 5:
            assert time.time() < deadline, "no writes were acknowledged before the restart"
            time.sleep(0.05)
        _cluster("restart")
        after_restart = len(acked)
        deadline = time.time() + 20
        while len(acked) < after_restart + 5:
            assert time.time() < deadline, "writes did not resume within 20 s of the restart"
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
    try:
        assert started_at() != before  # the server really restarted under the writer
        assert set(refused) <= {503}, f"unexpected answers during the restart: {sorted(set(refused))}"
        with session_scope() as s:
            stored = dict(s.execute(select(m.Case.code, m.Case.description)
                                    .where(m.Case.description.like("故障测试%"))).all())
        missing = {k: v for k, v in acked.items() if stored.get(k) != v}
        assert not missing, f"acknowledged but lost: {missing}"
    finally:
        with session_scope() as s:  # the shared demo data keeps its counts for other tests
            ids = s.execute(select(m.Case.id).where(m.Case.description.like("故障测试%"))).scalars().all()
            s.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id.in_(ids)))
            s.execute(delete(m.Case).where(m.Case.id.in_(ids)))


# --- a crash, not a polite restart (issue 14, class 15) ---

CRASH_KEY = "crash-key-0123456789abcdef"
WRITERS = 4
ACKED_BEFORE, ACKED_AFTER = 40, 40  # cases acknowledged before the crash, and again once the database is back


def _pg_bin(tool: str) -> str:
    """A PostgreSQL client of the same installation as the server pg_cluster.sh runs."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name.split(".")[0]))
    return str(versions[-1] / tool)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def _crashable_copy(seeded_url: str, folder: Path):
    """The demo data where a crash can hit it: on PostgreSQL a cluster of its own with durable settings (fsync,
    synchronous_commit and full_page_writes on; the suite's cluster runs without them), on SQLite a copy of the file.
    Yields (database URL, the cluster's directory or None)."""
    from tests.conftest import copy_database

    if BACKEND != "postgresql":
        yield copy_database(seeded_url, folder, "crash"), None
        return
    # a folder of its own under /tmp: the server runs as the postgres user, who may not enter pytest's folders
    cluster = Path(tempfile.mkdtemp(prefix="jinlin-durable."))
    admin = subprocess.run(["bash", "scripts/pg_cluster.sh", "start", str(cluster), "--durable"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.strip()
    try:
        url = admin.rsplit("/", 1)[0] + "/jinlin_crash"
        subprocess.run([_pg_bin("psql"), "-qAt", "-d", _libpq(admin), "-c", "CREATE DATABASE jinlin_crash"],
                       check=True, capture_output=True)
        dump = subprocess.run([_pg_bin("pg_dump"), "--no-owner", "-d", _libpq(seeded_url)], check=True,
                              capture_output=True)
        subprocess.run([_pg_bin("psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", _libpq(url)], input=dump.stdout,
                       check=True, capture_output=True)
        yield url, cluster
    finally:
        subprocess.run(["bash", "scripts/pg_cluster.sh", "stop", str(cluster)], cwd=ROOT)
        shutil.rmtree(cluster, ignore_errors=True)


class Gunicorn:
    """The app as deployed: gunicorn with two workers on a free loopback port, started and stopped by the test."""

    def __init__(self, url: str, log: Path):
        from tests.browser.conftest import _free_port

        self.env = {**os.environ, "DATABASE_URL": url, "OPEN311_API_KEYS": f"12345热线:{CRASH_KEY}",
                    "TILE_PROVIDER": "none"}
        self.log, self.port = log, _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "a") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{self.port}",
                 "app:server"], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2):
                    return
            except OSError:
                assert self.proc.poll() is None and time.time() < deadline, self.log.read_text()[-3000:]
                time.sleep(0.3)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Every process of the server at once (SIGKILL: no worker finishes what it was doing)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)


class Hotline:
    """Writers filing cases through Open311 as fast as they are answered; what was acknowledged (201) is noted."""

    def __init__(self, server: Gunicorn, service_code: str, point):
        self.server, self.code, self.point = server, service_code, point
        self.acked: dict[str, str] = {}
        self.answers: Counter = Counter()  # non-201 answers: status codes, or "no connection"
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._write, args=(w,), daemon=True) for w in range(WRITERS)]

    def _write(self, writer: int) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            description = f"崩溃测试{writer}-{n}"
            data = urllib.parse.urlencode({"api_key": CRASH_KEY, "service_code": self.code, "lat": self.point.y,
                                           "long": self.point.x, "description": description}).encode()
            try:
                with urllib.request.urlopen(self.server.base + "/open311/v2/requests.json", data=data,
                                            timeout=30) as r:
                    self.acked[json.loads(r.read())[0]["service_request_id"]] = description
                    continue
            except urllib.error.HTTPError as err:
                self.answers[err.code] += 1
            except OSError:
                self.answers["no connection"] += 1
            time.sleep(0.05)

    def wait_for(self, n: int, within: float, what: str) -> None:
        deadline = time.time() + within
        while len(self.acked) < n:
            assert time.time() < deadline, f"{what}: {len(self.acked)} acknowledged, answers {dict(self.answers)}"
            time.sleep(0.05)


def test_no_acknowledged_case_is_lost_in_a_crash(seeded_url, tmp_path):
    """A hotline files cases through gunicorn; mid-stream the database dies without warning (PostgreSQL: an immediate
    stop, no checkpoint; SQLite: the app's processes, which hold the file, are killed). Once it is back, every case
    whose create was answered 201 is there. The fast test cluster loses some (synchronous_commit=off acknowledges a
    commit before its WAL is written): this runs on a durable cluster of its own."""
    from sqlalchemy import create_engine, select

    from db import models as m

    with _crashable_copy(seeded_url, tmp_path) as (url, cluster):
        engine = create_engine(url)
        with engine.connect() as conn:
            b = conn.execute(select(m.Building.geometry).where(m.Building.grid_code == "33038100100101").limit(1))
            point = b.scalar_one().representative_point()
        engine.dispose()
        server = Gunicorn(url, tmp_path / "gunicorn.log")
        server.start()
        try:
            with urllib.request.urlopen(f"{server.base}/open311/v2/services.json?api_key={CRASH_KEY}") as r:
                code = json.loads(r.read())[0]["service_code"]
            hotline = Hotline(server, code, point)
            for thread in hotline.threads:
                thread.start()
            try:
                hotline.wait_for(ACKED_BEFORE, 60, "before the crash")
                if cluster is not None:
                    subprocess.run(["bash", "scripts/pg_cluster.sh", "crash", str(cluster)], cwd=ROOT, check=True)
                    at_crash = len(hotline.acked)
                    time.sleep(1)
                    subprocess.run(["bash", "scripts/pg_cluster.sh", "resume", str(cluster)], cwd=ROOT, check=True)
                else:
                    server.kill()
                    at_crash = len(hotline.acked)
                    server.start()
                hotline.wait_for(at_crash + ACKED_AFTER, 60, "after the crash")
            finally:
                hotline.stop.set()
                for thread in hotline.threads:
                    thread.join(timeout=60)
        finally:
            server.kill(signal.SIGTERM)
        engine = create_engine(url)
        with engine.connect() as conn:
            stored = dict(conn.execute(select(m.Case.code, m.Case.description)
                                       .where(m.Case.description.like("崩溃测试%"))).all())
        engine.dispose()
    lost = {k: v for k, v in hotline.acked.items() if stored.get(k) != v}
    print(f"crash test ({BACKEND}): {len(hotline.acked)} cases acknowledged ({at_crash} before the crash), "
          f"{len(hotline.acked) - len(lost)} found after it, {len(lost)} lost; {len(stored)} stored in all; "
          f"other answers: {dict(hotline.answers)}")
    assert not lost, f"acknowledged but lost in the crash: {sorted(lost.items())}"
    # while the database is away the app says so (503); only the SQLite run has no server to answer for a moment
    expected = {503} if cluster is not None else {503, "no connection"}
    assert set(hotline.answers) <= expected, dict(hotline.answers)
