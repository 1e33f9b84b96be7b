"""Every layer back out as GeoJSON, GeoPackage or Excel (WGS-84), and tables as Excel or CSV: cells inert.

A spreadsheet runs a cell that begins with = + - @, a tab or a carriage return as a formula: every table cell goes
out through workflow.files (text cells, a ' before such a text where a format has no cell types), times to the
second. GeoJSON is left exact: it is data for GIS tools, and no spreadsheet opens it.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m
from geodata import crs
from workflow import files

EXPORT_LAYERS = ("streets", "communities", "grids", "compounds", "buildings", "roads", "service-points", "posts")
FORMATS = {"geojson": ("GeoJSON", ".geojson"), "gpkg": ("GPKG", ".gpkg"), "xlsx": (None, ".xlsx")}
_LEVELS = {"streets": "street", "communities": "community", "grids": "grid", "compounds": "compound"}
_AREA_COLUMNS = ["code", "name", "level", "parent_code", "households", "residents", "elderly", "party_members",
                 "buildings", "source_id"]


def layer_frame(session: Session, layer: str) -> gpd.GeoDataFrame:
    """One layer as a GeoDataFrame in WGS-84 (an empty layer keeps its columns)."""
    if layer in _LEVELS:
        model, columns = m.Area, list(_AREA_COLUMNS)
        if layer == "grids":
            columns += ["leader_name", "leader_phone"]
        where = [m.Area.level == _LEVELS[layer]]
        order = m.Area.code
    elif layer == "buildings":
        model, where, order = m.Building, [], m.Building.code
        columns = ["code", "name", "compound_code", "grid_code", "community_code", "street_code", "floors", "units",
                   "households", "residents", "elderly", "party_members", "built_year", "source_id"]
    elif layer == "roads":
        model, where, order = m.BasemapFeature, [], m.BasemapFeature.id
        columns = ["id", "street_code", "kind", "name", "source_id"]
    elif layer in ("service-points", "posts"):
        model = m.ServicePoint if layer == "service-points" else m.VolunteerPost
        own = (["code", "service_type", "name", "address", "hours", "phone", "capacity", "is_public"]
               if layer == "service-points" else ["code", "post_type", "name", "slots_required", "schedule"])
        columns = [*own, "compound_code", "grid_code", "community_code", "street_code", "source_id", "lon", "lat"]
        rows = session.execute(select(*[getattr(model, c) for c in columns]).order_by(model.code)).all()
        frame = pd.DataFrame(rows, columns=columns)
        return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat), crs=crs.WGS84)
    else:
        raise ValueError(f"unknown layer {layer!r}; use one of {', '.join(EXPORT_LAYERS)}")
    rows = session.execute(select(*[getattr(model, c) for c in columns], model.geometry).where(*where)
                           .order_by(order)).all()
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=[*columns, "geometry"]), geometry="geometry", crs=crs.WGS84)


def write_layer(frame: gpd.GeoDataFrame, path: Path, fmt: str, layer: str) -> Path:
    """Write `frame` to `path`; Excel gets the geometry as WKT (points also as lon/lat columns)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    path = Path(path)
    if fmt == "xlsx":
        table = pd.DataFrame(frame.drop(columns="geometry"))
        table["wkt"] = frame.geometry.to_wkt(rounding_precision=6) if len(frame) else pd.Series(dtype=str)
        path.write_bytes(frame_xlsx(table, layer))
        return path
    driver = FORMATS[fmt][0]
    if path.exists():
        path.unlink()  # GDAL would append to an existing GeoPackage
    if fmt == "gpkg":  # its attribute table is what gets copied into spreadsheets
        frame = frame.copy()
        for column in frame.select_dtypes(include=["object", "string"]).columns:
            frame[column] = frame[column].map(files.inert)
    pyogrio.write_dataframe(frame, path, driver=driver, layer=layer.replace("-", "_"))
    return path


def frame_xlsx(frame: pd.DataFrame, sheet: str) -> bytes:
    """A table as .xlsx bytes: its columns as the header, every text a text cell, times to the second."""
    return files.xlsx_bytes([str(c) for c in frame.columns], frame.itertuples(index=False, name=None), sheet)


def frame_csv(frame: pd.DataFrame) -> bytes:
    """A table as CSV bytes with a UTF-8 BOM (Excel on Chinese Windows), every cell inert, times to the second."""
    return files.csv_bytes([str(c) for c in frame.columns], frame.itertuples(index=False, name=None))
