"""Deterministic demo street(s) in 瑞安 (Wenzhou): roads, communities, grids, compounds, buildings, people, cases.

Everything is laid out in metres (UTM 51N) around a real origin in 瑞安's old town, then turned into WGS-84.
The same seed and reference time always give the same data. All names and phone numbers are invented;
phones use the 0000 block (138-0000-xxxx) so they are plainly not real subscribers.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box

from geodata import crs
from geodata.demo_words import (
    CASE_DESCRIPTIONS,
    CATEGORY_WEIGHTS,
    COUNTY_CODE,
    POST_SCHEDULES,
    REPORT_UNITS,
    SATISFACTION_WEIGHTS,
    SOURCE_WEIGHTS,
    VOLUNTEER_KIND_WEIGHTS,
    WISH_TITLES,
    WISHES_PER_STREET,
)
from workflow.vocab import (
    CATEGORY_DEPARTMENT,
    LADDER_LEVELS,
    LEVEL_DEADLINE_DAYS,
    POST_TYPES,
    PUBLIC_SERVICE_TYPES,
    WISH_CLAIMANT_KINDS,
    CaseSource,
    ClaimantKind,
)

SCALES = {
    # streets per run; S is one street with 8 communities (~1.5k buildings, ~3k cases)
    "S": {"streets": 1, "cases_per_street": 3000},
    "M": {"streets": 20, "cases_per_street": 5000},
    "L": {"streets": 100, "cases_per_street": 10000},
}

ORIGIN_LONLAT = (120.622, 27.768)  # south-west corner of the first demo street, 瑞安 old town
STREET_W, STREET_H = 2600.0, 1800.0  # metres; 4 x 2 communities between arterials
STREETS_PER_ROW = 5
# Walkways inside a compound (metres): the loop runs this far inside the fence (buildings keep ≥ 4 m from it),
# gates reach this far past the fence (roads run 11 m outside it; the gap between two halves is 10 m), and
# buildings whose south sides lie closer than ROW_TOLERANCE_M form one row; a path runs through gaps ≥ MIN_GAP_M.
PATH_INSET_M, GATE_REACH_M, ROW_TOLERANCE_M, MIN_GAP_M = 3.0, 18.0, 8.0, 3.0

ERAS = {
    # era: (built years, floors, footprint (long, deep), households per floor per unit, unit length, elderly share)
    "old": ((1985, 1999), (5, 7), (54.0, 11.0), 2, 18.0, (0.28, 0.40)),
    "mid": ((2000, 2010), (7, 11), (44.0, 13.0), 2, 22.0, (0.17, 0.25)),
    "new": ((2011, 2022), (18, 30), (30.0, 17.0), 4, 30.0, (0.07, 0.14)),
}

STREET_NAMES = ["安阳", "玉海", "锦湖", "东山", "上望", "莘塍", "汀田", "飞云", "仙降", "南滨",
                "塘下", "罗阳", "虹桥", "万松", "隆山", "西山", "潘岱", "云周", "陶山", "湖岭"]
NAME_HEADS = list("东西南北金银玉锦翠碧春秋云霞明新华兴安康福瑞祥和平丰泰嘉宁富盛荣昌德鸿")
NAME_TAILS = list("山湖园城港桥岭塘江洲林河阳岙源溪浦湾坊亭门")
COMPOUND_SUFFIX = {
    "old": ["新村", "小区", "公寓", "宿舍区", "新苑"],
    "mid": ["花园", "家园", "苑", "公寓", "名苑"],
    "new": ["华庭", "府", "公馆", "御园", "天地", "铭园"],
}
ROAD_HEADS = ["罗阳", "万松", "安阳", "虹桥", "瑞祥", "隆山", "解放", "人民", "广场", "振兴",
              "塘河", "拱瑞", "沿江", "外环", "滨江", "商城", "公园", "学前", "小沙", "大沙"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余叶杜苏魏程吕丁沈任姚卢钟姜崔谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_CHARS = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂兰玉霞红建国文斌波辉宇浩凯鹏飞晨欣怡佳琪雪梅婷丹慧晓燕海林峰志春丽萍俊杰家豪子涵梓萱一诺雨泽")


@dataclass
class DemoData:
    """One generated dataset: GeoDataFrames in WGS-84 plus plain tables."""

    areas: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    basemap: gpd.GeoDataFrame
    service_points: gpd.GeoDataFrame
    posts: gpd.GeoDataFrame
    volunteers: pd.DataFrame
    assignments: pd.DataFrame
    service_records: pd.DataFrame
    cases: pd.DataFrame
    reference_time: dt.datetime
    counts: dict = field(default_factory=dict)
    wishes: pd.DataFrame = field(default_factory=pd.DataFrame)


def person_name(rng: np.random.Generator) -> str:
    given = "".join(rng.choice(GIVEN_CHARS, size=int(rng.choice([1, 2], p=[0.35, 0.65]))))
    return str(rng.choice(SURNAMES)) + given


def fake_mobile(rng: np.random.Generator) -> str:
    return f"13{rng.integers(0, 10)}0000{rng.integers(0, 10000):04d}"


class _Names:
    """Hands out place names without repeats inside one dataset."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.used: set[str] = set()

    def pick(self, make: Callable[[], str]) -> str:
        for _ in range(200):
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name
        name = make() + str(len(self.used))
        self.used.add(name)
        return name

    def place(self, suffix: str) -> str:
        return self.pick(lambda: str(self.rng.choice(NAME_HEADS)) + str(self.rng.choice(NAME_TAILS)) + suffix)


