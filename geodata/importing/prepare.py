"""From an opened file to a clean WGS-84 frame of one kind (buildings, grids, service points …), with problems listed."""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata import crs as crs_mod
from geodata.importing import coords, hygiene, mapping as mp
from geodata.importing.errors import ImportRefused
from geodata.importing.readers import Source


@dataclass
class Prepared:
    kind: str
    frame: gpd.GeoDataFrame  # our fields + source_id + _row + geometry (WGS-84)
    counts: dict
    problems: list[dict]
    crs_used: str
    mapping: dict
    columns: list[str]  # the source's own columns, for the UI's mapping dropdowns
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)  # English, for the CLI
    notices: list[dict] = field(default_factory=list)  # the same facts as kinds + params, for the page (text.py)


def pick_layer(source: Source, layer: str | None) -> gpd.GeoDataFrame:
    if layer is None:
        return next(iter(source.layers.values()))
    if layer not in source.layers:
        raise ImportRefused("no_layer", f"no layer {layer!r}; the file has {list(source.layers)}", layer=layer)
    return source.layers[layer]


def source_columns(source: Source, kind: str) -> list[str]:
    if source.fmt == "osm":
        return []
    return [str(c) for c in next(iter(source.layers.values())).columns if c not in ("geometry", "_row")]


def prepare(source: Source, kind: str, crs: str | None = None, mapping: dict | None = None,
            layer: str | None = None) -> Prepared:
    """Mapped, reprojected and cleaned features of `kind`. Raises ImportRefused for a file that cannot go in."""
    if kind not in mp.KINDS:
        raise ImportRefused("bad_kind", f"unknown layer type {kind!r}; use one of {', '.join(mp.KINDS)}", kind=kind)
    if source.fmt == "osm":
        raw = mp.osm_frame(source.layers, kind)
        used_mapping = {"osm": "docs/import.md"}
        attrs = raw.drop(columns="geometry")
        for fieldname in mp.FIELDS[kind]:
            if fieldname not in attrs:
                attrs[fieldname] = None
        attrs = attrs[[*mp.FIELDS[kind], *(c for c in mp.OSM_EXTRA.get(kind, ()) if c in attrs)]]
        rows = pd.Series(np.arange(1, len(raw) + 1), index=raw.index)
    else:
        raw = pick_layer(source, layer)
        used_mapping = dict(mapping) if mapping else mp.guess_mapping(raw.columns, kind)
        attrs = mp.apply_mapping(raw, kind, used_mapping)
        rows = raw["_row"] if "_row" in raw else pd.Series(np.arange(1, len(raw) + 1), index=raw.index)
    frame = gpd.GeoDataFrame(attrs.assign(_row=rows.to_numpy()), geometry=raw.geometry.values, crs=raw.crs)
    frame["source_id"] = frame["source_id"].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                                                or str(v).strip() == "" else str(v).strip())
    problems: list[dict] = []
    notices: list[dict] = []
    if source.fmt != "osm" and used_mapping.get("source_id"):
        frame, notice = _usable_ids(frame, used_mapping["source_id"])
        if notice:
            notices.append(notice)
    read = len(frame)
    family = mp.GEOMETRY_FAMILY[kind]
    declared = source.declared_crs
    chosen = coords.parse_crs(crs)
    if (chosen or declared) in (crs_mod.WGS84, "EPSG:4490", *crs_mod.SHIFTED):
        frame, dropped = _drop_bad_points(frame)
        problems += dropped
    if chosen is None and coords.crs_is_open(frame, declared, source.crs_explicit):
        # WGS-84 only by the format's default, in the one country where most files are not: say so, and how
        notices.append({"kind": "crs_open", "read_as": declared})
    frame, crs_used = coords.to_storage(frame, declared, chosen)
    frame, counts, cleaned = hygiene.clean(frame, family)
    counts["read"] = read
    problems += cleaned
    counts["out_of_range"] = sum(1 for p in problems if p["reason"] in ("out_of_range", "swapped"))
    frame, refused = _check_values(frame, kind)
    problems += refused
    counts["bad_value"] = len(refused)
    notes = list(source.notes)
    if declared and chosen and chosen != declared:
        notes.append(f"declared {declared}, read as {chosen}")
    return Prepared(kind, frame, counts, problems, crs_used, used_mapping, source_columns(source, kind),
                    source.encoding, notes, notices)


