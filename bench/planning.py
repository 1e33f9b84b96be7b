"""Walking coverage and siting speed at a demo scale: network + coverage of 5 types, a what-if, MCLP k=10 of 500.

    python bench/planning.py --scale M [--database-url URL] [--repeat 20]

Seeds bench/out/jinlin-<scale>.sqlite3 once (shared with map_speed.py) unless --database-url is given, then
prints one line per measurement beside the issue's target. Nothing here is asserted: the numbers are the result.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.map_speed import prepare_database, say, sqlite_url  # noqa: E402

TYPES = ("日间照料中心", "爱心食堂", "儿童之家", "党群服务中心", "红色驿站")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="M")
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=20, help="what-if runs to take the median of")
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url or sqlite_url(prepare_database(args.scale))

    import numpy as np
    from sqlalchemy import select

    from db import cache, models as m, planning, walking
    from db.engine import session_scope
    from geodata import siting, standards

    with session_scope() as session:
        streets = session.execute(select(m.Area.code).where(m.Area.level == "street").order_by(m.Area.code)
                                  ).scalars().all()
        buildings = session.execute(select(m.Building.code).where(m.Building.street_code.in_(streets))).all()
        say(f"{len(streets)} streets, {len(buildings)} buildings")

        cache._ENTRIES.clear()  # cold: nothing built yet in this process
        started = time.perf_counter()
        build_s = 0.0
        for street in streets:
            t = time.perf_counter()
            ctx = walking.street_network(session, street)
            build_s += time.perf_counter() - t
            for service_type in TYPES:
                walking.walking_distances(session, street, service_type)
        total = time.perf_counter() - started
        nodes = ctx.net.components_report()["nodes"]
        rows = [("network build + walking coverage of 5 types, every building", f"{total:.2f} s", "< 5 s",
                 f"{len(streets)} streets; network load+build {build_s:.2f} s; last street {nodes} nodes")]

        street = streets[0]
        ctx = walking.street_network(session, street)
        std = walking.get_standards(session)
        rng = np.random.default_rng(6)
        minx, miny, maxx, maxy = ctx.buildings.total_bounds
        spots = np.column_stack([rng.uniform(minx, maxx, args.repeat), rng.uniform(miny, maxy, args.repeat)])
        times = []
        for lon, lat in spots:
            t = time.perf_counter()
            planning.what_if(session, street, "日间照料中心", [{"lon": float(lon), "lat": float(lat)}], [])
            times.append(time.perf_counter() - t)
        rows.append(("single-site what-if (median of %d)" % args.repeat, f"{statistics.median(times) * 1000:.0f} ms",
                     "< 300 ms", f"max {max(times) * 1000:.0f} ms; {len(ctx.buildings)} buildings; network cached"))
        cache._ENTRIES.clear()  # right after a data change: the street's network is rebuilt first
        t = time.perf_counter()
        planning.what_if(session, street, "日间照料中心", [{"lon": float(spots[0][0]), "lat": float(spots[0][1])}], [])
        rows.append(("single-site what-if, cold", f"{(time.perf_counter() - t) * 1000:.0f} ms", "< 300 ms",
                     "includes loading and building the street's network"))

        cand = np.column_stack([rng.uniform(minx, maxx, args.candidates), rng.uniform(miny, maxy, args.candidates)])
        radius = standards.radius(std, "日间照料中心")
        t = time.perf_counter()
        existing = ctx.matrix(ctx.points[ctx.points.service_type == "日间照料中心"][["lon", "lat"]].to_numpy(),
                              std["detour_factor"])
        matrix = ctx.matrix(cand, std["detour_factor"])
        matrix_s = time.perf_counter() - t
        t = time.perf_counter()
        solution = siting.mclp(existing, matrix, ctx.buildings.elderly.to_numpy(), radius, args.k)
        solve_s = time.perf_counter() - t
        rows.append((f"MCLP k={args.k} of {args.candidates} candidates", f"{matrix_s + solve_s:.2f} s", "< 30 s",
                     f"distances {matrix_s:.2f} s, solve + LP bound {solve_s:.2f} s; {solution.status}; "
                     f"optimality gap vs LP bound {solution.gap * 100:.2f}%; elderly covered "
                     f"{solution.objective:,.0f} of {ctx.buildings.elderly.sum():,}"))

    width = max(len(r[0]) for r in rows)
    print(f"scale {args.scale} · {os.environ['DATABASE_URL'].split('://')[0]}")
    for name, value, target, note in rows:
        print(f"{name:<{width}}  {value:>9}  target {target:<8}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
