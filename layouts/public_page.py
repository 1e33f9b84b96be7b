"""The residents' page: public service points only, phone first. No personal data ever reaches it."""
from __future__ import annotations

from urllib.parse import quote

import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from geodata import crs

from layouts import public_ids as ids, text
from layouts.chrome import outage_parts
from layouts.map_page import DEFAULT_CENTER, SERVICE_GLYPH, SERVICE_LOOK
from workflow.vocab import PUBLIC_SERVICE_TYPES

ns = Namespace("jinlinPublic", "map")
PUBLIC_TYPES = list(PUBLIC_SERVICE_TYPES)
WALK_M_PER_MIN = 75  # ≈4.5 km/h; GB 50180 life circles assume about this pace
DETOUR = 1.25  # street grids make a walk about a quarter longer than the straight line
MAX_QUERY = 40  # characters of the search box (its maxLength; the server cuts what a client sends beyond it)


def points_hideout(types: list[str] | tuple = (), codes: list[str] | None = None, selected: str | None = None) -> dict:
    """What the points layer's filter and style functions read (assets/public/*.js): built whole every time.
    `codes`: the points a search found (callbacks/public.py), None when nothing is searched for."""
    return {"types": list(types), "codes": codes, "selected": selected, **SERVICE_LOOK, "labels": text.PUBLIC_POPUP}


def build_page() -> html.Div:
    return html.Div(className="pub", children=[
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.LOCATION),
        dcc.Store(id=ids.LOCATE_WORDS, data=text.PUBLIC_LOCATE_WORDS),  # geolocation answers in the browser
        *outage_parts(ids),
        html.Header(className="pub-head", children=[
            html.H1(text.PUBLIC_TITLE), html.P(text.PUBLIC_SUBTITLE),
            html.Span(text.PUBLIC_DEMO_NOTE, id=ids.DEMO_NOTE, className="pub-demo", hidden=True),  # demo only
        ]),
        html.Div(className="pub-controls", children=[
            dcc.Input(id=ids.SEARCH, type="search", placeholder=text.PUBLIC_SEARCH, debounce=True,
                      className="pub-search", maxLength=MAX_QUERY),
            dcc.Checklist(id=ids.TYPES, className="pub-types", inline=True, value=[],
                          options=[{"label": t, "value": t} for t in PUBLIC_TYPES]),
            html.Div(className="pub-locate-row", children=[
                html.Button(text.PUBLIC_LOCATE, id=ids.LOCATE, className="pub-locate", n_clicks=0),
                html.Span(text.PUBLIC_TAP_HINT, id=ids.LOCATE_STATUS, className="pub-hint"),
            ]),
        ]),
        dl.Map(id=ids.MAP, center=DEFAULT_CENTER, zoom=14, minZoom=10, maxZoom=19, className="pub-map",
               attributionControl=False, children=[
                   dl.GeoJSON(id=ids.ROADS, url="/api/public/basemap.geojson", style=ns("road"),
                              interactive=False),
                   dl.GeoJSON(id=ids.POINTS, url="/api/public/service-points.geojson",
                              pointToLayer=ns("point"), filter=ns("filter"),
                              hideout=points_hideout()),
                   dl.LayerGroup(id=ids.ME),
               ]),
        html.Div(id=ids.COUNT, className="pub-count"),
        html.Ul(id=ids.LIST, className="pub-list"),
        # what the share link says once it has copied (or could not): the words for assets/public/public.js
        html.Div(id=ids.SHARE_STATUS, className="pub-toast", role="status", hidden=True,
                 **{"data-copied": text.PUBLIC_SHARE_COPIED, "data-failed": text.PUBLIC_SHARE_FAILED}),
        html.Footer(className="pub-foot", children=[html.A(text.PUBLIC_STAFF_LINK, href="/login")]),
    ])


def navigation_links(p: dict) -> list[tuple[str, str]]:
    """(label, href) that hand a point to a phone's map app for the way there: 高德 (GCJ-02), 百度 (BD-09) and any
    other app through a geo: URI (WGS-84, RFC 5870); each carries the name. Links only: nothing loads from outside
    until a person taps one."""
    lon, lat = p["lon"], p["lat"]
    g_lon, g_lat = crs.shifted(lon, lat, "gcj02")
    b_lon, b_lat = crs.shifted(lon, lat, "bd09")
    name = quote(p["name"])
    return [
        (text.PUBLIC_NAV_AMAP, f"https://uri.amap.com/marker?position={g_lon:.6f},{g_lat:.6f}&name={name}"
                               f"&src=jinlin&coordinate=gaode&callnative=1"),
        (text.PUBLIC_NAV_BAIDU, f"https://api.map.baidu.com/marker?location={b_lat:.6f},{b_lon:.6f}&title={name}"
                                f"&content={quote(p.get('address') or '')}&output=html&coord_type=bd09ll&src=jinlin"),
        (text.PUBLIC_NAV_OTHER, f"geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}({name})"),
    ]


def walk_text(metres: float) -> str:
    walk = metres * DETOUR
    return text.PUBLIC_WALK.format(minutes=max(1, round(walk / WALK_M_PER_MIN)), metres=int(round(walk, -1)))


def build_list(points: list[dict], selected: str | None) -> list:
    items = []
    for p in points:
        rows = [html.Div([html.Span(text.PUBLIC_HOURS, className="k"), p["hours"]], className="pub-row")]
        if p.get("address"):
            rows.append(html.Div([html.Span(text.PUBLIC_ADDRESS, className="k"), p["address"]], className="pub-row"))
        if p.get("phone"):
            rows.append(html.Div([html.Span(text.PUBLIC_PHONE, className="k"),
                                  html.A(p["phone"], href=f"tel:{p['phone']}")], className="pub-row"))
        if p.get("capacity"):
            rows.append(html.Div(text.PUBLIC_CAPACITY.format(n=p["capacity"]), className="pub-row muted"))
        if p.get("distance_m") is not None:
            rows.append(html.Div(walk_text(p["distance_m"]), className="pub-walk"))
        items.append(html.Li(className="pub-item" + (" selected" if p["code"] == selected else ""), children=[
            html.Div(className="pub-item-head", children=[
                html.I(SERVICE_GLYPH.get(p["type"], "·"), className="pub-glyph", **{"data-type": p["type"]}),
                html.Div([html.B(p["name"]), html.Div(p["type"], className="muted")]),
            ]),
            *rows,
            html.Div(className="pub-actions", children=[
                html.Span(text.PUBLIC_NAV, className="k"),
                *[html.A(label, href=href, className="pub-nav", target="_blank", rel="noopener")
                  for label, href in navigation_links(p)],
                # the address changes to the point (a shared link), and assets/public/public.js copies or shares it
                dcc.Link(text.PUBLIC_SHARE, href=f"/public/?point={p['code']}", className="pub-share", refresh=False,
                         title=p["name"]),
            ]),
        ]))
    return items
