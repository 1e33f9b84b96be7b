"""Real headless Chromium against the real app started as `python app.py` on a free loopback port."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
# How long a wait on the page's state may last before the test fails. Waits are on state, never on time, so an idle
# box never comes near it; on a busy 2-core box a cold callback behind a write can take well over 15 s.
WAIT_MS = 30_000
SERVERS: dict[str, subprocess.Popen] = {}  # base URL → the running server's process, for tests that watch its jobs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def shared_server(seeded_url, tmp_path_factory):
    """One server on the seeded database for the modules marked `shares_server` (they only read)."""
    yield from serve(seeded_url, tmp_path_factory.mktemp("server") / "app.log")


@pytest.fixture(scope="module")
def live_server(request, seeded_url, tmp_path_factory):
    """The app a module's tests click through: by default its own server on its own copy of the seeded database,
    so what one module writes (cases, standards, jobs, accounts) never meets another's tests. The test process's own
    reads and writes (`session`, `session_scope`) go to the same copy for the module's duration."""
    if request.node.get_closest_marker("shares_server"):
        yield request.getfixturevalue("shared_server")
        return
    yield from own_server(seeded_url, tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]))


def own_server(seeded_url: str, folder: Path):
    """`python app.py` on a fresh copy of the seeded database, with DATABASE_URL pointing at it meanwhile."""
    from db.engine import get_engine
    from tests.conftest import copy_database, drop_database

    url = copy_database(seeded_url, folder, "module")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        try:
            yield from serve(url, folder / "app.log")
        finally:
            get_engine().dispose()  # this process's connections to the copy, before it goes
    drop_database(url)


def serve(database_url: str, log: Path, command: tuple[str, ...] = ("app.py",)):
    """`python app.py` (or `python <command>` with {port} filled in) on a free loopback port against `database_url`:
    yields the base URL once /healthz answers, stops it afterwards."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port)}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, *(c.format(port=port) for c in command)], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError(f"app did not start:\n{log.read_text()}")
        time.sleep(0.3)
    SERVERS[base] = proc
    try:
        yield base
    finally:
        del SERVERS[base]
        # a background job still running (a planning run nobody cancelled) would outlive the server and eat the CPU
        # the next module's tests need
        jobs = psutil.Process(proc.pid).children(recursive=True)
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        for job in jobs:
            with contextlib.suppress(psutil.NoSuchProcess):
                job.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)  # expect(...) waits like the pages do (its own default is 5 s)

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test.sh, which installs Debian chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageProbe:
    """Collects what must never happen in a test: console errors, page errors, requests off this machine."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda err: self.errors.append(str(err)))
        page.on("request", self._request)

    def _request(self, request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:")):
            return
        if host not in ("127.0.0.1", "localhost"):
            self.foreign.append(request.url)


@pytest.fixture()
def page(browser, request):
    width, height = getattr(request, "param", (1920, 1080))
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(WAIT_MS)
    probe = PageProbe(pg)
    pg.probe = probe
    yield pg
    context.close()
    assert probe.errors == [], f"browser console errors: {probe.errors}"
    assert probe.foreign == [], f"requests left 127.0.0.1: {probe.foreign}"


@pytest.fixture()
def staff(page, live_server):
    """A page logged in through the login form as the demo admin."""
    return login_form(page, live_server)


def login_form(page, base: str, username: str = "admin"):
    """Log `page` in through the login form of the server at `base` as a demo account."""
    from tests.helpers import PASSWORDS

    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    return page
