"""gunicorn's settings for Jinlin: `gunicorn -c gunicorn.conf.py -w 4 -b 127.0.0.1:8050 app:server` (README).

Request-line and header limits refuse oversized requests before the app sees them (the body limit is the app's:
JINLIN_MAX_BODY_KB); the access log goes to stdout with secrets in URLs redacted (api/serving.py).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api.serving import gunicorn_logger_class  # noqa: E402  (the project's folder is on the path only now)

limit_request_line = 4094  # bytes of "GET /path?query HTTP/1.1": ten times the longest URL the app makes (414 beyond)
limit_request_fields = 50  # headers per request: a browser sends about 15 (431 beyond)
limit_request_field_size = 8190  # bytes of one header: the session cookie is well under 1 KB
timeout = 120  # seconds a worker may stay silent: the longest request is an import commit on /admin/import/
graceful_timeout = 30
keepalive = 2

accesslog = "-"
# the usual combined format, plus the time taken and which worker answered (no response header says so)
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms pid=%(p)s'
logger_class = gunicorn_logger_class()
