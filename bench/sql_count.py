"""SQL statements per callback of a drill into a community, and walking coverage before and after an unrelated case.

    python bench/sql_count.py                     # a fresh SQLite database seeded with the demo (scale S)
    python bench/sql_count.py --database-url URL  # an existing seeded database (e.g. PostGIS); nothing is seeded

Statements are counted with an SQLAlchemy `before_cursor_execute` listener while the staff app answers the real
`POST /_dash-update-component` of each callback (a Flask test client logged in as the demo admin), cold (every
in-process cache emptied) and warm (the same request again). "Repeats" are statements sent again with the same SQL
text and parameters within one request. Coverage is the panel's walking coverage of the community (every gap type),
timed cold, warm, and after a case is filed in another community. The case stays: use a throw-away database.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CALLBACK_PATH = "/_dash-update-component"


def seed_fresh(scale: str) -> str:
    """A new SQLite file under a temporary folder, migrated and seeded with the demo; its URL."""
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='jinlin-sqlcount-')) / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    from db.migrate import upgrade_to_head
    from db.seed import write_demo
    from geodata import demo

    upgrade_to_head()
    write_demo(demo.generate(scale))
    return url


class Counter:
    """Every statement sent on the engine while `active`, as (SQL text, parameters)."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.statements: list[tuple[str, str]] = []
        self.active = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, parameters, _context, _executemany):
        if self.active:
            self.statements.append((statement, repr(parameters)))

    def run(self, call):
        self.statements, self.active = [], True
        started = time.perf_counter()
        try:
            result = call()
        finally:
            self.active = False
        return result, time.perf_counter() - started, list(self.statements)


def repeats(statements: list[tuple[str, str]]) -> list[tuple[int, str]]:
    """(times sent, first line of the SQL) of every statement sent more than once with the same parameters."""
    seen = collections.Counter(statements)
    return [(n, " ".join(sql.split())[:110]) for (sql, _), n in seen.most_common() if n > 1]


def body(deps: list[dict], output_fragment: str, inputs: dict, state: dict, changed: str) -> dict:
    """The request the Dash renderer sends for the callback whose output names `output_fragment`."""
    dep = next(d for d in deps if output_fragment in d["output"] and not d.get("clientside_function"))
    outputs = [dict(zip(("id", "property"), o.split(".", 1))) for o in dep["output"].strip(".").split("...")]

    def items(declared, values):
        return [{"id": d["id"], "property": d["property"], "value": values.get((d["id"], d["property"]))}
                for d in declared]

    return {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": items(dep["inputs"], inputs), "state": items(dep.get("state", []), state),
            "changedPropIds": [changed]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a seeded database to use instead of a fresh SQLite one")
    parser.add_argument("--scale", default="S", help="demo scale seeded into the fresh database (S)")
    parser.add_argument("--community", help="community code to drill into (default: the first one)")
    parser.add_argument("--show-repeats", type=int, default=8, help="repeated statements listed per callback")
    parser.add_argument("--list", action="store_true", help="list every statement of the cold drill")
    args = parser.parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        print(f"seeding demo {args.scale} into a fresh SQLite database …", flush=True)
        seed_fresh(args.scale)

    from sqlalchemy import select

    from app import server
    from db import areas, cache, cases, coverage, models as m
    from db.access import SYSTEM
    from db.engine import get_engine, session_scope
    from workflow.vocab import GAP_TYPES
    from layouts import ids
    from tests.helpers import login

    with session_scope() as s:
        communities = s.execute(select(m.Area.code).where(m.Area.level == "community")
                                .order_by(m.Area.code)).scalars().all()
    code = args.community or communities[0]
    other = next(c for c in communities if c != code)

    client = server.test_client()
    assert login(client).status_code == 302, "demo admin login failed"
    deps = client.get("/_dash-dependencies").get_json()
    search = f"?area={code}"
    requests = [
        ("render_map", body(deps, f"{ids.MAP_DRILL}.data", {(ids.URL, "search"): search}, {}, f"{ids.URL}.search")),
        ("render_panel", body(deps, f"{ids.PANEL}.children", {(ids.URL, "search"): search}, {},
                              f"{ids.URL}.search")),
        ("panel_details", body(deps, f"{ids.PANEL_DETAILS}.children",
                               {(ids.PANEL_READY, "data"): code, (ids.RATES_DAYS, "data"): 30}, {},
                               f"{ids.PANEL_READY}.data")),
    ]
    counter = Counter(get_engine())

    def post(request_body):
        response = client.post(CALLBACK_PATH, json=request_body)
        assert response.status_code == 200, response.status_code
        return response

    print(f"\ndrill into community {code} ({get_engine().dialect.name})")
    print(f"{'callback':<15} {'cold SQL':>8} {'repeats':>8} {'cold s':>7} {'warm SQL':>8} {'warm s':>7}")
    cache._ENTRIES.clear()
    listed = []
    totals = collections.Counter()
    for name, request_body in requests:
        _, cold_s, cold = counter.run(lambda: post(request_body))
        _, warm_s, warm = counter.run(lambda: post(request_body))
        again = repeats(cold)
        extra = sum(n - 1 for n, _ in again)
        totals.update({"cold": len(cold), "repeats": extra, "warm": len(warm)})
        print(f"{name:<15} {len(cold):>8} {extra:>8} {cold_s:>7.3f} {len(warm):>8} {warm_s:>7.3f}")
        listed.append((name, again))
        if args.list:
            for sql, _ in cold:
                print(f"    {' '.join(sql.split())[:150]}")
    print(f"{'all three':<15} {totals['cold']:>8} {totals['repeats']:>8} {'':>7} {totals['warm']:>8}")
    for name, again in listed:
        if again:
            print(f"\nrepeats in {name} (times sent, SQL):")
            for n, sql in again[:args.show_repeats]:
                print(f"  {n:>3} × {sql}")

    def walk_coverage():
        with session_scope() as s:
            area = areas.get_area(s, code)
            return [coverage.area_coverage(s, area, t) for t in GAP_TYPES]

    cache._ENTRIES.clear()
    _, cold_s, cold = counter.run(walk_coverage)
    _, warm_s, warm = counter.run(walk_coverage)
    with session_scope() as s:
        # a category and source the data already uses, and a spot inside the other community
        like = s.execute(select(m.Case.category, m.Case.source, m.Case.lon, m.Case.lat)
                         .where(m.Case.community_code == other).limit(1)).one()
        filed = cases.create_case(s, cases.NewCase(category=like.category, description="bench", source=like.source,
                                                   lon=like.lon, lat=like.lat), "bench", SYSTEM, dt.datetime.now())
    _, after_s, after = counter.run(walk_coverage)
    print(f"\nwalking coverage of {code} ({len(GAP_TYPES)} types; case {filed.code} filed in {other} before the last run)")
    print(f"{'run':<22} {'seconds':>8} {'SQL':>5}")
    for label, seconds, statements in (("cold", cold_s, cold), ("warm", warm_s, warm),
                                       ("after unrelated case", after_s, after)):
        print(f"{label:<22} {seconds:>8.3f} {len(statements):>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
