"""Flask CLI: `flask --app app import-osm FILE --street CODE --street-name NAME`, a whole street from OpenStreetMap."""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import click
from flask import Blueprint

from api.cli_import import cli_user, refused_in_words
from db import batches
from db.migrate import upgrade_to_head
from db.onboarding import run_import_osm
from geodata import osm
from workflow.vocab import STREET_CODE_TERM

cli_osm = Blueprint("jinlin_cli_osm", __name__, cli_group=None)
LAYER_WORDS = {"communities": "communities", "compounds": "compounds (landuse=residential)",
               "groups": "generated groups (buildings no compound holds)", "buildings": "buildings",
               "roads": "ways", "service-points": "service points"}


@cli_osm.cli.command("import-osm")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--street", "street_code", required=True, help=f"9-digit street code ({STREET_CODE_TERM})")
@click.option("--street-name", default=None, help="name of the street (required when it is new)")
@click.option("--rules", "rules_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="an edited copy of geodata/osm_rules.json (tags → what they become)")
@click.option("--street-level", type=int, default=None,
              help="admin_level of the street's boundary in the file (default from the rules: 8)")
@click.option("--community-level", type=int, default=None,
              help="admin_level of the communities' boundaries (default from the rules: 10)")
@click.option("--dry-run", is_flag=True, help="show what would change, write nothing")
def import_osm_command(file: Path, street_code: str, street_name: str | None, rules_file: Path | None,
                       street_level: int | None, community_level: int | None, dry_run: bool) -> None:
    """Bring a street in from an OpenStreetMap extract (.osm.pbf or .osm), all or nothing; re-running changes nothing."""
    started = time.perf_counter()
    upgrade_to_head()
    with refused_in_words(file):
        rules = osm.load_rules(rules_file)
        result = run_import_osm(file, street_code, street_name, rules, dry_run, street_level, community_level,
                                batches.Origin(file.name, cli_user()))
    seconds = time.perf_counter() - started
    click.echo(f"{'dry run: nothing written' if dry_run else 'imported'}: street {result.street_code} "
               f"{result.street_name} from {file.name} in {seconds:.1f}s")
    click.echo(f"  street boundary: {result.street_from}; communities: {result.communities_from}")
    for step, plan in result.plans.items():
        c = plan.counts
        click.echo(f"  {LAYER_WORDS[step]}: read {c['read']}, new {c['new']}, updated {c['updated']}, "
                   f"unchanged {c['unchanged']}, rejected {c['rejected']}")
        reasons = Counter(p["reason"] for p in plan.problems if p["reason"] != "repaired")
        if reasons:
            click.echo("    rejected: " + ", ".join(f"{r} {n}" for r, n in sorted(reasons.items())))
        for note in plan.notes:
            click.echo(f"    note: {note}")
    cut = Counter(p["reason"] for p in result.problems)
    if cut:
        click.echo("  the extract cut or left incomplete: " + ", ".join(f"{r} {n}" for r, n in sorted(cut.items()))
                   + " (clipped_repaired: kept as the part inside the extract)")
    for note in result.notes:
        click.echo(f"  note: {note}")
    if not dry_run and result.changed == 0:
        click.echo("  nothing changed: the street was already as the file says")
    elif not dry_run:
        click.echo(f"  import batch {result.batch_id}: `flask --app app rollback-import {result.batch_id}` undoes it")
