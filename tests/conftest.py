"""Test isolation: every test gets its own HAVEN_HOME; Spark and Airflow are shared per session.

Airflow reads its configuration once per process, so the session points it at one
temporary AIRFLOW_HOME before anything imports it.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# A pytest-xdist worker runs under execnet, whose __main__ has neither __spec__ nor __file__.
# pyspark's Connect client (which Great Expectations imports) reads that as a doctest run
# and exits the worker when its optional gRPC packages are missing; a __file__ says otherwise.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = "<pytest-xdist worker>"

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="haven-tests-"))
os.environ["AIRFLOW_HOME"] = str(_SESSION_DIR / "airflow")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
# dag.test() serialises the DAGs of the dags-folder bundle before running one.
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(Path(__file__).resolve().parents[1] / "dags")
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_SESSION_DIR / 'airflow' / 'airflow.db'}"
os.environ.pop("HAVEN_SETTINGS_FILE", None)
# py4j logs at INFO from finalizers after pytest closed its streams.
logging.getLogger("py4j").setLevel(logging.WARNING)

from common.settings import Settings, reset_settings  # noqa: E402

# The browser's fixtures and hooks, for every test that drives chromium (tests/browser and the
# journeys that run the DAGs first): one Playwright per process, since its sync API marks the
# thread's event loop as running and a second instance cannot start beside it.
pytest_plugins = ["tests.browser.plugin"]


@pytest.fixture(autouse=True)
def haven_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh, isolated Haven instance for every test."""
    home = tmp_path / "var"
    monkeypatch.setenv("HAVEN_HOME", str(home))
    monkeypatch.delenv("HAVEN_SETTINGS_FILE", raising=False)
    reset_settings()
    yield home
    reset_settings()


@pytest.fixture(scope="session")
def new_sqlite_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new SQLite catalogue, migrated once per session (tests/catalog/test_db.py checks what
    migrating gives); each SQLite test starts from a copy, a migration's cost less."""
    from catalog.db.engine import make_engine, migrate

    path = tmp_path_factory.mktemp("new-catalogue") / "catalog.db"
    engine = make_engine(f"sqlite:///{path}")
    assert migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def demo_template() -> Path:
    """A SQLite catalogue holding the demonstration, seeded once per session through
    ``catalog.demo.seed`` (what ``haven catalog seed-demo`` runs) after the seven datasets
    were described as the pipeline describes them, without data yet."""
    from catalog.db.engine import close_all
    from catalog.db.gateway import unit_of_work
    from catalog.demo import seed
    from tests.catalog.factories import describe_lake

    settings = Settings(home=_SESSION_DIR / "demo-template")
    with unit_of_work(settings) as store:
        describe_lake(store)
    seed(settings)
    close_all()
    return Path(settings.home) / "catalog.db"


@pytest.fixture
def demo(haven_home: Path, demo_template: Path) -> Path:
    """This test's instance holds the demonstration: the lake's datasets (described, no data
    yet), demo users and the active demo permit. A new catalogue holds none of it."""
    haven_home.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = haven_home / "catalog.db"
    shutil.copyfile(demo_template, target)
    target.chmod(0o600)
    return haven_home


@pytest.fixture
def demo_claims_only(demo: Path) -> Path:
    """The demonstration with the demo permit narrowed to its claims dataset
    (``tests.factories.narrow_demo_permit_to_claims``)."""
    from tests.factories import narrow_demo_permit_to_claims

    narrow_demo_permit_to_claims(demo)
    return demo


@pytest.fixture(scope="session")
def spark_settings() -> Settings:
    """Settings of the shared test Spark session: few partitions, UI off."""
    return Settings(
        home=_SESSION_DIR / "spark-home",
        spark_master="local[2]",
        spark_shuffle_partitions=2,
        spark_driver_memory="1g",
    )


@pytest.fixture(scope="session")
def spark(spark_settings: Settings):
    from common.spark import get_spark

    session = get_spark(spark_settings)
    yield session
    session.stop()


def _start_order(item: pytest.Item) -> float:
    """Slow files by the minutes their marker says (``slow(minutes=20)``), longest first,
    then every other test in collection order."""
    slow = item.get_closest_marker("slow")
    return 0.0 if slow is None else -float(slow.kwargs.get("minutes", 1))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The few slow tests first, the longest first (their order otherwise kept): with two
    workers (``make test``, which keeps this order), the longest start at once and the short
    files fill in around them, instead of a long file running alone at the end."""
    items.sort(key=_start_order)
