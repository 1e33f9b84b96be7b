"""近邻一张图: the one Dash app and its Flask server (`server` for gunicorn, `python app.py` to run)."""
from __future__ import annotations

import logging
from pathlib import Path

from dash import Dash

import settings
from api import auth, timing
from api.cli import cli
from api.routes import bp
from callbacks import errors, map as map_callbacks, public as public_callbacks, screen as screen_callbacks
from layouts import map_page, public_page, screen_page, text

config = settings.load()
ASSETS = Path(__file__).resolve().parent / "assets"

app = Dash(__name__, title=text.APP_TITLE, update_title=None, compress=True, serve_locally=True,
           assets_folder=str(ASSETS), assets_ignore=r"^(public|screen)", on_error=errors.on_callback_error)
app.layout = map_page.build_page(config.tile_provider, config.tianditu_key)
map_callbacks.register(app, config.tile_provider)
errors.register(app)
server = app.server

# The residents' app: its own Dash app under /public/ with its own assets, so an anonymous visitor's
# callbacks and files never touch the staff app (DESIGN §7).
public_app = Dash(__name__, server=server, url_base_pathname="/public/", title=text.PUBLIC_TITLE,
                  update_title=None, compress=True, serve_locally=True, assets_folder=str(ASSETS / "public"),
                  meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}])
public_app.layout = public_page.build_page()
public_callbacks.register(public_app)

# The big screen: dark, read-only, opened by a staff session or a kiosk's display token.
screen_app = Dash(__name__, server=server, url_base_pathname="/screen/", title=text.APP_TITLE, update_title=None,
                  compress=True, serve_locally=True, assets_folder=str(ASSETS / "screen"),
                  external_scripts=["/assets/vendor/plotly-basic.min.js", "/assets/jinlin.js"],
                  on_error=errors.on_callback_error)
screen_app.layout = screen_page.build_page()
screen_callbacks.register(screen_app)
server.secret_key = config.secret_key
server.json.ensure_ascii = False  # Chinese names stay readable in the JSON API
auth.install(server, config.secure_cookies)
server.register_blueprint(bp)
server.register_blueprint(cli)
timing.install(server)

if __name__ == "__main__":
    from db.bootstrap import demo_banner, prepare

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    prepare(seed_if_empty=True)
    banner = demo_banner()
    if banner:
        print(banner, flush=True)
    app.run(host="127.0.0.1", port=config.port, debug=config.debug, dev_tools_disable_version_check=True)
