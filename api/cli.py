"""Flask CLI commands: `flask --app app seed-demo --scale S|M|L`."""
from __future__ import annotations

import time

import click
from flask import Blueprint

from db.bootstrap import prepare
from db.migrate import upgrade_to_head
from db.seed import write_demo
from geodata import demo

cli = Blueprint("jinlin_cli", __name__, cli_group=None)


@cli.cli.command("seed-demo")
@click.option("--scale", type=click.Choice(list(demo.SCALES), case_sensitive=False), default="S", show_default=True,
              help="S: one street; M: a district (~30k buildings); L: a city (~150k buildings, 1M cases)")
@click.option("--seed", type=int, default=demo.DEFAULT_SEED, show_default=True)
def seed_demo(scale: str, seed: int) -> None:
    """Replace all data with a generated demo street (demo data, invented people)."""
    started = time.perf_counter()
    say = lambda msg: click.echo(f"[{time.perf_counter() - started:6.1f}s] {msg}")
    upgrade_to_head()
    data = demo.generate(scale.upper(), seed=seed, progress=say)
    counts = write_demo(data, progress=say)
    click.echo(f"seeded scale {scale.upper()}: {counts} in {time.perf_counter() - started:.1f}s")


@cli.cli.command("init-db")
@click.option("--seed-demo/--no-seed-demo", default=False, show_default=True,
              help="seed the demo street (scale S) when the database is empty")
def init_db(seed_demo: bool) -> None:
    """Bring the schema to the newest migration (run once before starting gunicorn workers)."""
    seeded = prepare(seed_if_empty=seed_demo)
    click.echo("database ready" + (" (demo street seeded)" if seeded else ""))
