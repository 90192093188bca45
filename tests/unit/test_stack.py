"""The stack's settings and environment (``cli.stack``), without starting anything."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from cli import stack
from common.errors import HavenError
from common.settings import Settings


@pytest.mark.parametrize("field", ["airflow_api_url", "portal_url"], ids=["airflow api server", "portal"])
def test_the_stack_listens_on_loopback_only(tmp_path: Path, field: str) -> None:
    settings = Settings(home=tmp_path / "home", **{field: "http://0.0.0.0:8088"})
    with pytest.raises(HavenError, match=r"127\.0\.0\.1 only"):
        stack.prepare(settings, spark=False, say=lambda _m: None)
    assert not (tmp_path / "home" / "stack").exists()  # refused before anything started


def test_the_settings_file_holds_the_stack_values_over_the_operators(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HAVEN_K_ANONYMITY", "20")
    monkeypatch.setenv("HAVEN_CATALOG_URL", "sqlite:///elsewhere.db")
    settings = Settings(home=tmp_path / "home")
    path = stack.write_settings(settings, {"catalog_url": "postgresql+psycopg://h:p@127.0.0.1:5/c"})

    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds the database password
    monkeypatch.delenv("HAVEN_K_ANONYMITY")
    monkeypatch.delenv("HAVEN_CATALOG_URL")
    loaded = stack.load_stack_settings(settings)
    assert (loaded.home, loaded.k_anonymity, loaded.catalog_url) == (
        settings.home,
        20,
        "postgresql+psycopg://h:p@127.0.0.1:5/c",
    )


def test_services_get_airflow_and_haven_settings_from_the_stack_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW__CORE__UNIT_TEST_MODE", "True")
    monkeypatch.setenv("HAVEN_SPARK_MASTER", "local[7]")
    settings = Settings(
        home=tmp_path / "home",
        airflow_database_url="postgresql+psycopg://h:p@127.0.0.1:5/a",
        airflow_api_url="http://127.0.0.1:18088",
    )
    env = stack.service_environment(settings)

    assert "AIRFLOW__CORE__UNIT_TEST_MODE" not in env and "HAVEN_SPARK_MASTER" not in env
    assert {k: env[k] for k in env if k.startswith(("AIRFLOW__CORE__EX", "AIRFLOW__DATABASE", "HAVEN_"))} == {
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://127.0.0.1:18088/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg://h:p@127.0.0.1:5/a",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": "postgresql+psycopg://h:p@127.0.0.1:5/a",
        "HAVEN_HOME": str(settings.home),
        "HAVEN_SETTINGS_FILE": str(settings.home / "stack" / "settings.toml"),
    }
    # The components share one JWT secret, kept owner-only; a second call reads the same.
    assert (
        env["AIRFLOW__API_AUTH__JWT_SECRET"]
        == stack.service_environment(settings)["AIRFLOW__API_AUTH__JWT_SECRET"]
    )
    secret = settings.home / "stack" / "secrets" / "airflow-jwt-secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_no_service_opens_a_log_server() -> None:
    settings = Settings()
    assert [stack._argv(settings, name)[1:] for name in stack.SERVICES[:3]] == [
        ["scheduler", "--skip-serve-logs"],
        ["dag-processor"],
        ["triggerer", "--skip-serve-logs"],
    ]
