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
