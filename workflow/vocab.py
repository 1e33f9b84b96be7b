"""The domain's words, each once: case categories, sources, ladder, statuses, wishes, volunteers, service types.

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


SERVICE_TYPE_TABLE = (
    ServiceType("党群服务中心", "党", "#c62828", True, 1000),
    ServiceType("红色驿站", "驿", "#e53935", True, 500),
    ServiceType("爱心食堂", "食", "#ef6c00", True, 300),
    ServiceType("日间照料中心", "老", "#8e24aa", True, 300),
    ServiceType("百姓健身房", "健", "#00897b", True, 500),
    ServiceType("共享工具柜", "工", "#546e7a", True, 300),
    ServiceType("卫生服务站", "医", "#1e88e5", True, 1000),
    ServiceType("图书室", "书", "#6d4c41", True, 1000),
    ServiceType("儿童之家", "童", "#f06292", True, 300),
    ServiceType("议事厅", "议", "#3949ab", True, 1000),
    ServiceType("调解室", "调", "#5d4037", False, 1000),  # mediation is by appointment: not advertised
)
SERVICE_TYPES = tuple(t.name for t in SERVICE_TYPE_TABLE)
PUBLIC_SERVICE_TYPES = tuple(t.name for t in SERVICE_TYPE_TABLE if t.public)
STANDARD_RADIUS_M = {t.name: t.radius_m for t in SERVICE_TYPE_TABLE}
SERVICE_GLYPH = {t.name: t.glyph for t in SERVICE_TYPE_TABLE}
SERVICE_COLOUR = {t.name: t.colour for t in SERVICE_TYPE_TABLE}
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
