"""近邻一张图: a Dash app per row of PAGES on one Flask server (`server` for gunicorn; `python app.py` runs it)."""
from __future__ import annotations

import gc
import logging
from functools import partial
from html import escape
from pathlib import Path

from dash import Dash
from flask import Flask, has_request_context

import settings
from api import auth, bundles, escalation, open311, routes, serving, timing
from api.cli import cli
from api.cli_import import cli_import
from api.cli_osm import cli_osm
from callbacks import admin as admin_callbacks, cases as cases_callbacks, errors, map as map_callbacks
from callbacks import planning as planning_callbacks
from callbacks import public as public_callbacks
from callbacks import screen as screen_callbacks, wishes as wishes_callbacks
from callbacks import importing as import_callbacks
from callbacks.viewer import current_account
from layouts import admin_ids, admin_page, cases_ids, cases_page, chrome, ids, map_page, public_ids, public_page
from layouts import planning_ids, planning_page, screen_ids, screen_page, text, wishes_ids, wishes_page
from layouts import import_ids, import_page
from layouts.pages import ADMINS, ANYONE, SCREENS, STAFF, Page

config = settings.load()
ASSETS = Path(__file__).resolve().parent / "assets"
TILES = {"tile_provider": config.tile_provider, "tianditu_key": config.tianditu_key}
STYLE = ("/assets/style.css",)
GRID = ("dash_ag_grid",)

# Every page, in the order of the staff top bar. A row is the whole of what the server knows about a page: the
# login boundary (api/auth.py), the top bar's links, the bare-path redirect, its assets and its bundles follow.
PAGES = (
    Page("/", text.APP_TITLE, STAFF, ids, partial(map_page.build_page, **TILES),
         partial(map_callbacks.register, tile_provider=config.tile_provider), assets=None, nav=text.NAV_MAP,
         heading=text.APP_SUBTITLE, uploads=map_page.UPLOAD_LIMIT,  # the building panel's intake form comes and goes:
         options={"suppress_callback_exceptions": True}),
    # the case list: filters, export, bulk dispatch and the actions on one case
    Page("/cases/", text.CASES_TITLE, STAFF, cases_ids, cases_page.build_page, cases_callbacks.register,
         assets="cases", nav=text.NAV_CASES, stylesheets=STYLE, needs=GRID, uploads=cases_page.UPLOAD_LIMIT,
         options={"suppress_callback_exceptions": True}),
    # 微心愿: published, claimed, done (it shares the case list's stylesheet folder)
    Page("/wishes/", text.WISHES_TITLE, STAFF, wishes_ids, wishes_page.build_page, wishes_callbacks.register,
         assets="cases", nav=text.NAV_WISHES, stylesheets=STYLE, needs=GRID,
         options={"suppress_callback_exceptions": True}),
    # 资源下沉规划: walking coverage, optimised new sites, what-if and scenarios (standards edited by admins)
    Page("/planning/", text.PLANNING_TITLE, STAFF, planning_ids, planning_page.build_page,
         planning_callbacks.register, assets="planning", nav=text.PLANNING_NAV, stylesheets=STYLE,
         scripts=("/assets/jinlin.js",),
         options={"background_callback_manager": planning_callbacks.background_manager()}),
    # the big screen: dark, read-only, opened by a staff session or a kiosk's display token
    Page("/screen/", text.APP_TITLE, SCREENS, screen_ids, screen_page.build_page, screen_callbacks.register,
         assets="screen", nav=text.NAV_SCREEN, staff_chrome=False, token=True,
         scripts=("/assets/vendor/plotly-basic.min.js", "/assets/jinlin.js")),
    # the residents' map: its own app and assets, so an anonymous visitor's callbacks and files never touch the
    # staff app (DESIGN §7)
    Page("/public/", text.PUBLIC_TITLE, ANYONE, public_ids, public_page.build_page, public_callbacks.register,
         assets="public", nav=text.NAV_PUBLIC, staff_chrome=False, embeddable=True,
         options={"meta_tags": [{"name": "viewport", "content": "width=device-width, initial-scale=1"}]}),
    # accounts, display tokens and deadlines
    Page("/admin/", text.ADMIN_TITLE, ADMINS, admin_ids, admin_page.build_page, admin_callbacks.register,
         assets="admin", nav=text.NAV_ADMIN, stylesheets=STYLE, needs=GRID),
    # importing real files (issue 7)
    Page("/admin/import/", text.IMPORT_TITLE, ADMINS, import_ids, partial(import_page.build_page, **TILES),
         import_callbacks.register, assets="import", nav=text.IMPORT_NAV, uploads=import_page.UPLOAD_LIMIT,
         stylesheets=STYLE + ("/admin/assets/admin.css",)),
)

server = Flask(__name__)


def staff_layout(page: Page):
    """The page as the person asking sees it: the top bar's links and name come from the server's session."""
    def layout():
        # Dash also calls this once outside any request, to check the ids of the layout
        account = current_account() if has_request_context() else None
        if account is None:
            return page.build(chrome.top_bar(page, (), None, None))
        reachable = [p for p in PAGES if auth.may_open(p, account.role)]
        return page.build(chrome.top_bar(page, reachable, account.display_name, account.role))
    return layout


def page_app(page: Page) -> Dash:
    """One Dash app on the shared server under the page's path, with its own assets and outage banner."""
    dash_app = Dash(__name__, server=server, url_base_pathname=page.path, title=page.title, update_title=None,
                    compress=True, serve_locally=True,
                    assets_folder=str(ASSETS / page.assets) if page.assets else str(ASSETS),
                    # the top-level files are the staff map's; every folder belongs to a page or is vendored
                    assets_path_ignore=[] if page.assets else [".+"],
                    external_scripts=list(page.scripts), external_stylesheets=list(page.stylesheets),
                    on_error=errors.error_handler(page.ids.ALERT, page.ids.DB_POLL), **page.options)
    # the page's language, and the zone its scripts show times in (the browser's own zone may be any)
    dash_app.index_string = dash_app.index_string.replace(
        "<html>", f'<html lang="zh-CN" data-time-zone="{escape(config.time_zone)}">', 1)
    dash_app.layout = staff_layout(page) if page.staff_chrome else page.build()
    page.register(dash_app)
    errors.register(dash_app, page.ids.ALERT, page.ids.DB_POLL, page.ids.RETRY)
    bundles.slim(dash_app, *page.omitted)
    return dash_app


apps = {page.path: page_app(page) for page in PAGES}
app = apps["/"]  # the staff map (`app.run` below)

server.secret_key = config.secret_key
server.json.ensure_ascii = False  # Chinese names stay readable in the JSON API
auth.install(server, config.secure_cookies, PAGES, config.max_body)
auth.trust_proxies(server, config.proxies)
server.register_blueprint(routes.bp)
routes.redirect_bare_paths(server, PAGES)
bundles.serve_icon(server)
server.register_blueprint(open311.bp)
server.config["OPEN311_KEYS"] = config.open311_keys
server.register_blueprint(cli)
server.register_blueprint(cli_import)
server.register_blueprint(cli_osm)
timing.install(server)
escalation.install(server, config.escalate_every_s)  # a thread per process, from its first request on

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
    app.run(host="127.0.0.1", port=config.port, debug=config.debug, dev_tools_disable_version_check=True,
            request_handler=serving.DevRequestHandler)
