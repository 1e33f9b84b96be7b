"""Flask CLI: `flask --app app import FILE --as …` and `flask --app app export LAYER --format … -o FILE`."""
from __future__ import annotations

from contextlib import contextmanager
import getpass
import time
from pathlib import Path

import click
from flask import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from db import batches, cases, exporting, importer
from db.access import SYSTEM
from db.engine import session_scope
from db.onboarding import import_file
from db.migrate import upgrade_to_head
from geodata import crs as crs_mod
from geodata.importing import coords, mapping as mp, prepare as prep
from geodata.importing.errors import ImportRefused
from layouts import text
from workflow.vocab import CLI_IMPORT_ACTOR
from workflow import case_table
import settings

cli_import = Blueprint("jinlin_cli_import", __name__, cli_group=None)


def _report(plan: importer.Plan, dry_run: bool, seconds: float) -> None:
    c = plan.counts
    click.echo(f"{'dry run: nothing written' if dry_run else 'imported'} ({plan.kind}, crs {plan.crs_used}"
               f"{', encoding ' + plan.encoding if plan.encoding else ''}) in {seconds:.1f}s")
    click.echo(f"  read {c['read']}: new {c['new']}, updated {c['updated']}, unchanged {c['unchanged']}, "
               f"rejected {c['rejected']} (repaired {c['repaired']}, multi-part {c['multipart']})")
    if c.get("reattached"):
        click.echo(f"  compounds moved to the grid they overlap most: {c['reattached']}")
    for note in plan.notes:
        click.echo(f"  note: {note}")
    for notice in plan.notices:
        click.echo(f"  {'warning' if notice['kind'] in prep.WARNINGS else 'note'}: {prep.notice_text(notice)}")
    shown = [p for p in plan.problems if p["reason"] != "repaired"][:20]
    for p in shown:
        where = f"row {p['row']}" if p["row"] is not None else "-"
        click.echo(f"  {where} [{p['id']}]: {p['reason']} {p['detail']}".rstrip())
    rest = len([p for p in plan.problems if p["reason"] != "repaired"]) - len(shown)
    if rest > 0:
        click.echo(f"  … and {rest} more problems")


def _import_cases(file: Path, crs: str | None, dry_run: bool, only_valid: bool) -> None:
    """Cases from a sheet (the same checks as /cases/): every bad row reported; written only when all are good,
    or with --only-valid just the good ones; always in one transaction."""
    now = settings.now()
    try:
        rows = case_table.read_case_table(file.read_bytes(), file.name, now)
        shift = coords.parse_crs(crs)
    except (case_table.TableError, ImportRefused) as err:
        raise click.ClickException(f"{file.name}: {getattr(err, 'detail', None) or text.words(err)} (nothing written)") from None
    if shift not in (None, "EPSG:4326"):
        if shift not in crs_mod.SHIFTED:
            raise click.ClickException(f"{file.name}: cases take longitude/latitude in WGS-84, gcj02 or bd09, "
                                       f"not {crs} (nothing written)")
        for row in rows:
            if not row.problems:
                lon, lat = crs_mod.to_wgs84([row.values["lon"]], [row.values["lat"]], shift)
                row.values["lon"], row.values["lat"] = round(float(lon[0]), 7), round(float(lat[0]), 7)
    with session_scope() as session:
        check = cases.check_import(session, rows, SYSTEM)
        for number, reason in check.refused:
            click.echo(f"  row {number}: {text.words(reason)}")
        click.echo(f"{file.name}: {check.total} rows, {len(check.valid)} valid, {len(check.refused)} refused")
        if dry_run:
            click.echo("dry run: nothing written")
            return
        if check.refused and not only_valid:
            raise click.ClickException("some rows are refused: fix them, or add --only-valid to import just the "
                                       "valid rows (nothing written)")
        codes = cases.import_cases(session, check.valid, CLI_IMPORT_ACTOR, SYSTEM, now)
    click.echo(f"imported {len(codes)} cases" + (f": {codes[0]} … {codes[-1]}" if codes else ""))


