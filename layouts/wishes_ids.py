"""Component ids of the 微心愿 page (/wishes/)."""

URL = "wishes-url"
AREA = "wishes-area"
STATUS = "wishes-status"
COUNT = "wishes-count"
GRID = "wishes-grid"
DETAIL = "wishes-detail"
SELECTED = "wishes-selected"
CHANGED = "wishes-changed"
NEW_TOGGLE = "wishes-new-toggle"
NEW_PANEL = "wishes-new-panel"
NEW_BUILDING = "wishes-new-building"
NEW_TITLE = "wishes-new-title"
NEW_DESCRIPTION = "wishes-new-description"
NEW_WISHER = "wishes-new-wisher"
NEW_PHONE = "wishes-new-phone"
NEW_SUBMIT = "wishes-new-submit"
NEW_MESSAGE = "wishes-new-message"
NEW_TOKEN = "wishes-new-token"  # the form's one-time token: the server publishes one wish per token
CLAIMANT = "wishes-claimant"
CLAIMANT_KIND = "wishes-claimant-kind"
NOTE = "wishes-note"
ACTION_MESSAGE = "wishes-action-message"
ALERT = "wishes-alert"
DB_POLL = "wishes-db-poll"
RETRY = "wishes-retry"


def action_button(action: str) -> dict:
    return {"type": "wishes-action-button", "action": action}
