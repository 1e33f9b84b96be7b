"""Open a file of any supported format as GeoDataFrames, with the CRS the file declares (or None)."""
from __future__ import annotations

import mmap
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geodata import crs as crs_mod
from geodata.importing.archive import LIMITS, Limits, check_size, extract_zip, file_refusals
from geodata.importing.errors import ImportRefused
from workflow import files
from workflow.vocab import LAT_COLUMNS, LON_COLUMNS

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".kml", ".shp")
OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm")
TABLE_SUFFIXES = (".csv", ".xlsx")
LON_NAMES, LAT_NAMES = LON_COLUMNS, LAT_COLUMNS  # in the order they are tried
# a "crs" member holding an object: in JSON text an unescaped "crs" followed by ':' can only be a key
GEOJSON_CRS_MEMBER = re.compile(rb'"crs"\s*:\s*\{')


@dataclass
class Source:
    """One opened file: its frames by layer name, the CRS it declares, and notes for the preview.

    `declared_crs` is what GDAL reports; `crs_explicit` says whether the file itself wrote it down. GeoJSON without
    a `crs` member and KML are WGS-84 by their specs, so GDAL reports EPSG:4326, yet files from Chinese map tools
    carry GCJ-02 under the same silence: only an explicit CRS (a .prj, a GeoPackage's srs, a GeoJSON `crs`
    member, OpenStreetMap's WGS-84) settles the question.
    """

    fmt: str
    layers: dict[str, gpd.GeoDataFrame]
    declared_crs: str | None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    crs_explicit: bool = False


def suffix_of(name: str) -> str:
    lower = name.lower()
    for s in (*OSM_SUFFIXES, *VECTOR_SUFFIXES, *TABLE_SUFFIXES, ".zip"):
        if lower.endswith(s):
            return s
    return Path(lower).suffix


def accepted_suffix(name: str) -> str:
    """The suffix of a file name the importer reads on its own (a bare .shp needs its siblings: upload a .zip)."""
    suffix = suffix_of(name)
    if suffix not in (".zip", *OSM_SUFFIXES, *VECTOR_SUFFIXES, *TABLE_SUFFIXES) or suffix == ".shp":
        raise ImportRefused("format", f"unsupported file type {suffix!r}", suffix=suffix or "?")
    return suffix


def read_source(path: Path, limits: Limits = LIMITS) -> Source:
    """Read `path` by its extension. Bad files raise ImportRefused, never a library's traceback."""
    path = Path(path)
    check_size(path, limits)
    suffix = suffix_of(path.name)
    try:
        if suffix == ".zip":
            with tempfile.TemporaryDirectory(prefix="jinlin-import-") as tmp:
                return _read_unpacked(extract_zip(path, Path(tmp), limits))
        if suffix in OSM_SUFFIXES:
            return _read_osm(path)
        if suffix in TABLE_SUFFIXES:
            return _read_table(path, suffix, limits)
        if suffix == ".shp":  # the CLI may name a Shapefile on disk; its .cpg rules apply as in a zip
            return _read_shapefile(path)
        if suffix in VECTOR_SUFFIXES:
            return _read_vector(path)
    except ImportRefused:
        raise
    except UnicodeDecodeError as err:
        raise ImportRefused("encoding", f"{path.name}: text is not in the declared encoding ({err.reason})") from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
            pyogrio.errors.GeometryError, pyogrio.errors.CRSError, shapely.errors.GEOSException, ValueError,
            KeyError, IndexError, OSError, EOFError) as err:
        raise ImportRefused("corrupt", f"{path.name} cannot be read as {suffix}: {err}") from None
    raise ImportRefused("format", f"unsupported file type {suffix!r}: use .zip (Shapefile), .geojson, .gpkg, .kml, "
                        ".osm.pbf, .osm, .csv or .xlsx", suffix=suffix)


def _declared(info_crs: str | None) -> str | None:
    return info_crs or None


def _frame(path: Path, layer: str | None = None, encoding: str | None = None) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        # GDAL's notes on odd fields and types: the problems that matter are reported per row
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        frame = pyogrio.read_dataframe(path, layer=layer, encoding=encoding, on_invalid="ignore")
    if not isinstance(frame, gpd.GeoDataFrame):
        raise ImportRefused("no_geometry", f"{path.name}: layer {layer or 0} has no geometry column")
    # a GeoPackage we exported (db/exporting.py: texts made inert) comes back as it went out
    for column in frame.select_dtypes(include=["object", "string"]).columns:
        frame[column] = frame[column].map(lambda v: files.revert_inert(v) if isinstance(v, str) else v)
    return frame


def _read_vector(path: Path, encoding: str | None = None) -> Source:
    names = [str(n) for n, _ in pyogrio.list_layers(path)]
    if not names:
        raise ImportRefused("empty_file", f"{path.name} holds no layers")
    layers, declared = {}, None
    for name in names:
        info = pyogrio.read_info(path, layer=name, encoding=encoding)
        if info.get("geometry_type") is None:
            continue
        layers[name] = _frame(path, name, encoding)
        declared = declared or _declared(info.get("crs"))
    if not layers:
        raise ImportRefused("no_geometry", f"{path.name} has no layer with geometry")
    fmt = path.suffix.lower().lstrip(".")
    explicit = declared is not None and (fmt in ("gpkg", "shp") or (fmt in ("geojson", "json")
                                                                    and _geojson_declares_crs(path)))
    return Source(fmt=fmt, layers=layers, declared_crs=declared, encoding=encoding, crs_explicit=explicit)