@cli_import.cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "kind", type=click.Choice([*mp.KINDS, "cases"]), required=True, help="what the features are")
@click.option("--crs", default=None,
              help=text.CLI_CRS_HELP)
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help='JSON {"our field": "source column" or "=constant"}')
@click.option("--layer", default=None, help="layer name in a multi-layer file (GeoPackage)")
@click.option("--street", default=None, help="communities: the 9-digit street code they belong to (created if new)")
@click.option("--street-name", default=None, help="communities: name of a new street")
@click.option("--dry-run", is_flag=True, help="show what would change, write nothing")
@click.option("--only-valid", is_flag=True, help="cases: import the valid rows even when others are refused")
def import_command(file: Path, kind: str, crs: str | None, mapping_file: Path | None, layer: str | None,
                   street: str | None, street_name: str | None, dry_run: bool, only_valid: bool) -> None:
    """Import FILE (GeoJSON, zipped Shapefile, GeoPackage, KML, OSM PBF/XML, CSV/Excel) as one layer, all or nothing."""
    started = time.perf_counter()
    upgrade_to_head()
    if kind == "cases":
        _import_cases(file, crs, dry_run, only_valid)
        return
    with refused_in_words(file):
        with session_scope() as session:
            plan = import_file(session, file, kind, crs, mp.load_mapping(mapping_file), dry_run, street, street_name,
                               layer, user=cli_user())
    _report(plan, dry_run, time.perf_counter() - started)


@contextmanager
def refused_in_words(file: Path):
    """An import the importer or the database refuses ends the command with the reason, never a traceback."""
    try:
        yield
    except ImportRefused as err:
        raise click.ClickException(f"{file.name}: {err.detail} (nothing written)") from None
    except SQLAlchemyError as err:
        cause = str(getattr(err, "orig", None) or err)[:300]
        raise click.ClickException(f"{file.name}: the database refused the import, nothing written: "
                                   f"{err.__class__.__name__}: {cause}") from None


@cli_import.cli.command("export")
@click.argument("layer", type=click.Choice(exporting.EXPORT_LAYERS))
@click.option("--format", "fmt", type=click.Choice(list(exporting.FORMATS)), default="geojson", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(layer: str, fmt: str, output: Path) -> None:
    """Write one layer (WGS-84) to a GeoJSON, GeoPackage or Excel file."""
    with session_scope() as session:
        frame = exporting.layer_frame(session, layer)
    exporting.write_layer(frame, output, fmt, layer)
    click.echo(f"exported {len(frame)} {layer} to {output}")


def cli_user() -> str:
    """Who ran a command, for the batch list: the login name, or "cli" where there is none (a container)."""
    try:
        return getpass.getuser() or "cli"
    except (KeyError, OSError):
        return "cli"


@cli_import.cli.command("import-batches")
def import_batches_command() -> None:
    """List every import batch, newest first: id, time, kind, file, counts, status."""
    upgrade_to_head()
    with session_scope() as session:
        rows = batches.list_batches(session)
    if not rows:
        click.echo("no import batches yet")
        return
    for b in rows:
        counts = ", ".join(f"{k} {v}" for k, v in b["counts"].items() if k in ("new", "updated", "deleted",
                                                                              "reattached") and v)
        status = b["status"] if b["status"] == "applied" else \
            f"rolled back {b['rolled_back_at']:%Y-%m-%d %H:%M} by {b['rolled_back_by'] or '-'}"
        click.echo(f"{b['id']:>5}  {b['created_at']:%Y-%m-%d %H:%M}  {b['kind']:<14} {b['file_name'] or '-'}  "
                   f"[{counts or 'no changes'}]  by {b['created_by'] or '-'}  {status}")


@cli_import.cli.command("rollback-import")
@click.argument("batch_id", type=int)
def rollback_import_command(batch_id: int) -> None:
    """Undo import batch BATCH_ID: what it created removed, what it updated or deleted restored."""
    upgrade_to_head()
    try:
        with session_scope() as session:
            done = batches.rollback_batch(session, batch_id, cli_user(), settings.now())
    except ImportRefused as err:
        raise click.ClickException(f"batch {batch_id} not rolled back, nothing changed: {err.detail}") from None
    click.echo(f"rolled back batch {batch_id}: {done['removed']} rows removed, {done['restored']} restored")
