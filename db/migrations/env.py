"""Alembic environment: runs against the engine of db.engine (DATABASE_URL)."""
from alembic import context

from db.engine import get_engine
from db.models import Base

config = context.config


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection") or get_engine()
    if hasattr(connectable, "connect") and not hasattr(connectable, "execute"):
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite changes a table (a new check, say) by copying it; dropping the old copy would trip the references
        # other tables hold to it. SQLite's own procedure: references off for the change, checked before commit.
        # Off only takes effect outside a transaction, which Python's sqlite3 has not opened yet (no write so far);
        # db/engine turns them on again whenever a connection is handed out.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"migration left {len(broken)} broken references, first: {broken[0]}")


run_migrations_online()
