"""The stack's scheduler runs the DAGs the way production does, and ends where the embedded
``dag.test()`` runs end.

One instance runs in-process (``dag.test()``: the first ``haven_optout`` run, then a delivery
through ``haven_ingest`` and ``haven_publish``); another runs under the stack (``cli.stack``:
its own PostgreSQL for the catalogue and Airflow's metadata, the scheduler with the
LocalExecutor, DAG processor, triggerer, API server and portal, on free loopback ports). There
nothing is called by hand: ``haven_optout`` runs on its schedule (its first run starts at
once), the same delivery dropped in landing starts ``haven_ingest`` through the triggerer's
watcher, and ``haven_publish`` follows on silver's Assets. Mid-ingest, once silver has its
first commit, the scheduler is killed with everything under it (its workers, the running task
and its Spark JVM) and a new one started: it resets the dead one's task, which runs again.
Both instances share the keys. Silver, the pseudonyms, the permit datasets and the audit
trail must be the same; only run ids, times and hashes (which chain the times) are normalised.

To stay affordable on two cores the stack's tasks run Spark in their own driver
(``local[1]``), not on the standalone cluster, and the delivery is small (population, claims
and opt-outs of 40 people).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable
from sqlalchemy import create_engine, text

from catalog.db.gateway import unit_of_work
from catalog.demo import DEMO_PERMIT_ID, seed
from cli.stack_config import service_environment
from common.settings import Settings, get_settings
from synthetic.generate import generate
from tests.catalog.factories import describe_lake

pytestmark = [pytest.mark.slow(minutes=10), pytest.mark.usefixtures("demo_claims_only")]

SOURCES = ("population", "claims", "optout")
WAIT = (
    2400.0  # seconds: a bound on each wait, far above a run's time even on two cores shared with other work
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def delivery(folder: Path) -> Path:
    """A small delivery as the trusted third party sends it: the extracts, the manifest last."""
    generate(folder / "all", 40, 5)
    for source in SOURCES:
        shutil.copy(folder / "all" / f"{source}.csv", folder / f"{source}.csv")
    shutil.copy(folder / "all" / "manifest.json", folder / "manifest.json")
    shutil.rmtree(folder / "all")
    return folder


def drop(delivery_dir: Path, landing: Path) -> None:
    landing.mkdir(parents=True, exist_ok=True)
    for source in SOURCES:
        shutil.copy(delivery_dir / f"{source}.csv", landing / f"{source}.csv")
    shutil.copy(delivery_dir / "manifest.json", landing / "manifest.json")


def seed_demo_claims_only(settings: Settings) -> None:
    """What the ``demo_claims_only`` fixture gives the embedded instance, in the stack's catalogue."""
    with unit_of_work(settings) as store:
        describe_lake(store)
    seed(settings)
    with unit_of_work(settings) as store:
        application = store.get_application(DEMO_PERMIT_ID)
        claims = tuple(d for d in application.datasets if d.dataset == "claims")
        store.update_application(replace(application, datasets=claims))


# --- what the two instances are compared on ------------------------------------------------

_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")


def normalised(value: Any, run_ids: dict[str, str]) -> Any:
    """``value`` with run ids replaced by their DAG's name and times by a placeholder."""
    if isinstance(value, dict):
        return {normalised(k, run_ids): normalised(v, run_ids) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalised(v, run_ids) for v in value]
    if isinstance(value, str):
        for run_id, dag in run_ids.items():
            value = value.replace(run_id, f"<{dag} run>")
        return _TIME.sub("<time>", value)
    return value


def table_rows(path: Path, drop_columns: tuple[str, ...] = ()) -> list[tuple]:
    table = DeltaTable(str(path)).to_pyarrow_table()
    names = [n for n in table.column_names if n not in drop_columns]
    return sorted(
        (tuple(str(row[n]) for n in names) for row in table.select(names).to_pylist()),
    )


def outcome(settings: Settings, run_ids: dict[str, str]) -> dict[str, Any]:
    silver = settings.lake / "silver"
    permit = settings.lake / "permits" / DEMO_PERMIT_ID / "claims"
    with unit_of_work(settings) as store:
        audit = [
            normalised({**e.__dict__, "at": "", "prev_hash": "", "entry_hash": ""}, run_ids)
            for e in store.audit_entries()
        ]
    return {
        "silver counts": {t.name: DeltaTable(str(t)).to_pyarrow_table().num_rows for t in silver.iterdir()},
        "platform pseudonyms": sorted(
            set(
                DeltaTable(str(silver / "population"))
                .to_pyarrow_table(columns=["person_id"])
                .column(0)
                .to_pylist()
            )
        ),
        "permit dataset": normalised(table_rows(permit), run_ids),
        "audit": audit,
    }


