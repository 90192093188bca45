"""Alembic environment: runs on the connection that ``catalog.db.engine.migrate`` hands over."""

from __future__ import annotations

from alembic import context

from catalog.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the catalogue migrations through catalog.db.engine.migrate()")
context.configure(
    connection=connection, target_metadata=Base.metadata, render_as_batch=connection.dialect.name == "sqlite"
)
with context.begin_transaction():
    context.run_migrations()
