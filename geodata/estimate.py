"""Households, residents and elderly of a building from its footprint and floors, where a file has none (估算)."""
from __future__ import annotations

from dataclasses import dataclass
import math

import numpy as np
import shapely
from pyproj import Transformer

from geodata import crs

# Sources and reasoning for every default: docs/estimates.md. Admins may override them (app_setting
# `estimate_settings`); `validate` turns a partial override into a complete table.
DEFAULTS = {
    "floor_area_per_household_m2": 90.0,  # 2020 census: urban households live in 92.17 m² of 住房建筑面积 on average
    "household_size": 2.62,  # 2020 census: persons per family household
    "share_60_plus": 0.187,  # 2020 census: 18.70 % of the population is 60 or older
    "usable_share": 0.8,  # of footprint × floors, the part that is dwellings (not shops, stairs, plant): assumption
    "default_floors": 6,  # floors of a residential or untagged building whose file gives none: 多层住宅 ≤ 6
    "house_floors": 2,  # floors of a terraced house whose file gives none
    "min_footprint_m2": 30.0,  # smaller is a shed, a kiosk or a bike store, not a home
    "max_untagged_footprint_m2": 2000.0,  # an untagged footprint this large without floors is a hall or a factory
}
LIMITS = {"floor_area_per_household_m2": (20.0, 400.0), "household_size": (1.0, 8.0), "share_60_plus": (0.0, 1.0),
          "usable_share": (0.1, 1.0), "default_floors": (1, 100), "house_floors": (1, 10),
          "min_footprint_m2": (0.0, 500.0), "max_untagged_footprint_m2": (100.0, 1_000_000.0)}
WHOLE = ("default_floors", "house_floors")

# OpenStreetMap `building=*` values (docs/estimates.md). Any value not listed here is not a home: commercial, retail,
# industrial, school, church, garage, shed, office, warehouse, hospital, … all give zero.
HOUSEHOLDS_PER_HOUSE = {"house": 1, "detached": 1, "bungalow": 1, "farm": 1, "static_caravan": 1, "houseboat": 1,
                        "semidetached_house": 2}
BY_FLOOR_AREA = ("apartments", "residential", "dormitory", "terrace")
LOW_RISE = ("terrace",)  # without floors in the file these take `house_floors`, the others `default_floors`
UNTAGGED = ("", "yes")  # a footprint nobody classified: a home only when floors are known or the size is typical


class EstimateSettingsError(ValueError):
    """A setting outside its sensible range; `field` names which one."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Estimate:
    households: int
    residents: int
    elderly: int


def validate(raw: dict | None) -> dict:
    """A complete settings table from a partial one (missing keys take defaults); raises EstimateSettingsError."""
    out = dict(DEFAULTS)
    for field, value in (raw or {}).items():
        if field not in DEFAULTS:
            raise EstimateSettingsError(field, f"unknown estimate setting {field!r}")
        if value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise EstimateSettingsError(field, f"{field} must be a number, got {value!r}") from None
        low, high = LIMITS[field]
        if not low <= number <= high:
            raise EstimateSettingsError(field, f"{field} must lie between {low} and {high}, got {number}")
        out[field] = int(round(number)) if field in WHOLE else number
    return out


def _half_up(x: float) -> int:
    # round() rounds halves to even: 2.5 → 2 but 3.5 → 4; a count people check by hand rounds halves up
    return int(math.floor(x + 0.5))


def footprint_areas_m2(geometries, centre_lon: float | None = None) -> np.ndarray:
    """Square metres of WGS-84 footprints, measured in a local projection centred on `centre_lon`
    (default: the middle of the footprints' own extent)."""
    geoms = np.asarray(geometries, dtype=object)
    if geoms.size == 0:
        return np.zeros(0)
    if centre_lon is None:
        minx, _, maxx, _ = shapely.total_bounds(geoms)
        centre_lon = (minx + maxx) / 2
    to_metric = Transformer.from_crs("EPSG:4326", crs.metric_crs(centre_lon, 0.0), always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = to_metric.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.area(shapely.transform(geoms, project))


def households(area_m2: float, floors: float | None, kind: str | None, settings: dict = DEFAULTS) -> int:
    """Households of one building by the rule of docs/estimates.md; zero for what is not a home."""
    tag = (kind or "").strip().lower()
    floors = floors if floors and floors > 0 else None
    if not area_m2 or area_m2 < settings["min_footprint_m2"]:
        return 0
    if tag in HOUSEHOLDS_PER_HOUSE:
        return HOUSEHOLDS_PER_HOUSE[tag]
    if tag in BY_FLOOR_AREA:
        floors = floors or (settings["house_floors"] if tag in LOW_RISE else settings["default_floors"])
    elif tag in UNTAGGED:
        if floors is None and area_m2 > settings["max_untagged_footprint_m2"]:
            return 0
        floors = floors or settings["default_floors"]
    else:
        return 0
    # a home holds at least one household, however small the rule's share of it
    return max(1, _half_up(area_m2 * floors * settings["usable_share"] / settings["floor_area_per_household_m2"]))


def estimate(area_m2: float, floors: float | None, kind: str | None, settings: dict = DEFAULTS) -> Estimate:
    """Households, then residents = households × household size, then elderly = residents × share aged 60+."""
    h = households(area_m2, floors, kind, settings)
    residents = _half_up(h * settings["household_size"])
    return Estimate(h, residents, _half_up(residents * settings["share_60_plus"]))
