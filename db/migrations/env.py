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
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
