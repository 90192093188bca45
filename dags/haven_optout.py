"""
### Haven opt-out propagation

Makes an opt-out take effect without waiting for the next delivery. Opt-outs in force
come from the registry in the catalogue database (`haven optout add`, the landing feed,
later the portal):

1. **erase**: everyone whose opt-out is in force deleted from bronze and silver (one audit
   entry with the counts, never a pid);
2. **publish**: permit datasets rebuilt without them (policy `strict`; under `regulation`
   permits already built stay frozen);
3. **vacuum**: the files that held them (in bronze, silver and the permit tables' earlier
   versions) removed once the retention window has passed (`HAVEN_ERASURE_RETENTION_HOURS`,
   0 in the embedded default); it runs even when the rebuild failed.

Every step is idempotent: a run after a crash half-way finishes the erasure. Under the
scheduler it runs every `HAVEN_OPTOUT_INTERVAL_MINUTES` (15 by default).
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import TriggerRule, dag, task

from common.logging import withheld
from common.settings import get_settings


def _settings():
    from common.files import make_private

    settings = get_settings()
    # Tasks may run in worker processes that never went through the `haven` command.
    make_private(settings.home)
    return settings


@dag(
    dag_id="haven_optout",
    schedule=timedelta(minutes=get_settings().optout_interval_minutes),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["haven", "optout"],
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
    doc_md=__doc__,
)
def haven_optout() -> None:
    @task
    @withheld
    def erase() -> dict:
        from jobs.pipeline import erase_opted_out

        return erase_opted_out(_settings())

    @task
    @withheld
    def publish(erased: dict) -> dict:
        from jobs.pipeline import publish as publish_stage

        return publish_stage(_settings())

    # Also after a failed rebuild: the files of the versions the erasure replaced go all the same.
    @task(trigger_rule=TriggerRule.ALL_DONE)
    @withheld
    def vacuum() -> dict:
        from jobs.pipeline import vacuum_lake

        return vacuum_lake(_settings())

    publish(erase()) >> vacuum()


haven_optout_dag = haven_optout()
