"""The domain's words, each once: categories, sources, ladder, statuses, wishes, volunteers, service types, and
the words stored with the data (trail notes, sheet headers, column synonyms, names of generated areas).

Values are the Chinese words stored in the database; str Enums compare equal to them, so a row read back as a
plain string matches its member. The model check constraints are generated from these (`sql_in`).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class CaseStatus(enum.StrEnum):
    SUBMITTED = "待受理"
    ACCEPTED = "已受理"
    DISPATCHED = "已派单"
    IN_PROGRESS = "处置中"
    RESOLVED = "已办结"
    VISITED = "已回访"
    CLOSED = "已关闭"
    RETURNED = "退回"
    DUPLICATE = "重复"


# Lists below hold the plain values (numpy and pandas compare those, not Enum members).
OPEN_STATUSES = tuple(s.value for s in (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED,
                                        CaseStatus.IN_PROGRESS))


class CaseSource(enum.StrEnum):
    """Where a case came in (来源)."""

    PATROL = "网格巡查"
    RESIDENT = "居民上报"
    HOTLINE = "12345"
    WISH = "微心愿"


class Level(enum.StrEnum):
    """The escalation ladder 小事不出小区、难事不出片区、大事不出社区, lowest first."""

    COMPOUND = "小区"
    GRID = "网格"
    COMMUNITY = "社区"
    STREET = "街道"


LADDER_LEVELS = tuple(lv.value for lv in Level)
LEVEL_DEADLINE_DAYS = dict(zip(LADDER_LEVELS, (3, 5, 7, 10)))
YELLOW_HOURS = 24  # a deadline this close turns the light yellow (admins may set another window)


class Satisfaction(enum.StrEnum):
    """The answer of the return visit 回访."""

    SATISFIED = "满意"
    FAIRLY_SATISFIED = "基本满意"
    UNSATISFIED = "不满意"


# Every category a case can have, 微心愿 (a wish turned into a case) included: the one list of them.
CATEGORIES = ("环境卫生", "垃圾分类", "设施维修", "停车管理", "违章搭建", "占道经营", "噪音扰民", "邻里纠纷",
              "物业纠纷", "安全隐患", "绿化养护", "养老服务", CaseSource.WISH.value)
# the department that usually takes a category (部门解决); Open311 groups its services by it
CATEGORY_DEPARTMENT = {"环境卫生": "街道环卫所", "垃圾分类": "街道环卫所", "设施维修": "物业服务中心",
                       "停车管理": "交警中队", "违章搭建": "综合行政执法中队", "占道经营": "综合行政执法中队",
                       "噪音扰民": "派出所", "邻里纠纷": "人民调解委员会", "物业纠纷": "街道物业办",
                       "安全隐患": "应急管理办", "绿化养护": "园林绿化所", "养老服务": "民政办", "微心愿": "社区党委"}
# Open311 service codes for the categories (stable, ASCII, as the GeoReport spec expects)
SERVICE_CODES = {category: f"{i:03d}" for i, category in enumerate(CATEGORIES, start=1)}


class WishStatus(enum.StrEnum):
    """微心愿: 已发布 → 已认领 → 已完成, or 已撤回."""

    PUBLISHED = "已发布"
    CLAIMED = "已认领"
    DONE = "已完成"
    WITHDRAWN = "已撤回"


class ClaimantKind(enum.StrEnum):
    VOLUNTEER = "志愿者"
    UNIT = "报到单位"  # the unit an in-service party member reports to (双报到)


class VolunteerKind(enum.StrEnum):
    RESIDENT_MEMBER = "小区党员"
    REPORTING_MEMBER = "在职党员报到"
    SENT_CADRE = "下沉干部"
    RESIDENT = "居民志愿者"


CASE_SOURCES = tuple(s.value for s in CaseSource)
SATISFACTION_ANSWERS = tuple(a.value for a in Satisfaction)
WISH_STATUSES = tuple(s.value for s in WishStatus)
WISH_CLAIMANT_KINDS = tuple(k.value for k in ClaimantKind)
VOLUNTEER_KINDS = tuple(k.value for k in VolunteerKind)
POST_TYPES = ("垃圾分类岗", "便民服务岗", "环境治理岗", "兴趣辅导岗", "平安巡防岗", "文明劝导岗")


@dataclass(frozen=True)
class ServiceType:
    """One kind of service point and how it looks: a new kind is one row of SERVICE_TYPE_TABLE."""

    name: str
    glyph: str  # one character on the marker
    colour: str  # the marker's background
    public: bool  # offered on the residents' page (and public by default when seeded)
    radius_m: int  # GB 50180-2018 life circles: 5 min ≈ 300 m for daily elderly and child services
    words: tuple[str, ...] = ()  # what residents type when they look for one (吃饭 → 爱心食堂), for /public/'s search


SERVICE_TYPE_TABLE = (
    ServiceType("党群服务中心", "党", "#c62828", True, 1000, ("党群", "办事", "服务中心", "党员")),
    ServiceType("红色驿站", "驿", "#e53935", True, 500, ("驿站", "歇脚", "休息", "喝水", "充电", "厕所")),
    ServiceType("爱心食堂", "食", "#ef6c00", True, 300, ("吃饭", "食堂", "饭堂", "助餐", "老年餐", "午饭", "吃")),
    ServiceType("日间照料中心", "老", "#8e24aa", True, 300, ("养老", "照料", "托老", "日托", "老人", "老年")),
    ServiceType("百姓健身房", "健", "#00897b", True, 500, ("健身", "锻炼", "运动")),
    ServiceType("共享工具柜", "工", "#546e7a", True, 300, ("工具", "借工具", "修理")),
    ServiceType("卫生服务站", "医", "#1e88e5", True, 1000, ("看病", "医院", "诊所", "医生", "体检", "血压", "配药")),
    ServiceType("图书室", "书", "#6d4c41", True, 1000, ("看书", "读书", "图书", "阅览")),
    ServiceType("儿童之家", "童", "#f06292", True, 300, ("孩子", "儿童", "小孩", "托管", "四点半")),
    ServiceType("议事厅", "议", "#3949ab", True, 1000, ("议事", "协商", "开会")),
    ServiceType("调解室", "调", "#5d4037", False, 1000, ("调解", "纠纷")),  # mediation is by appointment: not advertised
)
SERVICE_TYPES = tuple(t.name for t in SERVICE_TYPE_TABLE)
PUBLIC_SERVICE_TYPES = tuple(t.name for t in SERVICE_TYPE_TABLE if t.public)
STANDARD_RADIUS_M = {t.name: t.radius_m for t in SERVICE_TYPE_TABLE}
SERVICE_GLYPH = {t.name: t.glyph for t in SERVICE_TYPE_TABLE}
SERVICE_COLOUR = {t.name: t.colour for t in SERVICE_TYPE_TABLE}
SERVICE_WORDS = {t.name: t.words for t in SERVICE_TYPE_TABLE}
GAP_TYPES = ("日间照料中心", "爱心食堂")  # the coverage-gap layer's types: daily needs of the elderly


class Role(enum.StrEnum):
    """What an account may do; its scope (an area code) says where."""

    admin = "admin"
    street_official = "street_official"
    community_staff = "community_staff"
    grid_leader = "grid_leader"
    screen = "screen"  # a display token of the big screen: read-only, never a person's name


PERSON_ROLES = tuple(r.value for r in Role if r is not Role.screen)  # roles a person's account can have


def sql_in(column: str, values, nullable: bool = False) -> str:
    """The text of a CHECK constraint that `column` holds one of `values` (an Enum class or any iterable)."""
    quoted = ", ".join("'" + str(getattr(v, "value", v)).replace("'", "''") + "'" for v in values)
    clause = f"{column} in ({quoted})"
    return f"{column} is null or {clause}" if nullable else clause


# Areas the importer draws where the files have none (geodata/onboarding.py): shown as generated, never as official
GENERATED_GROUP = "街区"  # a block of buildings that no compound (小区) holds, numbered: 街区001
GENERATED_COMMUNITY_REST = "其他区域"  # the part of a street its communities leave out
GENERATED_COMMUNITY_WHOLE = "（未分社区）"  # the one community of a street whose files have no community boundaries


# --- words stored with the data, case-sheet headers, column synonyms of imported files, names of generated areas ---
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
                      "reporter_phone": "联系电话", "place": "位置"}


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
