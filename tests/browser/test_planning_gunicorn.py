"""The planner's background run under gunicorn: a job started by one worker is polled and finished through others."""
from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest

from tests.browser.conftest import ROOT, _free_port
from tests.helpers import browser_login

WORKERS = 3


@pytest.fixture(scope="module")
def gunicorn_server(seeded_url, tmp_path_factory):
    import os

    port = _free_port()
    log = tmp_path_factory.mktemp("planning-gunicorn") / "gunicorn.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
                                 "app:server"], cwd=ROOT, env={**os.environ, "DATABASE_URL": seeded_url},
                                stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(log.read_text())
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=15)


def test_optimisation_finishes_under_several_workers(page, gunicorn_server):
    browser_login(page, gunicorn_server, "street")
    page.goto(gunicorn_server + "/planning/")
    page.wait_for_selector("#planning-coverage:has-text('老人覆盖率')")
    for k in (2, 3):  # twice: the second job must not be served the first one's result
        page.fill("#planning-k", str(k))
        page.click("#planning-run")
        page.wait_for_function(f"document.querySelectorAll('.plan-sites tbody tr').length === {k}")
        assert "新覆盖" in page.locator("#planning-new-line").inner_text()
