"""The planner's background run under gunicorn: a job started by one worker is polled and finished through others."""
from __future__ import annotations

import pytest

from tests.browser.conftest import serve
from tests.helpers import browser_login

pytestmark = pytest.mark.both_backends  # several workers share the job and the database

WORKERS = 3


@pytest.fixture(scope="module")
def gunicorn_server(seeded_url, tmp_path_factory):
    """gunicorn with several workers on this module's own copy of the seeded database."""
    from tests.conftest import copy_database, drop_database

    folder = tmp_path_factory.mktemp("planning-gunicorn")
    url = copy_database(seeded_url, folder, "gunicorn")
    yield from serve(url, folder / "gunicorn.log", ("-m", "gunicorn", "-w", str(WORKERS), "-b", "127.0.0.1:{port}",
                                                    "app:server"))
    drop_database(url)


def test_optimisation_finishes_under_several_workers(page, gunicorn_server):
    browser_login(page, gunicorn_server, "street")
    page.goto(gunicorn_server + "/planning/")
    page.wait_for_selector("#planning-coverage:has-text('老人覆盖率')")
    for k in (2, 3):  # twice: the second job must not be served the first one's result
        page.fill("#planning-k", str(k))
        page.click("#planning-run")
        page.wait_for_function(f"document.querySelectorAll('.plan-sites tbody tr').length === {k}")
        assert "新覆盖" in page.locator("#planning-new-line").inner_text()
