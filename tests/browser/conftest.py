"""Real headless Chromium against the real app started as `python app.py` on a free loopback port."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(seeded_url, tmp_path_factory):
    yield from serve(seeded_url, tmp_path_factory.mktemp("server") / "app.log")


def serve(database_url: str, log: Path):
    """`python app.py` on a free loopback port against `database_url`: yields the base URL, stops it afterwards."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port)}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
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
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

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
    pg.set_default_timeout(15_000)
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