def _geojson_declares_crs(path: Path) -> bool:
    """Whether the GeoJSON text has a `crs` member (GDAL reports EPSG:4326 either way)."""
    with open(path, "rb") as f:
        if not path.stat().st_size:
            return False
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as text:
            return GEOJSON_CRS_MEMBER.search(text) is not None


def _read_unpacked(files: list[Path]) -> Source:
    shapefiles = [f for f in files if f.suffix.lower() == ".shp"]
    others = [f for f in files if f.suffix.lower() in (".geojson", ".json", ".gpkg", ".kml")]
    if len(shapefiles) + len(others) == 0:
        raise ImportRefused("zip_empty", "the archive holds no .shp, .geojson, .gpkg or .kml")
    if len(shapefiles) + len(others) > 1:
        found = ", ".join(sorted(f.name for f in shapefiles + others))
        raise ImportRefused("zip_many", f"the archive holds several datasets ({found}); zip one per upload",
                            found=found)
    if others:
        return _read_vector(others[0])
    return _read_shapefile(shapefiles[0])


def _read_shapefile(shp: Path) -> Source:
    for part in (".shx", ".dbf"):
        if not any(shp.with_suffix(s).exists() for s in (part, part.upper())):
            raise ImportRefused("shp_parts", f"{shp.name} comes without its {part} file", part=part)
    cpg = next((p for p in (shp.with_suffix(".cpg"), shp.with_suffix(".CPG")) if p.exists()), None)
    if cpg is not None:
        # GDAL honours .cpg itself; say which one it was so the preview shows it
        encoding = cpg.read_text(errors="replace").strip() or None
        source = _read_vector(shp)
        source.fmt, source.encoding = "shapefile", encoding
        return source
    # No .cpg: UTF-8 when every byte decodes as UTF-8, else GBK, the encoding of Chinese GIS exports.
    try:
        source = _read_vector(shp, "utf-8")
        source.encoding = "UTF-8"
    except UnicodeDecodeError:
        source = _read_vector(shp, "gbk")
        source.encoding = "GBK"
        source.notes.append("no .cpg: attributes read as GBK")
    source.fmt = "shapefile"
    return source


def _read_osm(path: Path) -> Source:
    """An OpenStreetMap extract through pyosmium and the tag table (geodata/osm_rules.json): one layer per kind."""
    from geodata import osm  # imported here: geodata.osm needs this package's errors first

    extract = osm.read_extract(path)
    layers = {"buildings": extract.buildings, "compounds": extract.compounds,
              "roads": extract.ways.assign(noded=True), "service-points": extract.points}
    notes = []
    cut = sum(1 for p in extract.problems if p["reason"] == "clipped")
    kept = sum(1 for p in extract.problems if p["reason"] == "clipped_repaired")
    if cut or kept:
        notes.append(f"cut at the extract's edge: {kept} outlines kept as the part inside, {cut} left out")
    return Source(fmt="osm", layers=layers, declared_crs=crs_mod.WGS84, notes=notes,
                  crs_explicit=True)  # OSM is WGS-84 by definition


def find_column(columns, names) -> str | None:
    lowered = {str(c).strip().lower(): c for c in columns}
    return next((lowered[n] for n in names if n in lowered), None)


def _cell_text(value) -> str:
    """A cell as text, the way a table of strings shows it (None empty, 12 as "12", a time as 2026-01-01 09:00:00)."""
    return "" if value is None else str(value)


def _header(cells) -> list[str]:
    """Column names from the first row: an empty one named by its place, a repeated one numbered (a, a.1)."""
    seen: dict[str, int] = {}
    names = []
    for i, cell in enumerate(cells):
        name = _cell_text(cell).strip() or f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        names.append(name)
    return names


def _read_table(path: Path, suffix: str, limits: Limits = LIMITS) -> Source:
    with file_refusals():
        rows = files.read_rows(path, suffix, limits.table, path.name)
    encoding = files.csv_encoding(path, path.name) if suffix == ".csv" else None
    header = _header(rows[0] if rows else ())
    numbered = [(n, cells) for n, cells in enumerate(rows[1:], start=2) if cells]  # spreadsheet rows: header is 1
    table = pd.DataFrame([[_cell_text(c) for c in cells] + [""] * (len(header) - len(cells))
                          for _, cells in numbered], columns=header, dtype=str) if header else pd.DataFrame()
    lon_col, lat_col = find_column(table.columns, LON_NAMES), find_column(table.columns, LAT_NAMES)
    if lon_col is None or lat_col is None:
        raise ImportRefused("no_lonlat", f"{path.name}: no longitude/latitude columns (looked for "
                            f"{'/'.join(LON_NAMES[:4])} and {'/'.join(LAT_NAMES[:3])})",
                            columns=tuple(map(str, table.columns)))
    lon = pd.to_numeric(table[lon_col].astype(str).str.strip(), errors="coerce")
    lat = pd.to_numeric(table[lat_col].astype(str).str.strip(), errors="coerce")
    table = table.assign(_row=[n for n, _ in numbered])
    geometry = [shapely.Point(x, y) if pd.notna(x) and pd.notna(y) else None for x, y in zip(lon, lat)]
    frame = gpd.GeoDataFrame(table.drop(columns=[lon_col, lat_col]), geometry=geometry, crs=None)
    return Source(fmt=suffix.lstrip("."), layers={path.stem: frame}, declared_crs=None, encoding=encoding,
                  notes=[f"coordinates from columns {lon_col} / {lat_col}"])
