"""Demo mode: real data never goes into the generated demo, and `clear-demo` ends it (data, accounts, tokens)."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db import cache, models as m, users
from db.seed import TABLES_IN_DELETE_ORDER
from geodata.importing.errors import ImportRefused

# what the demo seeder writes (db/seed.py) and what people add on top of it while trying the demo, children first
DEMO_TABLES = (m.PlanningScenario, m.PlanningCandidate) + TABLES_IN_DELETE_ORDER
IMPORT_TABLES = (m.ImportChange, m.ImportBatch)
CLEAR_COMMAND = "flask --app app clear-demo"


class MixedData(Exception):
    """Imports were made into the demo before they were refused: clearing the demo would delete them too."""

    def __init__(self, batch_ids: list[int]):
        super().__init__(
            f"the demo database also holds {len(batch_ids)} import batches (ids {', '.join(map(str, batch_ids))}): "
            f"clearing the demo would delete what they imported as well. Roll them back "
            f"(`flask --app app rollback-import ID`) and import the files again after `{CLEAR_COMMAND}`, or run "
            f"`{CLEAR_COMMAND} --with-imports` to delete them with the demo. Nothing was removed.")
        self.batch_ids = batch_ids


def refuse_import_into_demo(session: Session) -> None:
    """Called first by every way geodata comes in (a file, an OSM street, a drawn boundary): while the database
    holds the demo, ImportRefused naming the command that ends it. Case sheets are not geodata: they are cases,
    like those filed on the map, and in the demo they are demo cases (clear-demo removes them with the rest)."""
    if users.is_demo(session):
        raise ImportRefused("demo_data", "the database holds the generated demo data; real data is not imported into "
                                         f"it: run `{CLEAR_COMMAND}` first to remove the demo")


def clear_demo(session: Session, with_imports: bool = False) -> dict[str, int]:
    """Remove the demo: every row of what the seeder writes (and what was added to it in demo mode), the demo's
    accounts and display token; demo mode ends. In the caller's transaction: all of it or nothing. Accounts made
    with create-user and the settings (deadlines, standards) stay. Outside demo mode only demo accounts and tokens
    still lying about are removed, never data. {what: rows removed}; all zero when there was no demo."""
    removed: dict[str, int] = {}
    if users.is_demo(session):
        batches = session.execute(select(m.ImportBatch.id).where(m.ImportBatch.status == "applied")
                                  .order_by(m.ImportBatch.id)).scalars().all()
        if batches and not with_imports:
            raise MixedData(list(batches))
        # batches undone since are history of the demo, and go with it
        for table in IMPORT_TABLES + DEMO_TABLES:
            removed[table.__tablename__] = session.execute(delete(table)).rowcount
        # the data-version row forgets the seeder's note (demo mode ends); every kind moves on, so no cache serves
        # the demo again
        cache.mark_changed(session, note=None, seeded_at=None)
    removed.update(users.remove_demo_accounts(session))
    return removed

