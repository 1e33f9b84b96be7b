"""Flask CLI: `flask --app app import FILE --as …` and `flask --app app export LAYER --format … -o FILE`."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from db import exporting, importer
from db.engine import session_scope
from db.importer import import_file
from db.migrate import upgrade_to_head
from geodata.importing import mapping as mp
from geodata.importing.errors import ImportRefused

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
    shown = [p for p in plan.problems if p["reason"] != "repaired"][:20]
    for p in shown:
        where = f"row {p['row']}" if p["row"] is not None else "-"
        click.echo(f"  {where} [{p['id']}]: {p['reason']} {p['detail']}".rstrip())
    rest = len([p for p in plan.problems if p["reason"] != "repaired"]) - len(shown)
    if rest > 0:
        click.echo(f"  … and {rest} more problems")


@cli_import.cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "kind", type=click.Choice(mp.KINDS), required=True, help="what the features are")
@click.option("--crs", default=None,
              help="EPSG:xxxx, gcj02 (高德/腾讯) or bd09 (百度); required when the file declares none")
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help='JSON {"our field": "source column" or "=constant"}')
@click.option("--layer", default=None, help="layer name in a multi-layer file (GeoPackage)")
@click.option("--street", default=None, help="communities: the 9-digit street code they belong to (created if new)")
@click.option("--street-name", default=None, help="communities: name of a new street")
@click.option("--dry-run", is_flag=True, help="show what would change, write nothing")
def import_command(file: Path, kind: str, crs: str | None, mapping_file: Path | None, layer: str | None,
                   street: str | None, street_name: str | None, dry_run: bool) -> None:
    """Import FILE (GeoJSON, zipped Shapefile, GeoPackage, KML, OSM PBF/XML, CSV/Excel) as one layer, all or nothing."""
    started = time.perf_counter()
    upgrade_to_head()
    try:
        plan = import_file(file, kind, crs, mp.load_mapping(mapping_file), dry_run, street, street_name, layer)
    except ImportRefused as err:
        raise click.ClickException(f"{file.name}: {err.detail} (nothing written)") from None
    except SQLAlchemyError as err:
        cause = str(getattr(err, "orig", None) or err)[:300]
        raise click.ClickException(f"{file.name}: the database refused the import, nothing written: "
                                   f"{err.__class__.__name__}: {cause}") from None
    _report(plan, dry_run, time.perf_counter() - started)


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
