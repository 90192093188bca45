"""The production shape on one machine (``make stack``, ``haven stack up|down|status``).

PostgreSQL (two databases: the catalogue and Airflow's metadata), a Spark standalone cluster
(``infra/spark``), Airflow's scheduler (LocalExecutor), DAG processor, triggerer and API
server, and the portal, each a process of its own listening on 127.0.0.1 only. The code is
the embedded default's; only settings differ. They are written to one owner-only file,
``HAVEN_HOME/stack/settings.toml``, that every service reads (``HAVEN_SETTINGS_FILE``), and
Airflow's configuration is computed from them (``cli.stack_config``). Logs, pid files and
secrets live under ``HAVEN_HOME/stack/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from cli.stack_config import (
    host_port,
    load_stack_settings,
    loopback_only,
    service_environment,
    settings_file,
    stack_dir,
    write_settings,
)
from common.errors import HavenError
from common.files import make_private
from common.settings import PROJECT_ROOT, Settings

__all__ = ["down", "load_stack_settings", "prepare", "settings_file", "status", "up", "write_settings"]

AIRFLOW_SERVICES = ("scheduler", "dag-processor", "triggerer", "api-server")
SERVICES = (*AIRFLOW_SERVICES, "portal")
# Airflow's health endpoint names its components so.
_HEALTH_KEYS = {"scheduler": "scheduler", "dag-processor": "dag_processor", "triggerer": "triggerer"}
# Settings the stack decides; the file it writes holds them, and the services' environment
# does not override them.
_BASH = shutil.which("bash") or "/bin/bash"


@dataclass(frozen=True)
class ServiceState:
    """One service as ``haven stack status`` lists it."""

    name: str
    address: str
    state: str  # up, down, starting
    pid: int | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# --- processes ----------------------------------------------------------------------------


def _argv(settings: Settings, name: str) -> list[str]:
    airflow = str(Path(sys.executable).parent / "airflow")
    if name == "api-server":
        host, port = host_port(settings.airflow_api_url)
        return [airflow, "api-server", "--host", host, "--port", str(port), "--workers", "1"]
    if name == "portal":
        host, port = host_port(settings.portal_url)
        return [sys.executable, "-m", "cli", "serve", "--host", host, "--port", str(port)]
    # Task logs are read from the shared log folder: no log server opening a port on every address.
    skip = ["--skip-serve-logs"] if name in ("scheduler", "triggerer") else []
    return [airflow, name, *skip]


def _pid_file(settings: Settings, name: str) -> Path:
    return stack_dir(settings) / "run" / f"{name}.pid"


def running_pid(settings: Settings, name: str) -> int | None:
    """The pid of the service when its process is alive."""
    path = _pid_file(settings, name)
    try:
        pid = int(path.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def start_service(settings: Settings, name: str, env: dict[str, str]) -> int:
    """Start one service in a process group of its own (unless it runs); return its pid."""
    pid = running_pid(settings, name)
    if pid is not None:
        return pid
    logs = stack_dir(settings) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(
            _argv(settings, name),
            env=env,
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    path = _pid_file(settings, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(process.pid))
    make_private(stack_dir(settings))
    return process.pid


def stop_service(settings: Settings, name: str, grace: float = 30.0) -> bool:
    """Stop the service's process group (its workers and their Spark JVMs with it): TERM,
    then KILL after ``grace`` seconds. False when it was not running."""
    pid = running_pid(settings, name)
    _pid_file(settings, name).unlink(missing_ok=True)
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _group_alive(pid):
        _reap(pid)
        time.sleep(0.2)
    if _group_alive(pid):
        os.killpg(pid, signal.SIGKILL)
    _reap(pid)
    return True


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _reap(pid: int) -> None:
    """Collect the exit status when this process started the service (tests), so it goes."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


# --- PostgreSQL and Spark through the project's scripts -----------------------------------


def _script(name: str) -> Path:
    return PROJECT_ROOT / "infra" / name


