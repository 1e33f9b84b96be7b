"""What the two servers say about a request: secrets in URLs redacted from access logs, no version in `Server`.

A display token (/screen/?token=…) or an Open311 key (?api_key=…) in a log line is a credential anyone reading
the logs can use; the Referer of every request a kiosk's page makes carries its token too. gunicorn.conf.py uses
`RedactingGunicornLogger`, `python app.py` the `DevRequestHandler`; both go through `redact`.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

from werkzeug.serving import WSGIRequestHandler

SECRET_PARAMETERS = frozenset({"token", "api_key", "apikey", "key"})
REDACTED = "[redacted]"
# name=value inside a query (after ? & or ;); the value runs to the next separator, quote or space
_PARAMETER = re.compile(r"(?P<lead>[?&;])(?P<name>[^=&;#\s\"?]+)=(?P<value>[^&;#\s\"]*)")
SERVER_NAME = "jinlin"  # the Server header of the development server: no product version to look up exploits by


def redact(text: str) -> str:
    """`text` with the value of every secret query parameter replaced (names compared decoded and case-blind)."""
    if "=" not in text:
        return text

    def hide(match: re.Match) -> str:
        if unquote(match["name"]).strip().lower() not in SECRET_PARAMETERS:
            return match[0]
        return f"{match['lead']}{match['name']}={REDACTED}"

    return _PARAMETER.sub(hide, text)


class DevRequestHandler(WSGIRequestHandler):
    """The development server's handler (`python app.py`): redacted log lines, a Server header without versions."""

    def version_string(self) -> str:
        return SERVER_NAME

    def log(self, type: str, message: str, *args) -> None:
        super().log(type, message, *(redact(a) if isinstance(a, str) else a for a in args))


def gunicorn_logger_class():
    """gunicorn's Logger with every access-log atom (request line, query, Referer, headers) redacted.

    Built on demand so that importing this module never needs gunicorn (the development server does not).
    """
    from gunicorn.glogging import Logger

    class RedactingGunicornLogger(Logger):
        def atoms(self, resp, req, environ, request_time):
            found = super().atoms(resp, req, environ, request_time)
            return {name: redact(value) if isinstance(value, str) else value for name, value in found.items()}

    return RedactingGunicornLogger
