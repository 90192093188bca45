"""A warm workbench query against starting a process per query.

``python -m bench.workbench [--persons N] [--rows-each R] [--queries Q]`` builds a small
instance in a temporary folder (the claims dataset described, a researcher and a steward, a
permit granted through the real workflow, its claims table of ``N`` persons with ``R`` rows
each written with deltalake), then times one aggregate query through disclosure control:

* the baseline: ``haven query`` as a new process each time (what a portal that shelled out
  to the command would do: interpreter, imports and catalogue opened per query);
* the portal, warm: ``POST /workbench/{permit}`` in-process (sign-in session, CSRF, the
  audited ``spe.service`` call, the page rendered), after one warm-up request;
* the service alone: ``run_permit_query`` in-process, the floor under the portal's figure.

It prints the median and the 95th percentile of each, and the ratio of the baseline to the
warm portal. Only timings and counts are printed.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
from deltalake import write_deltalake
from starlette.testclient import TestClient

from bench._environment import environment_restored
from catalog.datasets import descriptions
from catalog.db.gateway import unit_of_work
from catalog.people import users
from catalog.people.domain import Role
from catalog.permits import service
from catalog.permits.applications import parse_application
from common.layout import LakeLayout, Source
from common.settings import PROJECT_ROOT, Settings, reset_settings
from jobs.catalogue_facts import rule_facts
from portal.app import create_app
from spe.service import run_permit_query

RESEARCHER, STEWARD = "bench-researcher@example.be", "bench-steward@example.be"
PASSWORD = secrets.token_urlsafe(24)  # this run's accounts only, in a temporary instance
SQL = (
    "SELECT kind, count(DISTINCT person_id) AS persons, sum(amount) AS amount "
    "FROM claims GROUP BY kind ORDER BY kind"
)
KINDS = ("GP", "SPEC", "LAB", "DENT", "PHYS")
APPLICATION = {
    "title": "Workbench benchmark",
    "organisation": {"name": "Benchmark University", "type": "academic"},
    "purpose": {
        "category": "scientific_research",
        "summary": "How long one aggregate query takes in the secure processing environment.",
    },
    "commercial": False,
    "datasets": [{"name": "claims", "variables": ["nomenclature_code", "service_date"]}],
    "cohort": "Everyone in the benchmark's claims table",
    "period": {"start": "2025-01-01", "end": "2025-12-31"},
    "duration_months": 12,
}


def build(settings: Settings, persons: int, rows_each: int) -> str:
    """The instance: users, the permit (granted a day ago) and its claims table; the permit id."""
    granted = datetime.now(UTC) - timedelta(days=1)
    with unit_of_work(settings) as store:
        descriptions.publish(store, Source.CLAIMS.value, rule_facts(Source.CLAIMS))
        system = store.get_user("system")
        users.create_user(store, system, RESEARCHER, {Role.RESEARCHER}, PASSWORD)
        users.create_user(store, system, STEWARD, {Role.STEWARD}, PASSWORD)
        spec = parse_application(
            {**APPLICATION, "applicant": RESEARCHER, "data_users": [RESEARCHER]}, "bench"
        )
        application = service.apply(store, store.get_user(RESEARCHER), spec, now=granted - timedelta(days=1))
        service.decide(
            store,
            store.get_user(STEWARD),
            application.application_id,
            approve=True,
            reason="A benchmark of the secure processing environment.",
            now=granted,
        )
    ids = [f"p{i}" for i in range(persons) for _ in range(rows_each)]
    table = pa.table(
        {
            "person_id": ids,
            "kind": [KINDS[int(p[1:]) % len(KINDS)] for p in ids],
            "amount": [float(len(p)) for p in ids],
            "flag": [False] * len(ids),
        }
    )
    write_deltalake(str(LakeLayout(settings.lake).permit_table(application.application_id, "claims")), table)
    return application.application_id


def timed(call: object, times: int) -> list[float]:
    found = []
    for _ in range(times):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        found.append(time.perf_counter() - start)
    return found


def figures(label: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    median = statistics.median(ordered) * 1000
    return f"{label:<34}: median {median:8.1f} ms   p95 {p95 * 1000:8.1f} ms   (n={len(ordered)})"


def portal_client(settings: Settings) -> TestClient:
    client = TestClient(create_app(settings))
    page = client.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert token is not None
    signed = client.post(
        "/sign-in",
        data={"username": RESEARCHER, "password": PASSWORD, "csrf_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    return client


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--rows-each", type=int, default=5)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--processes", type=int, default=3, help="baseline runs (each a new process)")
    args = parser.parse_args(argv)
    with environment_restored("HAVEN_HOME", "HAVEN_CATALOG_URL"):
        run(args)


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="haven-bench-workbench-") as home:
        os.environ["HAVEN_HOME"] = home
        os.environ.pop("HAVEN_CATALOG_URL", None)
        reset_settings()
        settings = Settings(home=Path(home))
        permit = build(settings, args.persons, args.rows_each)
        environment = {**os.environ, "HAVEN_HOME": home}
        command = [sys.executable, "-m", "cli", "query", "--permit", permit, "--as", RESEARCHER, SQL]

        def process() -> None:
            subprocess.run(command, env=environment, cwd=PROJECT_ROOT, check=True, capture_output=True)

        baseline = timed(process, args.processes)
        with portal_client(settings) as client:
            token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', client.get("/").text)
            assert token is not None
            form = {"sql": SQL, "csrf_token": token.group(1)}

            def page() -> None:
                answer = client.post(f"/workbench/{permit}", data=form)
                assert answer.status_code == 200 and 'class="result"' in answer.text

            page()  # warm-up: the first request opens the catalogue and loads the templates
            warm = timed(page, args.queries)

        def direct() -> None:
            assert run_permit_query(permit, RESEARCHER, SQL, settings).result.status == "ok"

        alone = timed(direct, args.queries)
    print(
        f"permit claims table: {args.persons * args.rows_each:,} rows of {args.persons:,} persons; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(figures("haven query, a new process each", baseline))
    print(figures("portal POST /workbench, warm", warm))
    print(figures("spe.service alone, warm", alone))
    print(
        f"speed-up of the warm portal over a process per query: "
        f"{statistics.median(baseline) / statistics.median(warm):.1f}x"
    )


if __name__ == "__main__":
    main()
