"""The SPE service: warm latency, the cost of disclosure control, DuckDB against Spark SQL.

``python -m bench.spe [--persons N] [--rows-each R] [--large-rows M] [--queries Q] [--no-spark]``
builds a temporary instance (the workbench benchmark's permit: a claims table of ``N``
persons with ``R`` rows each, the demo's size by default; and in the same permit an
``events`` table of ``M`` rows, 10 per person, written with deltalake), starts the real
service (``haven spe serve``) on it, and prints in one run:

* warm latency through the service, median and 95th percentile, on both tables, beside
  ``haven query`` as a new process with the service up and without it (the baseline);
* the cost of disclosure control as a share of the query: the SPE session's whole work
  (shape analysis, the query, its companion query, the rules) against the researcher's SQL
  alone on the same locked sandbox, and against the service's whole answer;
* DuckDB against Spark SQL (local[2], warm) on the same SQL over the same Delta table.

The default ``--large-rows`` (1 million) keeps the run within about three minutes on two
cores; ``--large-rows 10000000`` is the 10-million-row case, which needs more than the
default session limits (``--memory-limit 4GB --time-limit 600``; a refusal is printed with
its rule). Only timings and counts are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import write_deltalake

from bench._environment import environment_restored
from bench.workbench import KINDS, RESEARCHER, build, figures, timed
from common.files import make_private
from common.layout import LakeLayout
from common.settings import PROJECT_ROOT, Settings, reset_settings
from spe.client import health, query_service
from spe.errors import ServiceUnavailable
from spe.sandbox import Sandbox
from spe.service import limits_of
from spe.session import SandboxSession
from spe.snapshots import Snapshots

SQL = (
    "SELECT kind, count(DISTINCT person_id) AS persons, sum(amount) AS amount "
    "FROM {table} GROUP BY kind ORDER BY kind"
)
ROWS_PER_PERSON = 10


def write_events(settings: Settings, permit: str, rows: int) -> Path:
    """An ``events`` table of ``rows`` rows, ``ROWS_PER_PERSON`` per person, in ``permit``."""
    persons = max(1, rows // ROWS_PER_PERSON)
    index = np.arange(rows, dtype=np.int64)
    person = np.minimum(index // ROWS_PER_PERSON, persons - 1)
    table = pa.table(
        {
            "person_id": pc.take(pa.array([f"e{i}" for i in range(persons)]), pa.array(person)),
            "kind": pc.take(pa.array(KINDS), pa.array(index % len(KINDS))),
            "amount": pa.array(((index * 7) % 100).astype(np.float64)),
            "flag": pa.array(np.zeros(rows, dtype=bool)),
        }
    )
    path = LakeLayout(settings.lake).permit_table(permit, "events")
    write_deltalake(str(path), table)
    return path


def start_service(home: str) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "HAVEN_HOME": home}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "spe", "serve"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    settings = Settings(home=Path(home))
    deadline = time.monotonic() + 300
    while True:
        if process.poll() is not None:
            raise SystemExit(f"haven spe serve ended with {process.returncode}")
        try:
            health(settings)
            return process
        except ServiceUnavailable:
            if time.monotonic() > deadline:
                process.terminate()
                raise SystemExit("haven spe serve did not answer") from None
            time.sleep(0.2)


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def spark_seconds(path: Path, sql: str, runs: int) -> list[float]:
    """The SQL on Spark SQL over the Delta table (one warm-up run first, not counted)."""
    from bench._spark import bench_spark

    spark = bench_spark()
    try:
        spark.read.format("delta").load(str(path)).createOrReplaceTempView("events")

        def once() -> None:
            spark.sql(sql.format(table="events")).collect()

        once()
        return timed(once, runs)
    finally:
        spark.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--rows-each", type=int, default=5)
    parser.add_argument("--large-rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--processes", type=int, default=3, help="runs of `haven query` as a new process")
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark SQL comparison")
    parser.add_argument("--time-limit", help="HAVEN_SPE_TIME_LIMIT_SECONDS for this run (the large case)")
    parser.add_argument("--memory-limit", help="HAVEN_SPE_MEMORY_LIMIT for this run, e.g. 4GB")
    args = parser.parse_args(argv)
    with environment_restored(
        "HAVEN_HOME",
        "HAVEN_CATALOG_URL",
        "HAVEN_SPE_SERVICE",
        "HAVEN_SPE_TIME_LIMIT_SECONDS",
        "HAVEN_SPE_MEMORY_LIMIT",
    ):
        run(args)


def _through_service(settings: Settings, permit: str, sql: str) -> Callable[[], str | None]:
    """A call of the service; it returns the refusal rule of a refused query (None: answered)."""

    def call() -> str | None:
        result = query_service(permit, RESEARCHER, sql, settings).result
        return None if result.status == "ok" else result.rule or "refused"

    return call


# Long on purpose: the bench's steps in the order it prints them, one instance set up once.
def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="haven-bench-spe-") as home:
        os.environ["HAVEN_HOME"] = home
        for name in ("HAVEN_CATALOG_URL", "HAVEN_SPE_SERVICE"):
            os.environ.pop(name, None)
        for name, value in (
            ("HAVEN_SPE_TIME_LIMIT_SECONDS", args.time_limit),
            ("HAVEN_SPE_MEMORY_LIMIT", args.memory_limit),
        ):
            if value is not None:  # the service and this process then run under the same limits
                os.environ[name] = value
        reset_settings()
        settings = Settings(home=Path(home))
        make_private(settings.home)
        permit = build(settings, args.persons, args.rows_each)
        started = time.perf_counter()
        events = write_events(settings, permit, args.large_rows)
        written = time.perf_counter() - started
        small_sql, large_sql = SQL.format(table="claims"), SQL.format(table="events")
        command = [sys.executable, "-m", "cli", "query", "--permit", permit, "--as", RESEARCHER, small_sql]
        environment = {**os.environ, "HAVEN_HOME": home}

        def process(mode: str) -> Callable[[], None]:
            def call() -> None:
                subprocess.run(
                    command,
                    env={**environment, "HAVEN_SPE_SERVICE": mode},
                    cwd=PROJECT_ROOT,
                    check=True,
                    capture_output=True,
                )

            return call

        in_process = timed(process("off"), args.processes)
        service = start_service(home)
        try:
            small = _through_service(settings, permit, small_sql)
            assert small() is None  # warm-up: the first request fills the caches
            warm_small = timed(small, args.queries)
            with_service = timed(process("required"), args.processes)
            large = _through_service(settings, permit, large_sql)
            refused = large()
            warm_large = [] if refused else timed(large, max(3, args.queries // 10))
        finally:
            service.terminate()
            service.wait(timeout=60)
        # Disclosure control's share, on one locked sandbox over the large table.
        tables = {"events": events}
        raw = Sandbox(tables, limits=limits_of(settings))
        try:
            raw.execute(large_sql)
            raw_large = timed(lambda: raw.execute(large_sql), 3)
        finally:
            raw.close()
        # The session as the service runs it: over its warm snapshots (the persons' hashes kept).
        snapshots = Snapshots()
        with SandboxSession(tables, limits=limits_of(settings), snapshots=snapshots) as session:
            if not refused:
                session.run(large_sql)
            controlled_large = [] if refused else timed(lambda: session.run(large_sql), 3)
        spark = [] if args.no_spark else spark_seconds(events, large_sql, 3)

    print(
        f"claims: {args.persons * args.rows_each:,} rows of {args.persons:,} persons; events: "
        f"{args.large_rows:,} rows of {max(1, args.large_rows // ROWS_PER_PERSON):,} persons "
        f"(written in {written:.1f} s); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(figures("haven query, in-process (no service)", in_process))
    print(figures("haven query, through the service", with_service))
    print(figures("service, warm, claims", warm_small))
    if refused:
        print(f"service, events: refused by the {refused} rule (raise it with --time-limit, --memory-limit)")
    else:
        print(figures("service, warm, events", warm_large))
    print(
        f"speed-up of the warm service over a process per query: "
        f"{statistics.median(in_process) / statistics.median(warm_small):.1f}x; of `haven query` "
        f"with the service up: {statistics.median(in_process) / statistics.median(with_service):.1f}x"
    )
    if not refused:
        control = median_ms(controlled_large) - median_ms(raw_large)
        print(
            f"disclosure control on events: the SQL alone {median_ms(raw_large):.1f} ms, with disclosure "
            f"control {median_ms(controlled_large):.1f} ms: {control / median_ms(controlled_large):.0%} "
            f"of the session's work, {control / median_ms(warm_large):.0%} of the service's answer "
            "(goal < 10 %)"
        )
    if spark:
        print(figures("Spark SQL local[2], warm, events", spark))
        print(
            f"DuckDB against Spark SQL on the same SQL and Delta table: "
            f"{statistics.median(spark) / statistics.median(raw_large):.1f}x faster (goal >= 10x)"
        )


if __name__ == "__main__":
    main()