def unnumbered(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "seq"} for e in entries]


def audit_difference(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> str:
    """The two audit trails as a diff of one line per entry (seq left out)."""
    import difflib
    import json

    def lines(entries: list[dict[str, Any]]) -> list[str]:
        return [json.dumps({k: v for k, v in e.items() if k != "seq"}, sort_keys=True) for e in entries]

    return "\n".join(difflib.unified_diff(lines(expected), lines(actual), "embedded", "stack", lineterm=""))


# --- the stack -------------------------------------------------------------------------------


def dag_runs(stack: Settings) -> list[dict[str, Any]]:
    engine = create_engine(stack.airflow_metadata_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT dag_id, run_id, run_type, state FROM dag_run ORDER BY id")
            ).mappings()
            return [dict(r) for r in rows]
    finally:
        engine.dispose()


def task_tries(stack: Settings, dag_id: str) -> dict[str, tuple[int, str | None]]:
    """Each task of ``dag_id``'s runs: its try number and state."""
    engine = create_engine(stack.airflow_metadata_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT task_id, try_number, state FROM task_instance WHERE dag_id = :dag"),
                {"dag": dag_id},
            )
            return {task: (tries, state) for task, tries, state in rows}
    finally:
        engine.dispose()


def descendants(pid: int) -> list[int]:
    """``pid`` and every process under it (the task processes and their Spark JVMs)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def kill_scheduler_mid_run(stack: Settings) -> str:
    """Once ``haven_ingest`` has committed silver for one source, kill the scheduler with every
    process under it (its executor's workers, the running task and its Spark JVM), as when its
    machine goes, then start a new one; return the task that was running."""
    from cli import stack as services

    silver = stack.lake / "silver" / "population" / "_delta_log"
    deadline = time.monotonic() + WAIT
    while not silver.is_dir():
        runs = [r for r in dag_runs(stack) if r["dag_id"] == "haven_ingest"]
        assert not runs or runs[0]["state"] in ("queued", "running"), f"ingest ended before the kill: {runs}"
        assert time.monotonic() < deadline, "haven_ingest committed no silver in time"
        time.sleep(0.2)
    running = [task for task, (_, state) in task_tries(stack, "haven_ingest").items() if state == "running"]
    scheduler = services.running_pid(stack, "scheduler")
    assert scheduler is not None
    for pid in descendants(scheduler):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    os.waitpid(scheduler, 0)  # this process started it: reap it, so its pid is free
    assert services.running_pid(stack, "scheduler") is None
    services.start_service(stack, "scheduler", service_environment(stack))
    assert running, "no ingest task was running when silver was first committed"
    return running[0]


def wait_for(stack: Settings, dag_id: str, after: int = 0) -> dict[str, Any]:
    """The first run of ``dag_id`` beyond the ``after`` it already had, once finished."""
    deadline = time.monotonic() + WAIT
    while True:
        runs = [r for r in dag_runs(stack) if r["dag_id"] == dag_id][after:]
        if runs and runs[0]["state"] in ("success", "failed"):
            return runs[0]
        if time.monotonic() > deadline:
            pytest.fail(f"{dag_id}: no finished run within {WAIT:.0f}s: {runs}; logs in {stack.home}/stack")
        time.sleep(2)


@pytest.fixture
def stack_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings of a second instance for the stack; everything it starts is stopped after."""
    from cli import stack

    # The postgres user cannot reach pytest's folders: the server's files go to a folder it can.
    pg_tmp = Path(tempfile.mkdtemp(prefix="haven-stack-pg-"))
    pg_tmp.chmod(0o755)
    monkeypatch.setenv("TMPDIR", str(pg_tmp))
    settings = Settings(
        home=tmp_path / "stack-home",
        spark_master="local[1]",
        spark_shuffle_partitions=2,
        spark_driver_memory="1g",
        # Every task starts its own driver for a short run on a small delivery (README).
        spark_driver_jit="quick",
        airflow_api_url=f"http://127.0.0.1:{free_port()}",
        portal_url=f"http://127.0.0.1:{free_port()}",
        # One scheduled opt-out run, not one every quarter hour while the delivery goes
        # through: the next grid point of a week is days away.
        optout_interval_minutes=7 * 24 * 60,
    )
    try:
        yield settings
    finally:
        stack.down(settings, say=lambda _message: None)
        shutil.rmtree(pg_tmp, ignore_errors=True)


def test_the_scheduler_ends_where_the_embedded_runs_end(spark, tmp_path: Path, stack_home: Settings) -> None:
    from airflow.utils.db import initdb

    from cli import stack
    from dags.haven_ingest import haven_ingest_dag
    from dags.haven_optout import haven_optout_dag
    from dags.haven_publish import haven_publish_dag

    started = time.monotonic()
    embedded = get_settings()
    sent = delivery(tmp_path / "delivery")
    initdb()
    optout = haven_optout_dag.test()
    landing = tmp_path / "embedded-delivery"
    shutil.copytree(sent, landing)
    ingest = haven_ingest_dag.test(run_conf={"landing_dir": str(landing)})
    publish = haven_publish_dag.test()
    assert [optout.state, ingest.state, publish.state] == ["success"] * 3
    expected = outcome(
        embedded,
        {optout.run_id: "haven_optout", ingest.run_id: "haven_ingest", publish.run_id: "haven_publish"},
    )
    embedded_time = time.monotonic() - started
    # The comparison is about something: the delivery reached silver and the permit, and the
    # two erasures (the opt-out run's, the ingest run's) are in the audit trail.
    assert expected["silver counts"] == {"population": 39, "claims": 437}
    assert len(expected["permit dataset"]) == 437
    assert [entry["action"] for entry in expected["audit"]].count("optout.erased") == 2

    # The same keys, then the same catalogue content before any DAG runs.
    shutil.copytree(embedded.keys, stack_home.keys)
    prepared = stack.prepare(stack_home, spark=False, say=lambda _message: None)
    seed_demo_claims_only(prepared)
    live = stack.up(stack_home, spark=False, say=lambda _message: None)
    up_time = time.monotonic() - started - embedded_time
    assert {s.name: s.state for s in stack.status(live)} == {
        "postgres": "up",
        "spark": "local",
        "airflow-scheduler": "up",
        "airflow-dag-processor": "up",
        "airflow-triggerer": "up",
        "airflow-api-server": "up",
        "portal": "up",
    }

    scheduled = wait_for(live, "haven_optout")
    assert (scheduled["run_type"], scheduled["state"]) == ("scheduled", "success")
    drop(sent, live.landing)
    # The scheduler dies mid-DAG (while silver is being written) and another takes over: it
    # resets the dead one's task, which runs again from the start.
    killed_in = kill_scheduler_mid_run(live)
    ingested = wait_for(live, "haven_ingest")
    assert (ingested["run_type"], ingested["state"]) == ("asset_triggered", "success")
    tries = task_tries(live, "haven_ingest")
    print(f"killed in {killed_in}; tries {tries}")
    assert tries[killed_in][0] >= 2 and tries[killed_in][1] == "success"
    published = wait_for(live, "haven_publish")
    assert (published["run_type"], published["state"]) == ("asset_triggered", "success")
    assert not list(live.landing.iterdir())  # the watcher moved the delivery out of landing
    actual = outcome(
        live,
        {
            scheduled["run_id"]: "haven_optout",
            ingested["run_id"]: "haven_ingest",
            published["run_id"]: "haven_publish",
        },
    )
    # No second run of any DAG: one delivery, one ingest, one publish (the killed task ran
    # again inside the same ingest run); and the outcome below has no row twice, none lost.
    assert [(r["dag_id"], r["state"]) for r in dag_runs(live)] == [
        ("haven_optout", "success"),
        ("haven_ingest", "success"),
        ("haven_publish", "success"),
    ]
    print(
        f"embedded runs {embedded_time:.0f}s, stack up {up_time:.0f}s, "
        f"scheduled runs {time.monotonic() - started - embedded_time - up_time:.0f}s"
    )
    assert {k: v for k, v in actual.items() if k != "audit"} == {
        k: v for k, v in expected.items() if k != "audit"
    }
    # The audit trail is the embedded one. Only a second try of ingest, which records the
    # opt-out feed, would add an entry: the feed read again, its one event found recorded
    # already. The kill comes while silver is written (refine): nothing is recorded twice.
    again = {
        "action": "optout.events_recorded",
        "object_id": "none",
        "details": {"recorded": 0, "duplicates": 1, "source": "feed", "last_event_id": None},
    }
    retried = [e for e in actual["audit"] if e.items() >= again.items()]
    assert len(retried) == (1 if killed_in == "ingest" else 0), audit_difference(
        actual["audit"], expected["audit"]
    )
    assert unnumbered(e for e in actual["audit"] if e not in retried) == unnumbered(expected["audit"]), (
        audit_difference(actual["audit"], expected["audit"])
    )
