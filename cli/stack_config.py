"""The stack's settings and environment (``cli.stack`` starts the processes).

The stack's settings live in one owner-only file, ``HAVEN_HOME/stack/settings.toml``, that
every service reads (``HAVEN_SETTINGS_FILE``); Airflow's configuration is computed from them.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from common.errors import HavenError
from common.files import make_private
from common.settings import PROJECT_ROOT, Settings


def stack_dir(settings: Settings) -> Path:
    return settings.home / "stack"


def settings_file(settings: Settings) -> Path:
    """The stack's settings file; ``HAVEN_SETTINGS_FILE=<it> haven ...`` talks to the stack."""
    return stack_dir(settings) / "settings.toml"


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.hostname is None or parts.port is None:
        raise HavenError(f"the stack needs a URL with a host and a port: {url}")
    return parts.hostname, parts.port


def loopback_only(url: str) -> None:
    host, _ = host_port(url)
    if host not in ("127.0.0.1", "localhost"):
        raise HavenError(f"the stack listens on 127.0.0.1 only, not {host}: {url}")


def _toml_line(key: str, value: object) -> str:
    if isinstance(value, bool):
        return f"{key} = {'true' if value else 'false'}"
    if isinstance(value, int | float):
        return f"{key} = {value}"
    return f"{key} = {json.dumps(str(value))}"  # a JSON string is a TOML basic string


def write_settings(settings: Settings, values: dict[str, object]) -> Path:
    """The stack's settings file: every setting of ``settings`` that is not a default (from
    the environment and the operator's own file) with the stack's ``values`` over them,
    owner-only (it holds database passwords)."""
    merged = {**settings.model_dump(mode="json", exclude_defaults=True), **values}
    lines = ["# Written by `haven stack up`: the settings every service of the stack reads.", "[haven]"]
    lines += [_toml_line(key, value) for key, value in merged.items() if value is not None]
    path = settings_file(settings)
    make_private(path.parent)
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def load_stack_settings(settings: Settings) -> Settings:
    """The settings the stack's services run with (its file over the defaults)."""
    path = settings_file(settings)
    if not path.is_file():
        raise HavenError(f"no stack in {settings.home}: run `make stack` (or `haven stack up`)")
    with path.open("rb") as handle:
        data = tomllib.load(handle)["haven"]
    return Settings(**{k: v for k, v in data.items() if k in Settings.model_fields})


def _secret(settings: Settings, name: str) -> str:
    path = stack_dir(settings) / "secrets" / name
    if not path.is_file():
        make_private(path.parent)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


# How soon the stack's scheduler notices work left by a dead scheduler or a dead task.
RECOVERY_CHECK_SECONDS = 30
TASK_HEARTBEAT_TIMEOUT_SECONDS = 90


def airflow_environment(settings: Settings) -> dict[str, str]:
    """Airflow's configuration in the stack: the embedded one (``cli.airflow_runner``) plus
    the scheduler's executor, the API server's address and the secrets its components share."""
    from cli.airflow_runner import airflow_environment as embedded

    host, port = host_port(settings.airflow_api_url)
    api = settings.airflow_api_url.rstrip("/")
    env = embedded(settings)
    env.update(
        {
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": settings.airflow_metadata_url,
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(
                stack_dir(settings) / "secrets" / "airflow-passwords.json"
            ),
            "AIRFLOW__API__BASE_URL": api,
            "AIRFLOW__API__HOST": host,
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__SECRET_KEY": _secret(settings, "airflow-api-secret-key"),
            "AIRFLOW__API_AUTH__JWT_SECRET": _secret(settings, "airflow-jwt-secret"),
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            # After a scheduler dies, its successor resets the dead one's task instances within
            # half a minute and re-queues them (their retries are idempotent), rather than after
            # Airflow's five-minute defaults: loopback, so a late heartbeat means a dead task.
            "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": str(RECOVERY_CHECK_SECONDS),
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(TASK_HEARTBEAT_TIMEOUT_SECONDS),
        }
    )
    return env


def service_environment(settings: Settings) -> dict[str, str]:
    """The environment every service starts with: this one without Airflow's or Haven's
    settings (the stack's file holds them all), then the stack's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "HAVEN_"))}
    bin_dir = str(Path(sys.executable).parent)
    env.update(
        {
            "HAVEN_HOME": str(settings.home),
            "HAVEN_SETTINGS_FILE": str(settings_file(settings)),
            # The checkout's code wins over any installed copy, in every process Airflow forks.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
            "PATH": os.pathsep.join([bin_dir, env.get("PATH", "")]),
        }
    )
    env.update(airflow_environment(settings))
    return env