def _run_script(settings: Settings, script: Path, extra_env: dict[str, str] | None = None) -> str:
    env = {**os.environ, "HAVEN_HOME": str(settings.home), **(extra_env or {})}
    log = stack_dir(settings) / "logs" / f"{script.parent.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as err:
        done = subprocess.run(
            [_BASH, str(script)], env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=err, check=False
        )
    if done.returncode != 0:
        raise HavenError(f"{script.relative_to(PROJECT_ROOT)} failed (exit {done.returncode}); see {log}")
    return done.stdout.decode()


def _postgres_env(settings: Settings) -> dict[str, str]:
    return {"HAVEN_PG_DIR": str(stack_dir(settings) / "postgres"), "HAVEN_PG_DB": "haven_catalog"}


def start_postgres(settings: Settings) -> tuple[str, str]:
    """The stack's own PostgreSQL (``infra/postgres/start.sh``): the catalogue's URL and
    Airflow's (a second database on the same server, created when missing)."""
    import psycopg

    catalog_url = _run_script(settings, _script("postgres/start.sh"), _postgres_env(settings)).split()[-1]
    base, _, _ = catalog_url.rpartition("/")
    with psycopg.connect(base.replace("+psycopg", "") + "/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = 'haven_airflow'").fetchone()
        if exists is None:
            connection.execute("CREATE DATABASE haven_airflow")
    return catalog_url, f"{base}/haven_airflow"


def start_spark(settings: Settings, say: Callable[[str], None]) -> str | None:
    """The master URL of the stack's Spark cluster (``infra/spark/start.sh``), or None when
    this checkout has no such script (the stack then runs Spark in each task's driver)."""
    script = _script("spark/start.sh")
    if not script.is_file():
        say(
            f"spark: {script.relative_to(PROJECT_ROOT)} not found; "
            f"tasks run Spark locally ({settings.spark_master})"
        )
        return None
    return _run_script(settings, script).strip().splitlines()[-1]


# --- the stack ----------------------------------------------------------------------------


def prepare(settings: Settings, *, spark: bool = True, say: Callable[[str], None] = print) -> Settings:
    """PostgreSQL and Spark started, the stack's settings file written and both databases
    migrated: everything but Airflow's services and the portal. Returns the stack's settings."""
    for url in (settings.airflow_api_url, settings.portal_url):
        loopback_only(url)
    make_private(settings.home)
    started = time.monotonic()
    catalog_url, airflow_url = start_postgres(settings)
    say(f"postgres: up ({time.monotonic() - started:.0f}s)")
    values: dict[str, object] = {"catalog_url": catalog_url, "airflow_database_url": airflow_url}
    master = start_spark(settings, say) if spark else None
    if master is not None:
        values["spark_master"] = master
        say(f"spark: {master} ({time.monotonic() - started:.0f}s)")
    write_settings(settings, values)
    stack = load_stack_settings(settings)
    _migrate(stack, service_environment(stack))
    say(f"databases migrated ({time.monotonic() - started:.0f}s)")
    return stack


def up(
    settings: Settings, *, spark: bool = True, say: Callable[[str], None] = print, wait: float = 240.0
) -> Settings:
    """Start every service that is not running and wait until each answers; return the
    settings the stack runs with."""
    started = time.monotonic()
    stack = prepare(settings, spark=spark, say=say)
    env = service_environment(stack)
    # The API server first: the scheduler's first tasks (haven_optout's run starts at once)
    # report to its execution API, and would fail and wait for a retry without it.
    start_service(stack, "api-server", env)
    deadline = time.monotonic() + wait
    while _airflow_health(stack) is None:
        if running_pid(stack, "api-server") is None or time.monotonic() > deadline:
            raise HavenError(f"the Airflow API server did not start; see {stack_dir(stack) / 'logs'}")
        time.sleep(1)
    for name in SERVICES:
        start_service(stack, name, env)
    _wait_until_up(stack, max(deadline - time.monotonic(), 1.0))
    say(f"stack up in {time.monotonic() - started:.0f}s")
    return stack


def _migrate(stack: Settings, env: dict[str, str]) -> None:
    """Both databases at their latest schema before any service starts, so no two services
    race to migrate them."""
    from catalog.db.gateway import unit_of_work

    with unit_of_work(stack):
        pass
    log = stack_dir(stack) / "logs" / "airflow-db-migrate.log"
    with log.open("ab") as out:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "airflow"), "db", "migrate"],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        raise HavenError(f"airflow db migrate failed (exit {done.returncode}); see {log}")


