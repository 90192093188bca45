"""Standing indicators the way Haven runs them: a delivery through ``haven_ingest`` and
``haven_publish`` (``dag.test()``), whose ``indicators`` task runs every approved indicator
of the permits it rebuilt through the SPE: one released automatically, rounded; one held in
the airlock queue because a cell has fewer than 100 persons."""

from __future__ import annotations

from pathlib import Path

import pytest
from deltalake import DeltaTable

from catalog.airlock.domain import OutputState
from catalog.dashboards import indicators
from catalog.dashboards.indicators import Outcome
from catalog.db.gateway import unit_of_work
from catalog.demo import DEMO_PERMIT_ID
from common.settings import get_settings
from synthetic.generate import generate
from tests.dags.test_haven_publish_run import returned
from tests.integration.test_erasure_through_dags import ingest_then_publish
from tests.spe.factories import approved_indicator

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("demo_claims_only")]

TOTAL = "SELECT count(DISTINCT person_id) AS persons FROM claims"
BY_TYPE = (
    "SELECT provider_type, count(DISTINCT person_id) AS persons FROM claims "
    "GROUP BY provider_type ORDER BY provider_type"
)
TEXTS = {"en": "Persons with a claim", "fr": "Personnes", "nl": "Personen", "de": "Personen"}


def test_a_delivery_releases_one_indicator_and_holds_the_other(spark, tmp_path: Path) -> None:
    from airflow.utils.db import initdb

    initdb()
    settings = get_settings()
    total, by_type = (approved_indicator(settings, sql, TEXTS) for sql in (TOTAL, BY_TYPE))
    landing = tmp_path / "delivery"
    generate(landing, 400, 11)
    for extract in landing.glob("*.csv"):
        if extract.stem not in ("population", "claims", "optout"):
            extract.unlink()

    run_id = ingest_then_publish(landing)

    outcomes = returned(run_id, "indicators")
    assert isinstance(outcomes, dict)
    assert outcomes[total]["outcome"] == "released", outcomes
    assert outcomes[by_type]["outcome"] == "held", outcomes
    assert "threshold" in outcomes[by_type]["rules"]
    table = settings.lake / "permits" / DEMO_PERMIT_ID / "claims"
    persons = len(
        set(DeltaTable(str(table)).to_pyarrow_table(columns=["person_id"]).column("person_id").to_pylist())
    )
    assert persons >= 100
    with unit_of_work(settings) as store:
        status = indicators.status(store, total)
        assert status.latest is not None
        assert status.latest.rows == (((persons + 5) // 10 * 10,),)  # rounded to 10, halves up
        [run] = store.indicator_runs(total)
        assert run.outcome is Outcome.RELEASED and run.versions == {
            "claims": DeltaTable(str(table)).version()
        }
        assert run.silver["claims"] and set(run.silver["claims"]) == {"claims"}
        held = store.get_output_request(outcomes[by_type]["request"])
        assert held.state is OutputState.SUBMITTED and held.author == "system"
        assert indicators.status(store, by_type).latest is None
