"""Domain words outside the vocabulary module for now (the lead folds them into it): words stored with the data,
case-sheet headers, column synonyms of imported files, names of generated areas."""
from __future__ import annotations

SYSTEM_ACTOR = "系统"  # who the trail says acted when the deadline escalated a case
CLI_IMPORT_ACTOR = "数据导入"  # who the trail says filed the cases of a sheet imported from the command line

# notes the case trail stores beside an action; a note the user typed follows after TRAIL_NOTE_SEP
TRAIL_NOTES = {
    "merged_into": "合并至 {code}",
    "dispatched_to": "派至 {assignee}",
    "satisfaction": "满意度：{value}",
    "escalated_to": "上报至{level}",
    "absorbed": "{code} 作为重复件合并至此",
    "overdue": "{previous}超时，上报至{level}",
    "sheet_row": "表格导入第 {row} 行",
}
TRAIL_NOTE_SEP = "："


def trail_note(kind: str, typed: str | None = None, /, **params) -> str:
    """The note stored with an action: the generated words, then what the user typed, if anything."""
    note = TRAIL_NOTES[kind].format(**params)
    return note + (f"{TRAIL_NOTE_SEP}{typed}" if typed else "")

# A case sheet (export and import of /cases/): field → column header. The export writes these headers and the
# import reads them, so an exported list reads back in; the list on /cases/ shows the same words.
CASE_SHEET_NAME = "诉求"
CASE_SHEET_HEADERS = {"code": "编号", "created_at": "登记时间", "category": "类别", "source": "来源",
                      "description": "描述", "status": "状态", "level": "层级", "deadline": "时限",
                      "light_label": "红黄绿", "assignee": "承办", "reporter": "反映人", "lon": "经度", "lat": "纬度",
                      "reporter_phone": "联系电话"}


# Importing files (geodata/importing): our field → the column names it goes by, lower-case, tried in this order
# (网格化 system exports, 测绘 footprints, spreadsheets)
COLUMN_SYNONYMS = {
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
# the coordinate columns of a table of points, tried in this order
LON_COLUMNS = ("lon", "lng", "longitude", "经度", "x", "long", "gcj_lng", "bd_lng", "wgs_lng")
LAT_COLUMNS = ("lat", "latitude", "纬度", "y", "gcj_lat", "bd_lat", "wgs_lat")

# Planning (/planning/): what a candidate site is, and the names of sites placed by hand
CANDIDATE_KINDS = ("闲置用房", "架空层", "空置店面")  # an idle room, the open ground floor of a block, an empty shop
MANUAL_SITE_KIND = "手动"
MANUAL_SITE_NAME = "新增点位"
TRIAL_SITE_NAME = "试加点位{n}"  # a site tried by a click on the map, numbered

# names the importer gives to rows whose file has none, and a 是否公开 cell that means no
UNNAMED_STREET = "街道{code}"
UNNAMED_AREA = {"community": "社区{n}", "grid": "网格{n}", "compound": "小区{n}"}
UNNAMED_BUILDING = "{n}幢"
NO_WORDS = ("0", "false", "否", "no")

# glosses in the English messages for admins (CLI, logs)
STREET_CODE_TERM = "统计用区划代码"
