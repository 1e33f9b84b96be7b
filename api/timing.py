"""Server-Timing header on every response, so benchmarks and browsers see server time per callback."""
from __future__ import annotations

import time

from flask import Flask, g


def install(server: Flask) -> None:
    @server.before_request
    def _start_timer():
        g.request_started = time.perf_counter()

    @server.after_request
    def _add_server_timing(response):
        # no worker id or pid beside it: which process answered is the access log's business (gunicorn.conf.py)
        started = g.get("request_started")
        if started is not None:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response