NOTICE_TEXT = {"id_not_unique": "column {column} is not unique ({rows} rows, {distinct} distinct value{s}): "
                                "rows keyed on their shape",
               "id_missing": "column {column} is empty on {empty} of {rows} rows: those rows keyed on their shape",
               "crs_open": "the file does not say which coordinates it uses and lies in China: read as WGS-84 "
                           "(GPS, Tianditu). Coordinates from AMap/Tencent need --crs gcj02, from Baidu --crs bd09 "
                           "(≈500 m apart); --crs EPSG:4326 confirms WGS-84",
               "grid_gap": "community {code} {name}: {m2:,} m² ({share:.1%}) lie in no grid; a case taken in there "
                           "goes to the nearest grid"}
WARNINGS = ("crs_open",)  # notices that may mean every coordinate is wrong


def notice_text(notice: dict) -> str:
    """A notice in English, for the CLI (the page says it in Chinese: layouts/text.py)."""
    return NOTICE_TEXT[notice["kind"]].format(s="" if notice.get("distinct") == 1 else "s", **notice)


def _usable_ids(frame: gpd.GeoDataFrame, column: str) -> tuple[gpd.GeoDataFrame, dict | None]:
    """The file's id column, if it can tell rows apart; else none, and why.

    A Shapefile's `Id` is often 0 on every row: taken as an id, every row after the first is a "duplicate" and
    the import loses nearly everything while saying it succeeded. A column with a repeated value identifies
    nothing, so no row uses it: hygiene keys every row on its shape, as for a file without ids. Rows that leave
    the id empty are keyed on their shape too (an export mixing imported and drawn rows keeps its ids).
    """
    ids = frame["source_id"]
    rows, empty, distinct = len(ids), int(ids.isna().sum()), int(ids.nunique(dropna=True))
    if distinct < rows - empty:
        return frame.assign(source_id=None), {"kind": "id_not_unique", "column": column, "rows": rows,
                                              "distinct": distinct}
    if empty:
        return frame, {"kind": "id_missing", "column": column, "rows": rows, "empty": empty}
    return frame, None


def _drop_bad_points(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """Rows whose numbers cannot be longitude/latitude, or only make sense swapped, when most rows are fine."""
    geoms = frame.geometry.values
    has = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    bounds = np.where(has[:, None], shapely.bounds(geoms), 0.0)
    x, y = bounds[:, 0], bounds[:, 1]
    # swapped is a question for points (a spreadsheet's columns); shapes are judged by their extent
    swapped = has & (shapely.get_type_id(geoms) == 0) & coords.swapped_mask(x, y)
    finite = np.isfinite(bounds).all(axis=1)
    out_of_range = has & ~swapped & (~finite | (np.abs(bounds[:, [0, 2]]) > 180).any(axis=1)
                                     | (np.abs(bounds[:, [1, 3]]) > 90).any(axis=1))
    if has.sum() and swapped.sum() > 0.5 * has.sum():
        raise ImportRefused("swapped", "longitude and latitude look exchanged (latitudes in the longitude column)")
    if has.sum() and out_of_range.sum() > 0.5 * has.sum():
        raise ImportRefused("not_lonlat", "most coordinates are outside ±180/±90: give the projected CRS with "
                            "--crs EPSG:xxxx")
    problems = [hygiene.problem(r, s, "out_of_range", f"{a}, {b}") for r, s, a, b in
                zip(frame["_row"][out_of_range], frame["source_id"][out_of_range], x[out_of_range], y[out_of_range])]
    problems += [hygiene.problem(r, s, "swapped", f"{a}, {b}") for r, s, a, b in
                 zip(frame["_row"][swapped], frame["source_id"][swapped], x[swapped], y[swapped])]
    return frame[~(out_of_range | swapped)].copy(), problems


def _check_values(frame: gpd.GeoDataFrame, kind: str) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """Types our vocabulary knows (numbers and lengths: geodata.importing.fields, against the database's limits)."""
    problems = []
    bad = pd.Series(False, index=frame.index)
    if kind in ("service-points", "posts"):
        column = "service_type" if kind == "service-points" else "post_type"
        if frame[column].isna().all() and len(frame):
            raise ImportRefused("need_type", f"no {column} column mapped: map one or give a constant (\"={column}\")",
                                field=column)
        unknown = ~mp.check_vocabulary(frame[column], kind)
        for r, s, v in zip(frame["_row"][unknown], frame["source_id"][unknown], frame[column][unknown]):
            problems.append(hygiene.problem(r, s, "unknown_type", str(v)))
        bad |= unknown
    return frame[~bad].copy(), problems
