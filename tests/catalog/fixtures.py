"""Catalogue fixtures: every test runs once on SQLite and once on PostgreSQL.

PostgreSQL comes from ``HAVEN_TEST_POSTGRES_URL`` or, failing that, the URL file that
``infra/postgres/start.sh`` writes; each test gets its own schema, dropped afterwards. Where
no server answers, the PostgreSQL variant is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from catalog.db.engine import Catalog, close_all, open_catalog
from catalog.db.store import SqlStore
from catalog.demo import seed
from common.settings import PROJECT_ROOT, Settings, get_settings, reset_settings

URL_FILE = PROJECT_ROOT / ".cache" / "postgres" / "url"
START = "bash infra/postgres/start.sh"


@lru_cache(maxsize=1)
def postgres_url() -> tuple[str | None, str]:
    """The test server's URL, or None and why there is none."""
    url = os.environ.get("HAVEN_TEST_POSTGRES_URL", "").strip()
    if not url and URL_FILE.is_file():
        url = URL_FILE.read_text().strip()
    if not url:
        return None, f"PostgreSQL tests skipped: HAVEN_TEST_POSTGRES_URL is unset; run `{START}` first"
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means: no server here
        return None, (
            f"PostgreSQL tests skipped: cannot connect ({type(exc).__name__}); "
            f"start the server with `{START}`"
        )
    finally:
        engine.dispose()
    return url, ""


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_url(
    request: pytest.FixtureRequest,
    haven_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    new_sqlite_catalogue: Path,
) -> Iterator[str]:
    """A fresh, empty catalogue database URL, also set as ``HAVEN_CATALOG_URL``."""
    schema = None
    if request.param == "sqlite":
        target = haven_home / "catalog.db"
        if not target.exists():  # the demonstration's fixtures may have put theirs there
            haven_home.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copyfile(new_sqlite_catalogue, target)
            target.chmod(0o600)
        url = f"sqlite:///{target}"
    else:
        base, reason = postgres_url()
        if base is None:
            pytest.skip(reason)
        schema = f"t_{uuid.uuid4().hex[:16]}"
        admin = create_engine(base)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    monkeypatch.setenv("HAVEN_CATALOG_URL", url)
    reset_settings()
    yield url
    close_all()
    if schema is not None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def settings(catalog_url: str) -> Settings:
    return get_settings()


@pytest.fixture
def catalog(catalog_url: str) -> Catalog:
    """A new catalogue (only the ``system`` user), migrated."""
    return open_catalog()


@pytest.fixture
def demo_catalog(catalog_url: str) -> Catalog:
    """A catalogue with the lake's datasets (described, no data yet), then the demo users and
    permit loaded as ``haven catalog seed-demo`` does."""
    from catalog.db.gateway import unit_of_work
    from tests.catalog.factories import describe_lake

    catalog = open_catalog()
    with unit_of_work() as store:
        describe_lake(store)
    seed()
    return catalog


@pytest.fixture
def store(catalog: Catalog) -> Iterator[SqlStore]:
    """A store over one session; the test's writes commit when it ends."""
    with catalog.session() as session:
        yield SqlStore(session)
