"""Component ids of the admin import page."""

URL = "import-url"
UPLOAD = "import-upload"
UPLOAD_BOX = "import-upload-box"  # carries the size limit for the browser-side check
FILE_INFO = "import-file-info"
KIND = "import-kind"
CRS = "import-crs"
CRS_HINT = "import-crs-hint"
STREET = "import-street"
STREET_NAME = "import-street-name"
STREET_ROW = "import-street-row"
MAPPING = "import-mapping"
PREVIEW = "import-preview"
COMMIT = "import-commit"
PROGRESS = "import-progress"
MESSAGE = "import-message"
SUMMARY = "import-summary"
PROBLEMS = "import-problems"
MAP = "import-map"
PREVIEW_LAYER = "import-preview-layer"
CONTEXT_LAYER = "import-context-layer"  # the streets and communities already stored, for orientation
CRS_LAYER = "import-crs-layer"  # a file's shapes read as WGS-84 and as GCJ-02, while its CRS is an open question
FILE_STORE = "import-file-store"
PLAN_STORE = "import-plan-store"
EXPORT_LAYER = "import-export-layer"
EXPORT_FORMAT = "import-export-format"
EXPORT = "import-export"
DOWNLOAD = "import-download"
ALERT = "import-alert"
DB_POLL = "import-db-poll"
RETRY = "import-retry"


def mapping_field(field: str) -> dict:
    """One dropdown per field of ours: which source column fills it."""
    return {"type": "import-map", "field": field}


# --- issue 12: the guided setup of a street and the list of import batches ---
SETUP_STREET = "import-setup-street"
SETUP_CHECKLIST = "import-setup-checklist"
SETUP_NEXT = "import-setup-next"
SETUP_WARNINGS = "import-setup-warnings"
SETUP_REFRESH = "import-setup-refresh"  # bumped after a boundary is saved or a batch undone: lists read again
DRAW_MAP = "import-draw-map"
DRAW_GROUP = "import-draw-group"
DRAW_CONTROL = "import-draw-control"
DRAW_CONTEXT = "import-draw-context"  # the chosen street and its communities, to draw against
DRAW_TARGET = "import-draw-target"
DRAW_CODE = "import-draw-code"
DRAW_NAME = "import-draw-name"
DRAW_COMMUNITY = "import-draw-community"
DRAW_SAVE = "import-draw-save"
DRAW_MESSAGE = "import-draw-message"
DRAW_STATUS = "import-draw-status"  # what is drawn now: one polygon of so many km², or what is wrong with it
BATCHES = "import-batches"
BATCH_CONFIRM = "import-batch-confirm"
BATCH_CHOSEN = "import-batch-chosen"
BATCH_MESSAGE = "import-batch-message"


def batch_undo(batch_id) -> dict:
    """The 撤销 button of one applied batch."""
    return {"type": "import-undo", "batch": batch_id}
