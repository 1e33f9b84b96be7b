"""Every component id of the staff pages, in one place."""

URL = "url"

MAP = "map-main"
MAP_LAYERS = "map-layers-control"
MAP_BASEMAP = "map-basemap"
MAP_DRILL = "map-drill"            # clickable polygons of the next level down
MAP_CONTEXT = "map-context"        # outlines for orientation, not clickable
MAP_GRIDS = "map-grids"
MAP_CASES = "map-cases"
MAP_SERVICES = "map-services"
MAP_POSTS = "map-posts"
MAP_GAPS = "map-gaps"
MAP_WISHES = "map-wishes"
MAP_LEGEND = "map-legend"
MAP_ERROR = "map-error"
GAP_TYPE = "map-gap-type"
GAPS_WANTED = "map-gaps-wanted"       # {search, type} while the gap overlay is on, else None
GAPS_LABEL = "map-gaps-label"         # the overlay's name, for the browser to recognise it

BREADCRUMB = "area-breadcrumb"
PANEL = "area-panel"
PANEL_AREA = "area-panel-code"     # the area whose panel head is shown; its details load after it
PANEL_DETAILS = "area-panel-details"
MAP_AREA = "map-area-code"          # the area whose layers the map last received
PANEL_READY = "area-panel-ready"    # the area once both its panel head and its map are in: its details load then

ALERT = "app-alert"                # banner for outages and unexpected errors
DB_POLL = "app-db-poll"            # interval that checks the database while it is away
RETRY = "app-retry"                # bumped when the database is back: views render again
DEMO_BADGE = "demo-badge"         # 演示数据: shown only while the database holds the generated demo
INTAKE_CATEGORY = "intake-category"
INTAKE_SOURCE = "intake-source"
INTAKE_DESCRIPTION = "intake-description"
INTAKE_REPORTER = "intake-reporter"
INTAKE_PHONE = "intake-phone"
INTAKE_SUBMIT = "intake-submit"
INTAKE_MESSAGE = "intake-message"
INTAKE_FLASH = "intake-flash"     # the last intake's message, kept across the panel's re-render
INTAKE_TOKEN = "intake-token"     # the form's one-time token: the server files one case per token

PICK_BUTTON = "map-pick"              # 地图选点登记: the next map click picks the spot of a new case
PICK_MODE = "map-pick-mode"
PICK_CLICK = "map-pick-click"         # the map click that picks the spot: {lat, lng, n} (display coordinates)
MAP_PICKED = "map-picked"             # the picked spot, drawn on the map
INTAKE_POINT = "intake-point"         # {lon, lat} in WGS-84 of the picked spot, or None
INTAKE_PHOTO = "intake-photo"
INTAKE_PHOTO_NAME = "intake-photo-name"
INTAKE_SIMILAR = "intake-similar"
SPOT_CANCEL = "spot-cancel"
RATES_DAYS = "rates-days"             # the period of the 三率 on the panel, kept across drills
RATES_PERIOD = "rates-period"         # its radio buttons inside the panel


def intake_merge(code: str) -> dict:
    return {"type": "intake-merge", "code": code}
