"""The catalogue database: engine, migrations (Alembic, run from code) and sessions.

The URL comes from the settings (``catalog_url``): a SQLite file in ``HAVEN_HOME`` by
default, PostgreSQL (``postgresql+psycopg://...``) in a deployment. ``open_catalog``
migrates the database to the newest revision on first use in a process, so no
``alembic.ini`` is needed anywhere. A new catalogue holds the schema and the ``system`` user
only; the demonstration data is loaded on request (``catalog.demo``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from common.logging import get_logger, safe
from common.settings import Settings, get_settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration; a database already there is opened without loading Alembic at all
# (tests/catalog/test_db.py checks this against the migration scripts).
HEAD = "0018_standing_indicators"
log = get_logger(__name__)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets its folder created and foreign keys switched on."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False}
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

    return engine


def alembic_config(connection: Any | None = None) -> Any:
    """Alembic's configuration, built in code; the migrations run on ``connection``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> bool:
    """Upgrade the database to ``revision``; True if it held no catalogue before."""
    with engine.begin() as connection:
        fresh = not inspect(connection).has_table("alembic_version")
        if not fresh and revision == "head":
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            if current == [HEAD]:
                return False
        from alembic import command

        command.upgrade(alembic_config(connection), revision)
    return fresh


@dataclass
class Catalog:
    """An open catalogue database: hand out sessions with ``session()``."""

    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends normally and rolls back otherwise."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


_OPEN: dict[str, Catalog] = {}
_LOCK = threading.Lock()


def open_catalog(settings: Settings | None = None) -> Catalog:
    """The catalogue of ``settings`` (default: the process settings), migrated; cached per URL."""
    url = (settings or get_settings()).catalog_url
    assert url is not None
    with _LOCK:
        if url in _OPEN:
            return _OPEN[url]
        engine = make_engine(url)
        fresh = migrate(engine)
        catalog = Catalog(engine, sessionmaker(engine, expire_on_commit=False))
        (log.info if fresh else log.debug)("catalog.opened", backend=safe(engine.dialect.name), created=fresh)
        _OPEN[url] = catalog
        return catalog


def close_all() -> None:
    """Dispose every cached catalogue (tests, and processes that switch instances)."""
    with _LOCK:
        for catalog in _OPEN.values():
            catalog.dispose()
        _OPEN.clear()
