"""Source columns → our fields: a mapping dict (file or UI), sensible defaults, and OpenStreetMap tags."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from geodata.importing.errors import ImportRefused
from workflow.vocab import POST_TYPES, SERVICE_TYPES

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
# Column names seen in the files people have (网格化 system exports, 测绘 footprints, spreadsheets), lower-case.
SYNONYMS = {
    "source_id": ("source_id", "id", "fid", "objectid", "osm_id", "编号", "编码", "网格编号", "网格编码", "小区编号",
                  "楼栋编号", "社区编号", "序号", "code", "bm", "uid"),
    "name": ("name", "名称", "mc", "小区名称", "网格名称", "社区名称", "楼栋名称", "楼号", "站点名称", "name:zh",
             "xqmc", "wgmc", "sqmc"),
    "floors": ("floors", "层数", "楼层数", "cs", "building:levels", "floor"),
    "units": ("units", "单元数", "dys"),
    "households": ("households", "户数", "hs", "住户数"),
    "residents": ("residents", "人口", "人数", "居民数", "rk", "population"),
    "elderly": ("elderly", "老年人", "老年人数", "60岁以上", "lnr"),
    "party_members": ("party_members", "党员", "党员数", "dy"),
    "built_year": ("built_year", "建成年份", "建成年代", "年份", "start_date"),
    "era": ("era",),
    "leader_name": ("leader_name", "网格长", "网格员", "负责人"),
    "leader_phone": ("leader_phone", "网格长电话", "联系电话", "电话"),
    "kind": ("kind", "highway", "道路等级", "类型"),
    "service_type": ("service_type", "类型", "类别", "服务类型", "type"),
    "address": ("address", "地址", "addr:full", "addr:street"),
    "hours": ("hours", "开放时间", "营业时间", "opening_hours"),
    "phone": ("phone", "电话", "联系电话", "contact:phone"),
    "capacity": ("capacity", "容量", "床位", "座位数"),
    "is_public": ("is_public", "是否公开", "公开"),
    "post_type": ("post_type", "岗位类型", "类型"),
    "slots_required": ("slots_required", "需要人数", "人数", "岗位人数"),
    "schedule": ("schedule", "时间", "服务时间"),
}

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
                            fields="、".join(unknown))
    missing = sorted(c for c in mapping.values() if not c.startswith("=") and c not in frame.columns)
    if missing:
        raise ImportRefused("mapping_column", f"mapped columns {missing} are not in the file", columns="、".join(missing))
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
