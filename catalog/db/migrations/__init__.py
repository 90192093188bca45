"""Alembic migrations of the catalogue database, run from code by ``catalog.db.engine.migrate``."""
