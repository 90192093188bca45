"""
### Haven ingest

One delivery from the trusted third party, from `landing/` to the permit datasets:

1. **ingest**: the opt-out feed's valid events into the registry (catalogue database), bad
   ones quarantined (the feed never enters the lake); then every extract to its bronze
   Delta table (as delivered, with ingest metadata), without the rows of people whose
   opt-out is in force, which never enter the lake;
2. **refine**: bronze to silver (typed, rule-breaking rows quarantined, Great
   Expectations suite as a quality gate, people whose opt-out came in meanwhile removed,
   platform pseudonyms), with reconciled counts; a source failing a critical expectation
   keeps its previous silver;
3. **erase**: everyone whose opt-out is in force deleted from bronze and silver (one audit
   entry with the counts). Silver is final after this task, so it declares the silver
   tables as Airflow Assets: their update schedules `haven_publish`, which rebuilds the
   permits' datasets (this DAG does not publish itself);
4. **vacuum**: files that held erased or replaced rows removed after the retention window
   (the permit workspaces that `haven_publish` rebuilds afterwards are vacuumed there);
5. **report**: the run report (per source: read, loaded, quarantined, dropped by opt-out,
   held by the gate; what the vacuum removed or keeps); the run fails when a quality gate
   failed.

Run with `haven pipeline run` (in-process, `dag.test()`, followed by `haven_publish` as the
scheduler would run it), triggered with the conf key `landing_dir`, or, under a running
scheduler (`make stack`), by a delivery: its `manifest.json` arriving in landing updates the
`landing` Asset (`dags/deliveries.py`) and the run ingests the folder the delivery was moved
to. Each task calls one function of `jobs.pipeline`; no logic lives here.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, get_current_context, task

from common.logging import withheld
from dags.assets import SILVER_ASSETS
from dags.deliveries import LANDING, delivered_folder


def _settings():
    from common.files import make_private
    from common.settings import get_settings

    settings = get_settings()
    # Tasks may run in worker processes that never went through the `haven` command.
    make_private(settings.home)
    return settings


@dag(
    dag_id="haven_ingest",
    schedule=LANDING,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["haven", "ingest"],
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
    doc_md=__doc__,
    params={"landing_dir": None},
)
def haven_ingest() -> None:
    @task
    @withheld
    def ingest() -> dict:
        from pathlib import Path

        from jobs.pipeline import ingest as ingest_stage

        context = get_current_context()
        settings = _settings()
        conf = context["dag_run"].conf or {}
        landing_dir = Path(conf.get("landing_dir") or delivered_folder(context) or settings.landing)
        run_after = context["dag_run"].run_after
        return ingest_stage(settings, landing_dir, context["run_id"], run_after)

    @task
    @withheld
    def refine(ingested: dict) -> dict:
        from jobs.pipeline import refine as refine_stage

        context = get_current_context()
        return refine_stage(_settings(), ingested, context["run_id"], context["dag_run"].run_after)

    # Silver is final once erased: its tables are Assets whose update schedules haven_publish.
    @task(outlets=list(SILVER_ASSETS.values()))
    @withheld
    def erase(refined: dict) -> dict:
        from jobs.pipeline import erase_opted_out

        return erase_opted_out(_settings())

    @task
    @withheld
    def vacuum(erased: dict) -> dict:
        from jobs.pipeline import vacuum_lake

        return vacuum_lake(_settings())

    @task
    @withheld
    def report(ingested: dict, refined: dict, erased: dict, vacuumed: dict) -> str:
        from airflow.sdk.exceptions import AirflowFailException

        from jobs.pipeline import gate_failures, write_report

        context = get_current_context()
        path = write_report(_settings(), context["run_id"], ingested, refined, erased, vacuumed)
        failures = gate_failures(refined)
        if failures:
            # A failed quality gate fails the run: no retry would change the data.
            raise AirflowFailException("quality gate: " + " | ".join(failures))
        return str(path)

    ingested = ingest()
    refined = refine(ingested)
    erased = erase(refined)
    report(ingested, refined, erased, vacuum(erased))


haven_ingest_dag = haven_ingest()
