"""Every DAG file imports cleanly and declares tags and retries."""

from datetime import timedelta
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert {"haven_ingest", "haven_optout", "haven_publish"} <= set(dagbag.dag_ids)


def test_every_dag_has_tags_retries_and_docs(dagbag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md, f"{dag_id} has no documentation"
        assert dag.catchup is False, f"{dag_id} catches up"
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def test_ingest_wiring() -> None:
    from dags.haven_ingest import haven_ingest_dag

    order = {t.task_id: sorted(t.downstream_task_ids) for t in haven_ingest_dag.tasks}
    # No publish task: haven_publish runs on the silver Assets that erase updates.
    assert order == {
        "ingest": ["refine", "report"],
        "refine": ["erase", "report"],
        "erase": ["report", "vacuum"],
        "vacuum": ["report"],
        "report": [],
    }


def test_optout_wiring_and_schedule() -> None:
    from dags.haven_optout import haven_optout_dag

    order = {t.task_id: sorted(t.downstream_task_ids) for t in haven_optout_dag.tasks}
    assert order == {"erase": ["publish"], "publish": ["vacuum"], "vacuum": []}
    assert haven_optout_dag.max_active_runs == 1
    # The files an erasure replaced go even when the rebuild after it failed.
    assert haven_optout_dag.get_task("vacuum").trigger_rule == "all_done"


def test_the_optout_interval_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.dag_processing.dagbag import DagBag

    from common.settings import reset_settings

    parsed = {}
    for minutes in ("15", "60"):
        monkeypatch.setenv("HAVEN_OPTOUT_INTERVAL_MINUTES", minutes)
        reset_settings()
        bag = DagBag(dag_folder=str(DAGS / "haven_optout.py"))
        parsed[minutes] = bag.dags["haven_optout"].timetable.delta
    reset_settings()
    assert parsed == {"15": timedelta(minutes=15), "60": timedelta(hours=1)}


def test_publish_runs_on_any_silver_change_then_sweeps_and_vacuums() -> None:
    from airflow.sdk import AssetAny

    from dags.assets import SILVER_ASSETS
    from dags.haven_ingest import haven_ingest_dag
    from dags.haven_publish import haven_publish_dag

    order = {t.task_id: sorted(t.downstream_task_ids) for t in haven_publish_dag.tasks}
    assert order == {"publish": ["indicators", "sweep"], "sweep": ["vacuum"], "vacuum": [], "indicators": []}
    assert haven_publish_dag.get_task("vacuum").trigger_rule == "all_done"
    assert haven_publish_dag.max_active_runs == 1
    silver = list(SILVER_ASSETS.values())
    assert haven_publish_dag.timetable.asset_condition == AssetAny(*silver)
    assert sorted(a.name for a in silver) == [
        "silver/claims",
        "silver/clinical_notes",
        "silver/hospital_stays",
        "silver/lab_results",
        "silver/pharmacy",
        "silver/population",
        "silver/wellness",
    ]
    assert haven_ingest_dag.get_task("erase").outlets == silver
    assert haven_ingest_dag.get_task("refine").outlets == []
