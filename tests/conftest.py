"""Test isolation: every test gets its own HAVEN_HOME; Spark and Airflow are shared per session.

Airflow reads its configuration once per process, so the session points it at one
temporary AIRFLOW_HOME before anything imports it.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

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
def demo_template() -> Path:
    """A SQLite catalogue holding the demonstration, seeded once per session through
    ``catalog.demo.seed`` (what ``haven catalog seed-demo`` runs)."""
    from catalog.db.engine import close_all
    from catalog.demo import seed

    settings = Settings(home=_SESSION_DIR / "demo-template")
    seed(settings)
    close_all()
    return Path(settings.home) / "catalog.db"


@pytest.fixture
def demo(haven_home: Path, demo_template: Path) -> Path:
    """This test's instance holds the demonstration: demo users, the claims dataset and the
    active demo permit. A new catalogue holds none of it."""
    haven_home.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = haven_home / "catalog.db"
    shutil.copyfile(demo_template, target)
    target.chmod(0o600)
    return haven_home


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
