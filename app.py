"""近邻一张图: the one Dash app and its Flask server (`server` for gunicorn, `python app.py` to run)."""
from __future__ import annotations

import gc
import logging
from pathlib import Path

from dash import Dash

import settings
from api import auth, bundles, open311, timing
from api.cli import cli
from api.cli_import import cli_import
from api.cli_osm import cli_osm
from api.routes import bp
from callbacks import admin as admin_callbacks, cases as cases_callbacks, errors, map as map_callbacks
from callbacks import planning as planning_callbacks
from callbacks import public as public_callbacks
from callbacks import screen as screen_callbacks, wishes as wishes_callbacks
from callbacks import importing as import_callbacks
from layouts import admin_ids, admin_page, cases_ids, cases_page, ids, map_page, public_ids, public_page
from layouts import planning_ids, planning_page, screen_ids, screen_page, text, wishes_ids, wishes_page
from layouts import import_ids, import_page

config = settings.load()
ASSETS = Path(__file__).resolve().parent / "assets"

app = Dash(__name__, title=text.APP_TITLE, update_title=None, compress=True, serve_locally=True,
           suppress_callback_exceptions=True,  # the building panel's intake form exists only at building level
           assets_folder=str(ASSETS),
           assets_ignore=r"^(public|screen|admin|cases|import|planning|plotly|regenerator)",
           on_error=errors.error_handler(ids.ALERT, ids.DB_POLL))
app.layout = map_page.build_page(config.tile_provider, config.tianditu_key)
map_callbacks.register(app, config.tile_provider)
errors.register(app, ids.ALERT, ids.DB_POLL, ids.RETRY)
server = app.server


def page_app(path: str, title: str, folder: str, page_ids, layout, register, **options) -> Dash:
    """One more Dash app on the same server under `path`, with its own assets and its own outage banner."""
    page = Dash(__name__, server=server, url_base_pathname=path, title=title, update_title=None, compress=True,
                serve_locally=True, assets_folder=str(ASSETS / folder),
                on_error=errors.error_handler(page_ids.ALERT, page_ids.DB_POLL), **options)
    page.layout = layout
    register(page)
    errors.register(page, page_ids.ALERT, page_ids.DB_POLL, page_ids.RETRY)
    return page


# The residents' app: its own Dash app with its own assets, so an anonymous visitor's callbacks and files never
# touch the staff app (DESIGN §7).
public_app = page_app("/public/", text.PUBLIC_TITLE, "public", public_ids, public_page.build_page(),
                      public_callbacks.register,
                      meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}])
# The big screen: dark, read-only, opened by a staff session or a kiosk's display token.
screen_app = page_app("/screen/", text.APP_TITLE, "screen", screen_ids, screen_page.build_page(),
                      screen_callbacks.register,
                      external_scripts=["/assets/vendor/plotly-basic.min.js", "/assets/jinlin.js"])
# The case list: filters, export, bulk dispatch and the actions on one case.
cases_app = page_app("/cases/", text.CASES_TITLE, "cases", cases_ids, cases_page.build_page(),
                     cases_callbacks.register, external_stylesheets=["/assets/style.css"],
                     suppress_callback_exceptions=True)
# 微心愿: published, claimed, done (its page shares the case list's stylesheet folder).
wishes_app = page_app("/wishes/", text.WISHES_TITLE, "cases", wishes_ids, wishes_page.build_page(),
                      wishes_callbacks.register, external_stylesheets=["/assets/style.css"],
                      suppress_callback_exceptions=True)
# Accounts and display tokens: admins only (api/auth.py refuses everyone else under /admin/).
admin_app = page_app("/admin/", text.ADMIN_TITLE, "admin", admin_ids, admin_page.build_page(),
                     admin_callbacks.register, external_stylesheets=["/assets/style.css"])

# Importing real files (issue 7): admins only, like everything under /admin/ (api/auth.py).
import_app = page_app("/admin/import/", text.IMPORT_TITLE, "import", import_ids,
                      import_page.build_page(config.tile_provider, config.tianditu_key),
                      import_callbacks.register, external_stylesheets=["/assets/style.css", "/admin/assets/admin.css"])
# 资源下沉规划: walking coverage, optimised new sites, what-if and scenarios (staff; standards edited by admins).
planning_app = page_app("/planning/", text.PLANNING_TITLE, "planning", planning_ids, planning_page.build_page(),
                        planning_callbacks.register, external_stylesheets=["/assets/style.css"],
                        external_scripts=["/assets/jinlin.js"],
                        background_callback_manager=planning_callbacks.background_manager())

# AG Grid (~360 KB gzipped) serves /cases/ and /admin/ only; the Dash table serves nobody; dash_extensions is
# used from Python only (Namespace), its components never render.
for light_app in (app, public_app, screen_app, planning_app, import_app):
    bundles.slim(light_app, "dash_ag_grid", "dash/dash_table", "dash_extensions")
for grid_app in (cases_app, wishes_app, admin_app):
    bundles.slim(grid_app, "dash/dash_table", "dash_extensions")

server.secret_key = config.secret_key
server.json.ensure_ascii = False  # Chinese names stay readable in the JSON API
auth.install(server, config.secure_cookies)
server.register_blueprint(bp)
bundles.serve_icon(server)
server.register_blueprint(open311.bp)
server.config["OPEN311_KEYS"] = config.open311_keys
server.register_blueprint(cli)
server.register_blueprint(cli_import)
server.register_blueprint(cli_osm)
timing.install(server)

# What exists now (Dash, the layouts, pandas, …: ~350k objects) lives as long as the process. Frozen, it is left
# out of the cyclic collector's full passes, which otherwise rescan it all (~200 ms on a small box) in the middle
# of whichever request happens to trigger one.
gc.collect()
gc.freeze()

if __name__ == "__main__":
    from db.bootstrap import demo_banner, prepare

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    prepare(seed_if_empty=True)
    banner = demo_banner()
    if banner:
        print(banner, flush=True)
    app.run(host="127.0.0.1", port=config.port, debug=config.debug, dev_tools_disable_version_check=True)
