"""Source columns → our fields: a mapping dict (file or UI), sensible defaults, and OpenStreetMap tags."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from geodata.importing.errors import ImportRefused
from workflow.vocab import POST_TYPES, SERVICE_TYPES
from workflow.vocab import COLUMN_SYNONYMS

KINDS = ("buildings", "compounds", "grids", "communities", "roads", "service-points", "posts")
AREA_LEVEL = {"compounds": "compound", "grids": "grid", "communities": "community"}
GEOMETRY_FAMILY = {"buildings": "polygon", "compounds": "polygon", "grids": "polygon", "communities": "polygon",
                   "roads": "line", "service-points": "point", "posts": "point"}

INT_FIELDS = ("floors", "units", "households", "residents", "elderly", "party_members", "built_year", "capacity",
              "slots_required")
FIELDS = {
    "buildings": ("source_id", "name", "floors", "units", "households", "residents", "elderly", "party_members",
                  "built_year"),
    "compounds": ("source_id", "name", "households", "residents", "elderly", "party_members", "era"),
    "grids": ("source_id", "name", "leader_name", "leader_phone", "households", "residents", "elderly",
              "party_members"),
    "communities": ("source_id", "name", "households", "residents", "elderly", "party_members"),
    "roads": ("source_id", "name", "kind"),
    "service-points": ("source_id", "name", "service_type", "address", "hours", "phone", "capacity", "is_public"),
    "posts": ("source_id", "name", "post_type", "slots_required", "schedule"),
}
SYNONYMS = COLUMN_SYNONYMS  # column names seen in the files people have (workflow/vocab.py)

# OpenStreetMap extracts are read by geodata/osm.py by the tag table geodata/osm_rules.json: a layer per kind
OSM_KINDS = ("buildings", "compounds", "roads", "service-points")
OSM_EXTRA = {"roads": ("walk_factor", "grade_separated", "noded")}  # kept beside our fields: how the way is walked


def load_mapping(path: Path | None) -> dict:
    """A JSON object {our field: source column, or "=constant"}."""
    if path is None:
        return {}
    try:
        mapping = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ImportRefused("bad_mapping", f"mapping file {path}: {err}") from None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise ImportRefused("bad_mapping", f"mapping file {path}: expected {{\"field\": \"column\"}}")
    return mapping


def guess_mapping(columns, kind: str) -> dict:
    """Our field → the first source column whose name is a known synonym."""
    lowered = {str(c).strip().lower(): str(c) for c in columns}
    out = {}
    for fieldname in FIELDS[kind]:
        for synonym in SYNONYMS.get(fieldname, ()):
            if synonym in lowered and lowered[synonym] not in out.values():
                out[fieldname] = lowered[synonym]
                break
    return out


def apply_mapping(frame: pd.DataFrame, kind: str, mapping: dict) -> pd.DataFrame:
    """Our columns for `kind` from `frame`: mapped columns, "=constant" values, None where unmapped."""
    unknown = sorted(set(mapping) - set(FIELDS[kind]))
    if unknown:
        raise ImportRefused("bad_mapping", f"fields {unknown} do not exist for {kind}; known: {list(FIELDS[kind])}",
                            fields=tuple(unknown))
    missing = sorted(c for c in mapping.values() if not c.startswith("=") and c not in frame.columns)
    if missing:
        raise ImportRefused("mapping_column", f"mapped columns {missing} are not in the file", columns=tuple(missing))
    out = pd.DataFrame(index=frame.index)
    for fieldname in FIELDS[kind]:
        source = mapping.get(fieldname)
        if source is None:
            out[fieldname] = None
        elif source.startswith("="):
            out[fieldname] = source[1:]
        else:
            out[fieldname] = frame[source].where(frame[source].notna(), None)
    # numbers stay as the file wrote them: geodata.importing.fields parses them, so "六层" is reported, not lost
    return out


def osm_frame(layers: dict, kind: str) -> pd.DataFrame:
    """The OSM features that are `kind`, with our columns already named (see docs/import.md)."""
    if kind not in layers:
        raise ImportRefused("osm_kind", f"OpenStreetMap files import as {', '.join(OSM_KINDS)}, not {kind}; a whole "
                            "street comes in with `flask --app app import-osm`", layer_kind=kind)
    return layers[kind]


def check_vocabulary(values: pd.Series, kind: str) -> pd.Series:
    """True where the value is one of our service / post types (an unknown type cannot be styled or planned)."""
    known = SERVICE_TYPES if kind == "service-points" else POST_TYPES
    return values.isin(known)