def _cuts(rng, start: float, length: float, parts: int, jitter: float) -> list[float]:
    inner = [start + length * i / parts + rng.uniform(-jitter, jitter) for i in range(1, parts)]
    return [start, *inner, start + length]


def _chamfer(poly: Polygon, rng) -> Polygon:
    """Cut one corner off some compounds so they do not all look like boxes."""
    if rng.random() > 0.35:
        return poly
    minx, miny, maxx, maxy = poly.bounds
    cx = rng.choice([minx, maxx])
    cy = rng.choice([miny, maxy])
    dx = (maxx - minx) * rng.uniform(0.2, 0.35) * (1 if cx == minx else -1)
    dy = (maxy - miny) * rng.uniform(0.2, 0.35) * (1 if cy == miny else -1)
    return poly.difference(Polygon([(cx, cy), (cx + dx, cy), (cx, cy + dy)]))


def _layout_buildings(compound: Polygon, era: str, rng) -> list[tuple[Polygon, str]]:
    """Rows of slabs or towers inside a compound, south to north, like a real 小区 plan."""
    minx, miny, maxx, maxy = compound.bounds
    plan = []
    mid_y = (miny + maxy) / 2
    for row_era, y0, y1 in ([(era, miny, maxy)] if era != "mixed" else [("old", miny, mid_y), ("new", mid_y, maxy)]):
        _, _, (long_side, deep), _, _, _ = ERAS[row_era]
        pitch_y = {"old": 25.0, "mid": 31.0, "new": 40.0}[row_era]
        gap_x = {"old": 7.0, "mid": 11.0, "new": 15.0}[row_era]
        y = y0 + 14.0
        while y + deep < y1 - 10.0:
            length = long_side * rng.uniform(0.85, 1.12)
            x = minx + 12.0 + rng.uniform(0, 6)
            while x + length < maxx - 10.0:
                fp = box(x, y, x + length, y + deep * rng.uniform(0.95, 1.05))
                fp = affinity.translate(fp, rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5))
                if compound.buffer(-4.0).contains(fp):
                    plan.append((fp, row_era))
                x += length + gap_x * rng.uniform(0.9, 1.2)
            y += pitch_y * rng.uniform(0.95, 1.08)
    return plan


def _compound_paths(compound: Polygon, footprints: list[Polygon]) -> MultiLineString:
    """The walkways of a compound: a loop inside its fence, a lane between each two rows of buildings, a path
    through each gap between neighbouring buildings, and a gate north and south that crosses the road outside (or,
    in a compound split in two, reaches the other half). Pure geometry, no random draws, so the rest of the demo
    is unchanged by it."""
    minx, miny, maxx, maxy = compound.bounds
    loop = compound.buffer(-PATH_INSET_M, join_style="mitre").exterior
    inside = compound.buffer(-1.0, join_style="mitre")  # lanes end just past the loop, so they cross it
    rows: list[list[Polygon]] = []  # buildings by row, south to north
    for fp in sorted(footprints, key=lambda f: f.bounds[1]):
        if rows and fp.bounds[1] - rows[-1][0].bounds[1] < ROW_TOLERANCE_M:
            rows[-1].append(fp)
        else:
            rows.append([fp])
    spans = [(min(f.bounds[1] for f in row), max(f.bounds[3] for f in row)) for row in rows]
    lane_ys = [(below[1] + above[0]) / 2 for below, above in zip(spans, spans[1:])]
    edges = [miny + 1.0, *lane_ys, maxy - 1.0]  # what each row's gap paths run between
    lines = [LineString([(minx, y), (maxx, y)]) for y in lane_ys]
    for k, row in enumerate(rows):
        row = sorted(row, key=lambda f: f.bounds[0])
        for west, east in zip(row, row[1:]):
            if east.bounds[0] - west.bounds[2] >= MIN_GAP_M:
                x = (west.bounds[2] + east.bounds[0]) / 2
                lines.append(LineString([(x, edges[k]), (x, edges[k + 1])]))
    mid = (minx + maxx) / 2
    gates = [LineString([(mid, miny + PATH_INSET_M), (mid, miny - GATE_REACH_M)]),
             LineString([(mid, maxy - PATH_INSET_M), (mid, maxy + GATE_REACH_M)])]
    clipped = [part for line in lines for part in shapely.get_parts(line.intersection(inside)) if part.length > 0]
    return MultiLineString([list(part.coords) for part in [loop, *gates, *clipped]])


