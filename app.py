"""近邻一张图: the one Dash app and its Flask server (`server` for gunicorn, `python app.py` to run)."""
from __future__ import annotations

import logging

from dash import Dash

import settings
from api import auth, timing
from api.cli import cli
from api.routes import bp
from callbacks import errors, map as map_callbacks
from layouts import map_page, text

config = settings.load()
app = Dash(__name__, title=text.APP_TITLE, update_title=None, compress=True, serve_locally=True,
           on_error=errors.on_callback_error)
app.layout = map_page.build_page(config.tile_provider, config.tianditu_key)
map_callbacks.register(app, config.tile_provider)
errors.register(app)
server = app.server
server.secret_key = config.secret_key
server.json.ensure_ascii = False  # Chinese names stay readable in the JSON API
auth.install(server, config.secure_cookies)
server.register_blueprint(bp)
server.register_blueprint(cli)
timing.install(server)

if __name__ == "__main__":
    from db.bootstrap import prepare

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    prepare(seed_if_empty=True)
    app.run(host="127.0.0.1", port=config.port, debug=config.debug, dev_tools_disable_version_check=True)
