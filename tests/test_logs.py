"""Secrets in URLs never reach a log (issue 14 class 13): display tokens and Open311 keys are redacted in the
development server's log as in gunicorn's (tests/test_serving.py reads that one back); no version in `Server`."""
from __future__ import annotations

import logging
import threading
import urllib.request

import pytest
from werkzeug.serving import make_server

from api.serving import REDACTED, DevRequestHandler, redact

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it

TOKEN = "demo-screen-token-2026"
KEY = "open311-key-0123456789abcdef"


@pytest.mark.parametrize("line, kept", [
    (f'"GET /screen/?token={TOKEN} HTTP/1.1" 200', '"GET /screen/?token=[redacted] HTTP/1.1" 200'),
    (f"/screen/?area=330381001&token={TOKEN}&refresh=30", "/screen/?area=330381001&token=[redacted]&refresh=30"),
    (f"/open311/v2/requests.json?api_key={KEY}&status=open", "/open311/v2/requests.json?api_key=[redacted]&status=open"),
    (f"/open311/v2/services.json?API_KEY={KEY}", "/open311/v2/services.json?API_KEY=[redacted]"),
    (f"/open311/v2/services.json?api%5Fkey={KEY}", "/open311/v2/services.json?api%5Fkey=[redacted]"),
    (f'"http://host/screen/?token={TOKEN}"', '"http://host/screen/?token=[redacted]"'),
    ("/cases/?area=330381001&status=open", "/cases/?area=330381001&status=open"),
    ("/screen/?tokenish=1&mytoken=2", "/screen/?tokenish=1&mytoken=2"),
])
def test_redact_hides_secret_parameters_only(line, kept):
    assert redact(line) == kept


@pytest.fixture()
def dev_server():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    server = make_server("127.0.0.1", 0, app, request_handler=DevRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def test_dev_server_log_and_headers(dev_server, caplog):
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        for path in (f"/screen/?token={TOKEN}", f"/open311/v2/services.json?api_key={KEY}"):
            with urllib.request.urlopen(dev_server + path, timeout=10) as r:
                assert r.status == 200
                server_header = r.headers["Server"]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged.count(REDACTED) == 2, logged
    assert TOKEN not in logged and KEY not in logged
    assert server_header == "jinlin"


def test_app_run_uses_the_redacting_handler():
    """`python app.py` serves through DevRequestHandler (the only place the development server is started)."""
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).resolve().parent.parent / "app.py").read_text(encoding="utf-8"))
    runs = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "run"]
    assert len(runs) == 1
    handler = next(k.value for k in runs[0].keywords if k.arg == "request_handler")
    assert ast.unparse(handler) == "serving.DevRequestHandler"
