"""Import speed: 30k building footprints into the demo street, and whole streets from OpenStreetMap extracts.

    python bench/import_speed.py [--buildings 30000] [--postgis]
    python bench/import_speed.py --osm [--buildings 30000] [--postgis]

Seeds the demo street (scale S) into a fresh database, writes N synthetic footprints laid out on a lattice inside its
compounds to a GeoPackage (the format a surveying bureau hands over), then times, through the same code as
`flask --app app import FILE --as buildings`: the dry run (read + plan), the import (read + plan + one transaction),
and a re-import of the same file (every row unchanged). Prints seconds; the issue's target is < 30 s for 30k.

With --osm: `flask --app app import-osm` into an empty database (no demo), on the extract in tests/data/ and on a
generated extract of N buildings (a lattice of blocks and ways with some residential areas and services, written as
.osm.pbf with pyosmium), each imported and then imported again (nothing changes).
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

import numpy as np

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
    from db.engine import session_scope
    from db.onboarding import import_file
    from db.migrate import upgrade_to_head
    from db.seed import write_demo
    from geodata import demo
    from tests.helpers import demo_street_as_real_data

    upgrade_to_head()
    write_demo(demo.generate("S"))
    demo_street_as_real_data()  # the demo street as a deployment's own: imports into the demo are refused
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "楼栋.gpkg"
        frame = footprints(n)
        frame.to_file(path, driver="GPKG")
        mapping = {"source_id": "bh", "floors": "层数", "households": "户数"}
        out = {"buildings in file": len(frame)}
        for step, dry in (("dry run (read + plan)", True), ("import (one transaction)", False),
                          ("re-import, all unchanged", False)):
            started = time.perf_counter()
            with session_scope() as session:
                plan = import_file(session, path, "buildings", None, mapping, dry)
            out[step] = (time.perf_counter() - started, plan.counts["new"], plan.counts["unchanged"])
    print(f"\n{label}: {out['buildings in file']} buildings")
    for step, value in out.items():
        if isinstance(value, tuple):
            print(f"  {step:28s} {value[0]:6.1f} s   new {value[1]:6d}  unchanged {value[2]:6d}")
    return out


def osm_extract(path: Path, n: int) -> None:
    """An .osm.pbf with n buildings: blocks of 6 × 10 footprints between ways, every third block a residential area,
    a service every ten blocks. Near 成都 (104°E), so a fixed projection for the east of China would be wrong here."""
    import osmium

    lon0, lat0 = 104.05, 30.65
    dx, dy = 1 / 95_900, 1 / 110_850  # degrees per metre there
    block_w, block_h, gap = 130.0, 210.0, 20.0
    per_block = 60
    blocks = -(-n // per_block)
    cols = int(np.ceil(np.sqrt(blocks * block_h / block_w)))
    rows = -(-blocks // cols)
    node_id, way_id = 1, 1
    nodes, ways = [], []

    def node(x, y, tags=None):
        nonlocal node_id
        nodes.append(osmium.osm.mutable.Node(id=node_id, location=(lon0 + x * dx, lat0 + y * dy), tags=tags or {}))
        node_id += 1
        return node_id - 1

    def way(refs, tags):
        nonlocal way_id
        ways.append(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags))
        way_id += 1

    pitch_x, pitch_y = block_w + gap, block_h + gap
    grid = {(i, j): node(i * pitch_x - gap / 2, j * pitch_y - gap / 2) for i in range(cols + 1) for j in range(rows + 1)}
    for j in range(rows + 1):
        way([grid[(i, j)] for i in range(cols + 1)], {"highway": "residential" if j % 3 else "secondary"})
    for i in range(cols + 1):
        way([grid[(i, j)] for j in range(rows + 1)], {"highway": "residential" if i % 4 else "tertiary"})
    made = 0
    for b in range(blocks):
        i, j = b % cols, b // cols
        x0, y0 = i * pitch_x, j * pitch_y
        if b % 3 == 0:
            ring = [node(x0 + 2, y0 + 2), node(x0 + block_w - 2, y0 + 2), node(x0 + block_w - 2, y0 + block_h - 2),
                    node(x0 + 2, y0 + block_h - 2)]
            way(ring + ring[:1], {"landuse": "residential", "name": f"小区{b}"})
        if b % 10 == 0:
            node(x0 + block_w / 2, y0 + 4, {"amenity": "community_centre", "name": f"社区中心{b}"})
        for k in range(per_block):
            if made == n:
                break
            bx, by = x0 + 8 + (k % 6) * 20, y0 + 8 + (k // 6) * 20
            ring = [node(bx, by), node(bx + 14, by), node(bx + 14, by + 12), node(bx, by + 12)]
            way(ring + ring[:1], {"building": "residential", "building:levels": str(3 + k % 15)})
            made += 1
    with osmium.SimpleWriter(str(path)) as writer:
        for item in nodes:
            writer.add_node(item)
        for item in ways:
            writer.add_way(item)


def measure_osm(url: str, n: int, label: str) -> None:
    os.environ["DATABASE_URL"] = url
    from db.migrate import upgrade_to_head
    from db.onboarding import run_import_osm
    from geodata import osm

    upgrade_to_head()
    rules = osm.load_rules()
    with tempfile.TemporaryDirectory() as tmp:
        generated = Path(tmp) / "generated.osm.pbf"
        started = time.perf_counter()
        osm_extract(generated, n)
        print(f"\n{label}: generated extract of {n} buildings written in {time.perf_counter() - started:.1f} s "
              f"({generated.stat().st_size / 1e6:.1f} MB)")
        for street, path in (("990000001", ROOT / "tests/data/test.osm.pbf"), ("990000002", generated)):
            for step in ("import-osm", "import-osm again"):
                started = time.perf_counter()
                result = run_import_osm(path, street, f"街道{street[-1]}", rules)
                seconds = time.perf_counter() - started
                counts = result.counts()
                print(f"  {path.name:20s} {step:17s} {seconds:6.1f} s   buildings new {counts['buildings']['new']:6d}"
                      f" unchanged {counts['buildings']['unchanged']:6d}; rows changed {result.changed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=30_000)
    parser.add_argument("--postgis", action="store_true", help="also on a throw-away PostGIS cluster")
    parser.add_argument("--osm", action="store_true", help="import-osm on the shipped and a generated extract")
    args = parser.parse_args()
    run = measure_osm if args.osm else measure
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
                run(admin.rsplit("/", 1)[0] + "/bench_import", args.buildings, "PostGIS")
            finally:
                subprocess.run(["bash", str(ROOT / "scripts/pg_cluster.sh"), "stop", str(pgdir)], check=False)
                shutil.rmtree(pgdir, ignore_errors=True)
        run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.buildings, "SQLite")


if __name__ == "__main__":
    main()
