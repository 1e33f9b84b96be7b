"""Import speed: 30k building footprints into the demo street, on SQLite and (with --postgis) PostGIS.

    python bench/import_speed.py [--buildings 30000] [--postgis]

Seeds the demo street (scale S) into a fresh database, writes N synthetic footprints laid out on a lattice inside its
compounds to a GeoPackage (the format a surveying bureau hands over), then times, through the same code as
`flask --app app import FILE --as buildings`: the dry run (read + plan), the import (read + plan + one transaction),
and a re-import of the same file (every row unchanged). Prints seconds; the issue's target is < 30 s for 30k.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def footprints(n: int):
    """n small rectangles on a lattice inside the demo compounds (metres in UTM, then WGS-84)."""
    import geopandas as gpd
    import numpy as np
    import shapely
    from sqlalchemy import select

    from db import models as m
    from db.engine import session_scope
    from geodata import crs

    with session_scope() as s:
        rows = s.execute(select(m.Area.code, m.Area.geometry).where(m.Area.level == "compound")).all()
    compounds = gpd.GeoSeries([g for _, g in rows], crs=crs.WGS84).to_crs(crs.DEMO_FRAME)
    # the lattice loses a few cells at odd-shaped edges: aim 40 % over and cut to n
    per = min(int(np.ceil(1.4 * n / len(compounds))), 999)
    shapes = []
    for poly in compounds:
        minx, miny, maxx, maxy = poly.bounds
        side = int(np.ceil(np.sqrt(per))) + 1
        xs, ys = np.linspace(minx, maxx, side + 2)[1:-1], np.linspace(miny, maxy, side + 2)[1:-1]
        w, h = (maxx - minx) / (side + 2) * 0.6, (maxy - miny) / (side + 2) * 0.6
        boxes = [shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2) for x in xs for y in ys]
        boxes = [b for b in boxes if poly.contains(b.centroid)][:per]
        shapes += boxes
    if len(shapes) < n:
        raise SystemExit(f"only {len(shapes)} footprints fit in {len(compounds)} compounds")
    shapes = shapes[:n]
    frame = gpd.GeoDataFrame({"bh": [f"LD{i:06d}" for i in range(len(shapes))],
                              "层数": np.random.default_rng(1).integers(5, 30, len(shapes)),
                              "户数": np.random.default_rng(2).integers(10, 120, len(shapes))},
                             geometry=shapes, crs=crs.DEMO_FRAME).to_crs(crs.WGS84)
    return frame


def measure(url: str, n: int, label: str) -> dict:
    os.environ["DATABASE_URL"] = url
    from db.importer import import_file
    from db.migrate import upgrade_to_head
    from db.seed import write_demo
    from geodata import demo

    upgrade_to_head()
    write_demo(demo.generate("S"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "楼栋.gpkg"
        frame = footprints(n)
        frame.to_file(path, driver="GPKG")
        mapping = {"source_id": "bh", "floors": "层数", "households": "户数"}
        out = {"buildings in file": len(frame)}
        for step, dry in (("dry run (read + plan)", True), ("import (one transaction)", False),
                          ("re-import, all unchanged", False)):
            started = time.perf_counter()
            plan = import_file(path, "buildings", None, mapping, dry)
            out[step] = (time.perf_counter() - started, plan.counts["new"], plan.counts["unchanged"])
    print(f"\n{label}: {out['buildings in file']} buildings")
    for step, value in out.items():
        if isinstance(value, tuple):
            print(f"  {step:28s} {value[0]:6.1f} s   new {value[1]:6d}  unchanged {value[2]:6d}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=30_000)
    parser.add_argument("--postgis", action="store_true", help="also on a throw-away PostGIS cluster")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jinlin-bench-import-") as tmp:
        if args.postgis:
            # its own top-level directory: the cluster runs as the postgres user, who cannot enter ours
            pgdir = Path(tempfile.mkdtemp(prefix="jinlin-bench-pg-"))
            admin = subprocess.run(["bash", str(ROOT / "scripts/pg_cluster.sh"), "start", str(pgdir)],
                                   capture_output=True, text=True, check=True).stdout.strip()
            try:
                from sqlalchemy import create_engine, text

                engine = create_engine(admin, isolation_level="AUTOCOMMIT")
                with engine.connect() as conn:
                    conn.execute(text("CREATE DATABASE bench_import"))
                engine.dispose()
                measure(admin.rsplit("/", 1)[0] + "/bench_import", args.buildings, "PostGIS")
            finally:
                subprocess.run(["bash", str(ROOT / "scripts/pg_cluster.sh"), "stop", str(pgdir)], check=False)
                shutil.rmtree(pgdir, ignore_errors=True)
        measure(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.buildings, "SQLite")


if __name__ == "__main__":
    main()
