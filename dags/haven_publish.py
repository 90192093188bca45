"""
### Haven permit publishing

Runs whenever a silver Delta table changes (the `erase` task of `haven_ingest` declares
every silver table as an Airflow Asset), so permits see new data without a manual step:

1. **publish**: every permit in force rebuilt in its own workspace (`lake/permits/<id>/`)
   from silver read at one pinned version per table: only the approved variables, the
   data period and the cohort's people; opt-outs per policy; permit-specific pseudonyms,
   or for anonymised permits generalised quasi-identifiers and at least the configured k
   (`HAVEN_K_ANONYMITY`, default 10) or nothing at all and a refusal report for the
   steward. Each dataset's silver and output Delta versions go to the catalogue
   (`haven permit builds ID`);
2. **sweep**: permits past their expiry are expired, and the workspace of every expired
   or revoked permit is deleted from the lake (audited), and the SPE forgets what they
   released; the SPE then refuses them;
3. **vacuum**: the files of each permit table's earlier versions removed once the erasure
   retention window has passed (`HAVEN_ERASURE_RETENTION_HOURS`, 0 in the embedded
   default), so a person whose opt-out this build applied cannot come back by time travel;
   per permit and dataset it returns whether the earlier versions are gone or until when
   they are kept. It runs even when a task before it failed;
4. **indicators** (after publish): every approved standing indicator of a permit in force runs through the
   SPE under its stricter terms (`spe.indicators`): released automatically when every cell
   passes, else held in the airlock queue; one indicator's error never stops the others,
   and an indicator whose tables this build did not change is not run again.

Each task calls `jobs.publishing` (the sweep also the SPE, the indicators only the SPE); no
logic lives here. All are idempotent: a rerun rebuilds the same permits from the same versions.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import TriggerRule, dag, task

from common.logging import withheld
from dags.assets import ANY_SILVER_CHANGE


def _settings():
    from common.files import make_private
    from common.settings import get_settings

    settings = get_settings()
    # Tasks may run in worker processes that never went through the `haven` command.
    make_private(settings.home)
    return settings


@dag(
    dag_id="haven_publish",
    schedule=ANY_SILVER_CHANGE,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["haven", "permits"],
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
    doc_md=__doc__,
)
def haven_publish() -> None:
    @task
    @withheld
    def publish() -> dict:
        from jobs.publishing import publish as publish_permits

        return publish_permits(_settings())

    @task
    @withheld
    def sweep(published: dict) -> dict:
        from jobs.publishing import sweep as sweep_workspaces
        from spe.differencing_history import forget_ended

        removed = sweep_workspaces(_settings())
        forget_ended(_settings())  # what the ended permits released goes with them
        return removed

    # Also when the build or the sweep failed: the files of the versions a rebuild replaced
    # (which may hold people whose opt-out it applied) go all the same.
    @task(trigger_rule=TriggerRule.ALL_DONE)
    @withheld
    def vacuum() -> dict:
        from jobs.publishing import vacuum as vacuum_workspaces

        return vacuum_workspaces(_settings())

    @task
    @withheld
    def indicators() -> dict:
        from spe.indicators import run_indicators

        return run_indicators(_settings())

    published = publish()
    sweep(published) >> vacuum()
    published >> indicators()


haven_publish_dag = haven_publish()