def _street_layout(rng, index: int, names: _Names, street_name: str):
    """Roads, communities, grids, compounds and buildings of one street, in local metres."""
    street_code = f"{COUNTY_CODE}{index + 1:03d}"
    ox = (index % STREETS_PER_ROW) * STREET_W
    oy = (index // STREETS_PER_ROW) * STREET_H
    xs = _cuts(rng, ox, STREET_W, 4, 60.0)
    ys = _cuts(rng, oy, STREET_H, 2, 60.0)
    areas, buildings, basemap = [], [], []
    arterial_names = [names.pick(lambda: str(rng.choice(ROAD_HEADS)) + str(rng.choice(["路", "大道", "街"])))
                      for _ in range(len(xs) + len(ys))]
    for i, x in enumerate(xs):
        basemap.append({"kind": "arterial", "name": arterial_names[i], "geometry": LineString([(x, oy), (x, oy + STREET_H)])})
    for j, y in enumerate(ys):
        basemap.append({"kind": "arterial", "name": arterial_names[len(xs) + j],
                        "geometry": LineString([(ox, y), (ox + STREET_W, y)])})
    areas.append({"code": street_code, "level": "street", "name": street_name, "parent_code": None,
                  "geometry": box(ox, oy, ox + STREET_W, oy + STREET_H)})
    community_no = 0
    for row in range(2):
        for col in range(4):
            community_no += 1
            cx0, cx1, cy0, cy1 = xs[col], xs[col + 1], ys[row], ys[row + 1]
            community_code = f"{street_code}{community_no:03d}"
            areas.append({"code": community_code, "level": "community", "name": names.place("社区"),
                          "parent_code": street_code, "geometry": box(cx0, cy0, cx1, cy1)})
            _community(rng, names, community_code, (cx0, cy0, cx1, cy1), areas, buildings, basemap)
    return street_code, areas, buildings, basemap


def _community(rng, names, community_code, bounds, areas, buildings, basemap):
    cx0, cy0, cx1, cy1 = bounds
    rows = 2 if rng.random() < 0.5 else 3
    bxs = _cuts(rng, cx0, cx1 - cx0, 2, 35.0)
    bys = _cuts(rng, cy0, cy1 - cy0, rows, 30.0)
    for x in bxs[1:-1]:
        basemap.append({"kind": "branch", "name": names.pick(lambda: str(rng.choice(NAME_HEADS)) + str(rng.choice(NAME_TAILS)) + "路"),
                        "geometry": LineString([(x, cy0), (x, cy1)])})
    for y in bys[1:-1]:
        basemap.append({"kind": "branch", "name": names.pick(lambda: str(rng.choice(NAME_HEADS)) + str(rng.choice(NAME_TAILS)) + "街"),
                        "geometry": LineString([(cx0, y), (cx1, y)])})
    blocks = [(c, r, box(bxs[c], bys[r], bxs[c + 1], bys[r + 1])) for r in range(rows) for c in range(2)]
    # 2 rows: every block is its own grid; 3 rows: one grid per row.
    grid_of_block = {(c, r): (r * 2 + c if rows == 2 else r) for c, r, _ in blocks}
    grid_cells: dict[int, list[Polygon]] = {}
    for c, r, cell in blocks:
        grid_cells.setdefault(grid_of_block[(c, r)], []).append(cell)
    grid_codes = {}
    for g, cells in sorted(grid_cells.items()):
        code = f"{community_code}{g + 1:02d}"
        grid_codes[g] = code
        leader = person_name(rng)
        areas.append({"code": code, "level": "grid", "name": f"第{g + 1}网格", "parent_code": community_code,
                      "leader_name": leader, "leader_phone": fake_mobile(rng),
                      "geometry": shapely.union_all(cells).envelope})
    non_residential = rng.integers(0, len(blocks)) if rng.random() < 0.3 else -1
    compound_no = 0
    for k, (c, r, cell) in enumerate(blocks):
        inner = cell.buffer(-11.0, join_style="mitre")
        if k == non_residential:
            kind = str(rng.choice(["school", "park", "market"]))
            label = {"school": "实验小学", "park": "公园", "market": "农贸市场"}[kind]
            basemap.append({"kind": kind, "name": names.place(label), "geometry": inner})
            continue
        minx, miny, maxx, maxy = inner.bounds
        parts = [inner]
        if inner.area > 90_000:
            mid = (miny + maxy) / 2 + rng.uniform(-20, 20)
            parts = [box(minx, miny, maxx, mid - 5), box(minx, mid + 5, maxx, maxy)]
        elif inner.area > 60_000 and rng.random() < 0.5:
            mid = (minx + maxx) / 2 + rng.uniform(-15, 15)
            parts = [box(minx, miny, mid - 5, maxy), box(mid + 5, miny, maxx, maxy)]
        for part in parts:
            compound_no += 1
            era = str(rng.choice(["old", "mid", "new", "mixed"], p=[0.38, 0.27, 0.23, 0.12]))
            poly = _chamfer(part, rng)
            code = f"{community_code}X{compound_no:03d}"
            name = names.place(str(rng.choice(COMPOUND_SUFFIX["old" if era == "mixed" else era])))
            areas.append({"code": code, "level": "compound", "name": name, "parent_code": grid_codes[grid_of_block[(c, r)]],
                          "era": era, "geometry": poly})
            plan = _layout_buildings(poly, era, rng)
            for n, (fp, b_era) in enumerate(plan, start=1):
                buildings.append(_building_facts(rng, fp, b_era, code, n))
            basemap.append({"kind": "path", "name": None, "geometry": _compound_paths(poly, [fp for fp, _ in plan])})


def _building_facts(rng, footprint: Polygon, era: str, compound_code: str, number: int) -> dict:
    years, floors_rng, (long_side, _), per_floor, unit_len, elderly_share = ERAS[era]
    floors = int(rng.integers(floors_rng[0], floors_rng[1] + 1))
    minx, _, maxx, _ = footprint.bounds
    units = max(1, int(round((maxx - minx) / unit_len)))
    households = int(round(floors * units * per_floor * rng.uniform(0.82, 0.98)))
    residents = int(round(households * rng.uniform(2.2, 2.9)))
    elderly = int(round(residents * rng.uniform(*elderly_share)))
    party = int(round(residents * rng.uniform(0.03, 0.08 if era == "old" else 0.06)))
    return {"code": f"{compound_code}B{number:03d}", "name": f"{number}幢", "compound_code": compound_code,
            "floors": floors, "units": units, "households": households, "residents": residents,
            "elderly": elderly, "party_members": party, "built_year": int(rng.integers(years[0], years[1] + 1)),
            "geometry": footprint}


# Service point types: (per-community probability or count, preferred compound era, capacity range, hours)
SERVICE_PLAN = [
    ("党群服务中心", 1.0, None, (0, 0), "08:30-17:30（周六上午值班）"),
    ("议事厅", 1.0, "centre", (20, 40), "按议事安排开放"),
    ("调解室", 1.0, "centre", (0, 0), "08:30-17:30"),
    ("图书室", 0.7, "centre", (20, 60), "09:00-20:00"),
    ("红色驿站", 1.0, None, (6, 15), "07:00-21:00"),
    ("爱心食堂", 0.5, "old", (40, 90), "11:00-13:00，17:00-18:30"),
    ("日间照料中心", 0.6, "old", (20, 50), "08:00-17:30"),
    ("百姓健身房", 0.4, "new", (15, 40), "06:00-22:00"),
    ("共享工具柜", 1.6, None, (0, 0), "全天"),
    ("卫生服务站", 0.3, None, (0, 0), "08:00-17:00"),
    ("儿童之家", 0.5, "new", (15, 30), "周一至周五 15:30-18:30，周末 09:00-17:00"),
]


def _service_points(rng, areas: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame, roads: gpd.GeoDataFrame) -> list[dict]:
    points = []
    compounds = areas[areas.level == "compound"]
    for community in areas[areas.level == "community"].itertuples():
        mine = compounds[compounds.code.str.startswith(community.code)]
        if mine.empty:
            continue
        centre = community.geometry.centroid
        central = mine.iloc[int(mine.geometry.centroid.distance(centre).argmin())]
        hub = central.geometry.exterior.interpolate(central.geometry.exterior.project(centre))
        hub = _inside(central.geometry, hub)
        for kind, rate, prefer, cap, hours in SERVICE_PLAN:
            count = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
            for n in range(count):
                if kind == "党群服务中心" or prefer == "centre":
                    host, point = central, _jitter(rng, hub, 0 if kind == "党群服务中心" else 14)
                else:
                    pool = mine[mine.era.isin([prefer, "mixed"])] if prefer else mine
                    host = (pool if not pool.empty else mine).iloc[int(rng.integers(0, len(pool if not pool.empty else mine)))]
                    point = _inside(host.geometry, _jitter(rng, host.geometry.representative_point(), 40))
                short = community.name.removesuffix("社区")
                name = {
                    "党群服务中心": f"{community.name}党群服务中心",
                    "议事厅": f"{short}社区议事厅",
                    "调解室": f"{short}人民调解室",
                    "图书室": f"{short}社区图书室",
                    "红色驿站": f"{host['name']}红色驿站",
                    "爱心食堂": f"{short}爱心食堂",
                    "日间照料中心": f"{short}居家养老日间照料中心",
                    "百姓健身房": f"{host['name']}百姓健身房",
                    "共享工具柜": f"{host['name']}共享工具柜{n + 1}号",
                    "卫生服务站": f"{short}社区卫生服务站",
                    "儿童之家": f"{short}儿童之家",
                }[kind]
                points.append({
                    "service_type": kind, "name": name, "hours": hours,
                    "capacity": int(rng.integers(cap[0], cap[1] + 1)) if cap[1] else None,
                    "phone": None if kind == "共享工具柜" else f"0577-6{rng.integers(0, 10**6):06d}",
                    # mediation sessions are private matters; the room is not advertised on the residents' map
                    "is_public": kind in PUBLIC_SERVICE_TYPES,
                    "address": _address(rng, point, roads),
                    "geometry": point,
                })
    return points


def _inside(poly: Polygon, point: Point) -> Point:
    return point if poly.buffer(-3).contains(point) else poly.buffer(-6).representative_point()


def _jitter(rng, point: Point, metres: float) -> Point:
    return Point(point.x + rng.uniform(-metres, metres), point.y + rng.uniform(-metres, metres))


def _address(rng, point: Point, roads: gpd.GeoDataFrame) -> str:
    nearest = roads.iloc[int(roads.geometry.distance(point).argmin())]
    return f"{nearest['name']}{int(rng.integers(1, 400))}号"


def _posts_and_people(rng, areas, buildings, roads):
    posts, volunteers, assignments = [], [], []
    compounds = areas[areas.level == "compound"]
    by_compound = {code: grp for code, grp in buildings.groupby("compound_code")}
    for comp in compounds.itertuples():
        homes = by_compound.get(comp.code)
        if homes is None or homes.empty:
            continue
        n_posts = int(rng.integers(1, 4))
        kinds = rng.choice(list(POST_TYPES), size=n_posts, replace=False)
        for k, kind in enumerate(kinds):
            slots = int(rng.integers(2, 7))
            code = f"{comp.code}P{k + 1}"
            point = _inside(comp.geometry, _jitter(rng, comp.geometry.representative_point(), 30))
            posts.append({"code": code, "post_type": str(kind), "name": f"{comp.name}{kind}", "slots_required": slots,
                          "schedule": str(rng.choice(POST_SCHEDULES)), "compound_code": comp.code, "geometry": point})
            filled = min(slots, int(round(slots * rng.uniform(0.3, 1.25))))
            for _ in range(filled):
                home = homes.iloc[int(rng.integers(0, len(homes)))]
                kind_v = str(rng.choice(list(VOLUNTEER_KIND_WEIGHTS), p=list(VOLUNTEER_KIND_WEIGHTS.values())))
                unit = None
                if kind_v == "在职党员报到":
                    unit = str(rng.choice(REPORT_UNITS))
                elif kind_v == "下沉干部":
                    unit = "街道办事处"
                vid = len(volunteers) + 1
                volunteers.append({"id": vid, "name": person_name(rng), "phone": fake_mobile(rng), "kind": kind_v,
                                   "home_building_code": home["code"], "unit": unit})
                assignments.append({"volunteer_id": vid, "post_code": code,
                                    "since_days_ago": int(rng.integers(20, 700))})
    return posts, volunteers, assignments


DEFAULT_SEED = 20261123


def generate(scale: str = "S", seed: int = DEFAULT_SEED, reference_time: dt.datetime | None = None,
             progress: Callable[[str], None] | None = None) -> DemoData:
    """Build a demo dataset. Same (scale, seed, reference_time) → same data."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    reference_time = (reference_time or dt.datetime.now()).replace(microsecond=0)
    say = progress or (lambda _msg: None)
    rng = np.random.default_rng(seed)
    names = _Names(rng)
    plan = SCALES[scale]
    areas, buildings, basemap, points, posts, volunteers, assignments = [], [], [], [], [], [], []
    for index in range(plan["streets"]):
        street_name = STREET_NAMES[index % len(STREET_NAMES)] + ("" if index < len(STREET_NAMES) else str(index // len(STREET_NAMES) + 1)) + "街道"
        code, s_areas, s_buildings, s_basemap = _street_layout(rng, index, names, street_name)
        for row in s_basemap:
            row["street_code"] = code
        a = gpd.GeoDataFrame(s_areas, geometry="geometry", crs=crs.DEMO_FRAME)
        a["era"] = a.get("era")
        b = gpd.GeoDataFrame(s_buildings, geometry="geometry", crs=crs.DEMO_FRAME)
        r = gpd.GeoDataFrame(s_basemap, geometry="geometry", crs=crs.DEMO_FRAME)
        roads = r[r.kind.isin(["arterial", "branch"])]
        s_points = _service_points(rng, a, b, roads)
        s_posts, s_vols, s_assign = _posts_and_people(rng, a, b, roads)
        offset = len(volunteers)
        for v in s_vols:
            v["id"] += offset
        for asg in s_assign:
            asg["volunteer_id"] += offset
        areas += s_areas
        buildings += s_buildings
        basemap += s_basemap
        points += s_points
        posts += s_posts
        volunteers += s_vols
        assignments += s_assign
        if (index + 1) % 5 == 0 or index + 1 == plan["streets"]:
            say(f"streets laid out: {index + 1}/{plan['streets']}")

    origin = crs.lonlat_to_metric(*ORIGIN_LONLAT, crs.DEMO_FRAME)
    to_wgs = lambda rows: _to_wgs84(gpd.GeoDataFrame(rows, geometry="geometry", crs=crs.DEMO_FRAME), origin)
    areas_g = to_wgs(areas)
    buildings_g = to_wgs(buildings)
    basemap_g = to_wgs(basemap)
    points_g = to_wgs(points)
    posts_g = to_wgs(posts)
    _attach_hierarchy(buildings_g, areas_g, "compound_code")
    for layer in (points_g, posts_g):
        _locate(layer, areas_g)
    points_g.insert(0, "code", [f"{c}S{i:04d}" for i, c in enumerate(points_g.community_code.fillna("000"), start=1)])
    say(f"buildings: {len(buildings_g)}, service points: {len(points_g)}, posts: {len(posts_g)}")

    volunteers_df = pd.DataFrame(volunteers)
    assignments_df = pd.DataFrame(assignments)
    records_df = _service_records(rng, assignments_df, reference_time)
    cases_df = _cases(rng, buildings_g, areas_g, plan["cases_per_street"] * plan["streets"], reference_time, say)
    _roll_up(areas_g, buildings_g)
    # a stream of its own, so adding wishes changed nothing else the seed produces
    wishes_df = _wishes(np.random.default_rng(seed + 101), buildings_g, volunteers_df,
                        WISHES_PER_STREET * plan["streets"], reference_time)
    return DemoData(areas_g, buildings_g, basemap_g, points_g, posts_g, volunteers_df, assignments_df,
                    records_df, cases_df, reference_time,
                    counts={"streets": plan["streets"], "buildings": len(buildings_g), "cases": len(cases_df),
                            "wishes": len(wishes_df)}, wishes=wishes_df)


def _wishes(rng, buildings: gpd.GeoDataFrame, volunteers: pd.DataFrame, count: int,
            now: dt.datetime) -> pd.DataFrame:
    """微心愿 of the last three months: older buildings wish more; about a third done, a third claimed."""
    weights = buildings.elderly.to_numpy(dtype=float) + 1
    chosen = buildings.iloc[rng.choice(len(buildings), size=count, p=weights / weights.sum())]
    inner = chosen.geometry.representative_point()
    published = [(now - dt.timedelta(days=int(d))).replace(hour=int(h), minute=int(mi), second=0)
                 for d, h, mi in zip(rng.integers(1, 90, count), rng.integers(8, 18, count), rng.integers(0, 60, count))]
    status = rng.choice(["已发布", "已认领", "已完成"], size=count, p=[0.35, 0.3, 0.35])
    kind = rng.choice(list(WISH_CLAIMANT_KINDS), size=count, p=[0.6, 0.4])
    volunteer_names = volunteers.name.to_numpy() if len(volunteers) else np.array(["志愿者"])
    rows = []
    for i in range(count):
        claimed = status[i] != "已发布"
        claimed_at = published[i] + dt.timedelta(days=int(rng.integers(1, 6))) if claimed else None
        done_at = claimed_at + dt.timedelta(days=int(rng.integers(1, 10))) if status[i] == "已完成" else None
        if done_at and done_at > now:
            done_at = now
        if claimed_at and claimed_at > now:
            claimed_at = now
        b = chosen.iloc[i]
        claimant = (str(rng.choice(volunteer_names)) if kind[i] == ClaimantKind.VOLUNTEER else str(rng.choice(REPORT_UNITS))) \
            if claimed else None
        rows.append({
            "title": str(rng.choice(WISH_TITLES)), "description": None, "wisher_name": person_name(rng),
            "wisher_phone": fake_mobile(rng), "building_code": b.code, "lon": round(inner.iloc[i].x, 6),
            "lat": round(inner.iloc[i].y, 6), "compound_code": b.compound_code, "grid_code": b.grid_code,
            "community_code": b.community_code, "street_code": b.street_code, "status": str(status[i]),
            "claimant": claimant, "claimant_kind": str(kind[i]) if claimed else None, "published_at": published[i],
            "claimed_at": claimed_at, "completed_at": done_at})
    return pd.DataFrame(rows)


def _to_wgs84(gdf: gpd.GeoDataFrame, origin: tuple[float, float]) -> gpd.GeoDataFrame:
    """Local metres → UTM around the real origin, turned 12° like the old town's grid, → WGS-84."""
    moved = gdf.copy()
    moved["geometry"] = gdf.geometry.translate(origin[0], origin[1]).rotate(12, origin=origin)
    return moved.to_crs(crs.WGS84)


def _attach_hierarchy(buildings: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, key: str) -> None:
    parent = areas.set_index("code")["parent_code"]
    buildings["grid_code"] = buildings[key].map(parent)
    buildings["community_code"] = buildings["grid_code"].map(parent)
    buildings["street_code"] = buildings["community_code"].map(parent)


def _locate(points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> None:
    """Attach compound / grid / community / street codes to points by containment."""
    for level in ("compound", "grid", "community", "street"):
        polys = areas[areas.level == level][["code", "geometry"]]
        joined = gpd.sjoin(points[["geometry"]], polys, how="left", predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]
        points[f"{level}_code"] = joined["code"].reindex(points.index).where(lambda s: s.notna(), None)


def _roll_up(areas: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame) -> None:
    """Denormalised counts on every area, summed from its buildings."""
    metrics = ["households", "residents", "elderly", "party_members"]
    totals = {}
    for level in ("compound", "grid", "community", "street"):
        totals.update(buildings.groupby(f"{level}_code")[metrics].sum().to_dict("index"))
    for m in metrics:
        areas[m] = [int(totals.get(code, {}).get(m, 0)) for code in areas.code]
    areas["buildings"] = [0] * len(areas)
    for level in ("compound", "grid", "community", "street"):
        counts = buildings.groupby(f"{level}_code").size()
        mask = areas.level == level
        areas.loc[mask, "buildings"] = areas.loc[mask, "code"].map(counts).fillna(0).astype(int)


def _service_records(rng, assignments: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    if assignments.empty:
        return pd.DataFrame(columns=["volunteer_id", "post_code", "served_on", "hours"])
    reps = rng.integers(2, 9, size=len(assignments))
    idx = np.repeat(np.arange(len(assignments)), reps)
    days = rng.integers(1, 365, size=len(idx))
    return pd.DataFrame({
        "volunteer_id": assignments.volunteer_id.to_numpy()[idx],
        "post_code": assignments.post_code.to_numpy()[idx],
        "served_on": [(now - dt.timedelta(days=int(d))).date() for d in days],
        "hours": rng.choice([1.0, 1.5, 2.0, 2.5, 3.0, 4.0], size=len(idx)),
    })


def _cases(rng, buildings: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, n: int, now: dt.datetime, say) -> pd.DataFrame:
    """12 months of cases, vectorised so scale L (1M) stays within minutes."""
    say(f"cases: generating {n}")
    age_weight = np.where(buildings.built_year.to_numpy() < 2000, 1.8, 1.0)
    weights = buildings.households.to_numpy() * age_weight
    pick = rng.choice(len(buildings), size=n, p=weights / weights.sum())
    cent = gpd.GeoSeries(shapely.centroid(buildings.geometry.values))
    lat0 = float(cent.y.mean())
    mx, my = crs.metres_per_degree(lat0)
    angle = rng.uniform(0, 2 * np.pi, n)
    dist = rng.uniform(8, 30, n)
    lon = cent.x.to_numpy()[pick] + np.cos(angle) * dist / mx
    lat = cent.y.to_numpy()[pick] + np.sin(angle) * dist / my

    cats = list(CATEGORY_WEIGHTS)
    category = np.array(cats)[rng.choice(len(cats), size=n, p=np.array(list(CATEGORY_WEIGHTS.values())))]
    source = np.array(list(SOURCE_WEIGHTS))[rng.choice(len(SOURCE_WEIGHTS), size=n, p=list(SOURCE_WEIGHTS.values()))]
    category = np.where(source == CaseSource.WISH.value, CaseSource.WISH.value, category)
    # Newer cases are denser: the platform grows over the year.
    age_days = 365 * (1 - np.sqrt(rng.uniform(0, 1, n))) + rng.uniform(0, 0.05, n)
    age_days = np.round(age_days * 86400) / 86400  # whole seconds
    created = pd.Timestamp(now) - pd.to_timedelta(age_days, unit="D")
    level_idx = rng.choice(len(LADDER_LEVELS), size=n, p=[0.56, 0.27, 0.13, 0.04])
    level = np.array(LADDER_LEVELS)[level_idx]
    allowed_days = np.array([LEVEL_DEADLINE_DAYS[lv] for lv in LADDER_LEVELS], dtype=float)[level_idx]
    # Time spent reaching the current level, then the deadline for that level.
    level_start = created + pd.to_timedelta(np.where(level_idx > 0, rng.uniform(0.5, 3, n) * level_idx, 0), unit="D")
    deadline = (level_start + pd.to_timedelta(allowed_days, unit="D")).round("s")
    resolve_days = rng.lognormal(np.log(3.0), 0.9, n) * (1 + 0.5 * level_idx)
    resolved = age_days > resolve_days
    status = np.empty(n, dtype=object)
    visit_lag = rng.uniform(0.5, 4, n)
    status[resolved] = "已关闭"
    status[resolved & (age_days < resolve_days + visit_lag)] = "已办结"
    status[resolved & (age_days >= resolve_days + visit_lag) & (rng.random(n) < 0.08)] = "已回访"
    open_ = ~resolved
    progress = np.clip(age_days / np.maximum(resolve_days, 0.1), 0, 1)
    status[open_ & (progress < 0.1)] = "待受理"
    status[open_ & (progress >= 0.1) & (progress < 0.3)] = "已受理"
    status[open_ & (progress >= 0.3) & (progress < 0.55)] = "已派单"
    status[open_ & (progress >= 0.55)] = "处置中"
    odd = rng.random(n)
    status[(odd < 0.02)] = "重复"
    status[(odd >= 0.02) & (odd < 0.035) & resolved] = "退回"
    # A tail of stubborn cases stays open well past their deadline — these are the red lights.
    stubborn = (rng.random(n) < 0.04) & resolved & (age_days < 45)
    status[stubborn] = "处置中"
    resolved = resolved & ~stubborn

    satisfaction = np.where(np.isin(status, ["已回访", "已关闭"]),
                            np.array(list(SATISFACTION_WEIGHTS))[rng.choice(len(SATISFACTION_WEIGHTS), size=n,
                                                                          p=list(SATISFACTION_WEIGHTS.values()))],
                            None)
    accepted_at = (created + pd.to_timedelta(rng.uniform(0.05, 1.3, n), unit="D")).round("s")
    # a young case is accepted by now at the latest (a minute before: the trail's later steps fit after it)
    last_minute = pd.Timestamp(now) - pd.Timedelta(minutes=1)
    accepted_at = accepted_at.where(accepted_at < last_minute, created.where(created > last_minute, last_minute))
    resolved_at = (created + pd.to_timedelta(resolve_days, unit="D")).round("s")
    with_reporter = np.isin(source, ["居民上报", "12345", "微心愿"])
    b_codes = buildings.code.to_numpy()[pick]
    b_names = buildings.name.to_numpy()[pick]
    grid_codes = buildings.grid_code.to_numpy()[pick]
    leaders = areas.set_index("code")["leader_name"]
    templates = {c: CASE_DESCRIPTIONS[c] for c in CASE_DESCRIPTIONS}
    t_pick = rng.integers(0, 1000, n)
    description = [templates[c][t % len(templates[c])].format(b=b) for c, t, b in zip(category, t_pick, b_names)]
    names = [person_name(rng) if w else None for w in with_reporter]
    phones = [fake_mobile(rng) if w else None for w in with_reporter]
    grid_leader = pd.Series(grid_codes).map(leaders).to_numpy()
    dispatched = np.isin(status, ["已派单", "处置中", "已办结", "已回访", "已关闭"])
    dept = pd.Series(category).map(CATEGORY_DEPARTMENT).to_numpy()
    assignee = np.where(dispatched, np.where(level_idx >= 2, dept, grid_leader), None)
    reporter_name = np.where(source == "网格巡查", grid_leader, np.array(names, dtype=object))
    say(f"cases: {n} generated")
    return pd.DataFrame({
        "code": [f"AJ{i:07d}" for i in range(1, n + 1)],
        "category": category, "source": source, "description": description,
        "reporter_name": reporter_name, "reporter_phone": np.array(phones, dtype=object),
        "lon": np.round(lon, 6), "lat": np.round(lat, 6),
        "building_code": b_codes,
        "compound_code": buildings.compound_code.to_numpy()[pick],
        "grid_code": grid_codes,
        "community_code": buildings.community_code.to_numpy()[pick],
        "street_code": buildings.street_code.to_numpy()[pick],
        "level": level, "status": status, "assignee": assignee,
        "created_at": created.to_pydatetime(), "accepted_at": np.where(status == "待受理", None, accepted_at.to_pydatetime()),
        "deadline": deadline.to_pydatetime(),
        "resolved_at": np.where(resolved & ~np.isin(status, ["重复", "退回"]), resolved_at.to_pydatetime(), None),
        "satisfaction": satisfaction,
    })
