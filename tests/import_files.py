"""Small input files the import tests write on the fly: Shapefiles in GBK, spreadsheets copied from 高德, archives."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import coordTransform
import geopandas as gpd
import pandas as pd
import shapely

DATA = Path(__file__).resolve().parent / "data"
OSM_PBF = DATA / "test.osm.pbf"


def zip_shapefile(frame: gpd.GeoDataFrame, folder: Path, name: str, encoding: str = "GBK",
                  keep_cpg: bool = True) -> Path:
    """Write `frame` as a Shapefile with attributes in `encoding` and zip it the way a 网格化 export comes."""
    shp_dir = folder / f"{name}_shp"
    shp_dir.mkdir(parents=True, exist_ok=True)
    frame.to_file(shp_dir / f"{name}.shp", encoding=encoding)
    if not keep_cpg:
        (shp_dir / f"{name}.cpg").unlink()
    out = folder / f"{name}.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for part in sorted(shp_dir.iterdir()):
            z.write(part, part.name)
    return out


def grid_frame(community: shapely.Geometry, names: list[str]) -> gpd.GeoDataFrame:
    """`len(names)` grids side by side filling the community's bounding box, with 网格化-style columns."""
    minx, miny, maxx, maxy = community.bounds
    step = (maxx - minx) / len(names)
    boxes = [shapely.box(minx + i * step, miny, minx + (i + 1) * step, maxy).intersection(community)
             for i in range(len(names))]
    return gpd.GeoDataFrame({"网格名称": names, "网格编号": [f"WG{i + 1:03d}" for i in range(len(names))],
                             "网格长": ["测试员"] * len(names)}, geometry=boxes, crs="EPSG:4326")


def canteens_xlsx(path: Path, wgs_points: list[tuple[float, float]], names: list[str]) -> Path:
    """An Excel sheet of 爱心食堂 with coordinates as 高德 shows them (GCJ-02)."""
    gcj = [coordTransform.wgs84_to_gcj02(lon, lat) for lon, lat in wgs_points]
    pd.DataFrame({"序号": range(1, len(names) + 1), "名称": names, "类型": ["爱心食堂"] * len(names),
                  "地址": [f"测试路{i}号" for i in range(1, len(names) + 1)],
                  "经度": [g[0] for g in gcj], "纬度": [g[1] for g in gcj]}).to_excel(path, index=False)
    return path


def write_geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def feature(geometry: shapely.Geometry | None, **props) -> dict:
    return {"type": "Feature", "properties": props,
            "geometry": None if geometry is None else shapely.geometry.mapping(geometry)}