def _service_name(name: str) -> str:
    return f"airflow-{name}" if name in AIRFLOW_SERVICES else name


def _wait_until_up(stack: Settings, wait: float) -> None:
    deadline = time.monotonic() + wait
    names = [_service_name(name) for name in SERVICES]
    while True:
        states = {s.name: s.state for s in status(stack)}
        if all(states.get(name) == "up" for name in names):
            return
        dead = [name for name in names if states.get(name) == "down"]
        if dead or time.monotonic() > deadline:
            which = ", ".join(dead or [n for n in names if states.get(n) != "up"])
            raise HavenError(f"not up: {which}; see {stack_dir(stack) / 'logs'}")
        time.sleep(1)


def down(settings: Settings, say: Callable[[str], None] = print) -> None:
    """Stop every service of the stack, the portal first and PostgreSQL last; a step that
    fails does not keep the next ones from running (the first failure is raised after)."""
    failures: list[HavenError] = []
    for name in reversed(SERVICES):
        if stop_service(settings, name):
            say(f"{name}: stopped")
    steps: list[tuple[str, Path, dict[str, str] | None]] = [("spark", _script("spark/stop.sh"), None)]
    if (stack_dir(settings) / "postgres").exists():
        steps.append(("postgres", _script("postgres/stop.sh"), _postgres_env(settings)))
    for name, script, env in steps:
        if not script.is_file():
            continue
        try:
            _run_script(settings, script, env)
            say(f"{name}: stopped")
        except HavenError as exc:
            failures.append(exc)
    if failures:
        raise failures[0]


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 (a loopback URL of ours)
            return bytes(response.read())
    except OSError:
        return None


def _airflow_health(stack: Settings) -> dict[str, str] | None:
    body = _get(stack.airflow_api_url.rstrip("/") + "/api/v2/monitor/health")
    if body is None:
        return None
    health = json.loads(body)
    return {key: str((value or {}).get("status")) for key, value in health.items()}


def _state(pid: int | None, healthy: bool | None) -> str:
    if pid is None:
        return "down"
    return "up" if healthy else "starting"


def status(settings: Settings) -> list[ServiceState]:
    """Every service of the stack with its address and state (``up``, ``starting``, ``down``)."""
    stack = load_stack_settings(settings)
    states = [_postgres_state(stack)]
    states += _spark_states(stack)
    health = _airflow_health(stack) or {}
    api_host, api_port = host_port(stack.airflow_api_url)
    for name in AIRFLOW_SERVICES:
        pid = running_pid(stack, name)
        key = _HEALTH_KEYS.get(name)
        healthy = bool(health) if key is None else health.get(key) == "healthy"
        address = f"{api_host}:{api_port}" if name == "api-server" else "-"
        states.append(ServiceState(_service_name(name), address, _state(pid, healthy), pid))
    host, port = host_port(stack.portal_url)
    pid = running_pid(stack, "portal")
    answered = _get(stack.portal_url.rstrip("/") + "/") is not None if pid else False
    states.append(ServiceState("portal", f"{host}:{port}", _state(pid, answered), pid))
    return states


def _postgres_state(stack: Settings) -> ServiceState:
    import socket

    from sqlalchemy.engine import make_url

    url = make_url(stack.catalog_url or "")
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=2):
            state = "up"
    except OSError:
        state = "down"
    return ServiceState("postgres", f"{url.host}:{url.port}", state)


def _spark_states(stack: Settings) -> list[ServiceState]:
    script = _script("spark/status.sh")
    if not stack.spark_master.startswith("spark://") or not script.is_file():
        # No cluster of the stack's: each task's driver runs Spark itself.
        return [ServiceState("spark", stack.spark_master, "local")]
    env = {**os.environ, "HAVEN_HOME": str(stack.home)}
    done = subprocess.run([_BASH, str(script)], env=env, cwd=PROJECT_ROOT, capture_output=True, check=False)
    states = []
    for line in done.stdout.decode().splitlines():
        name, address, state = [*line.split("\t"), "-", "-"][:3]
        states.append(ServiceState(name, address, state))
    return states
