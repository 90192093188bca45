"""Disclosure control runs again when the second approval would release an output: over the
Delta versions the request read, with the thresholds in force and the permit's release history
as it stands; a changed or uncheckable result is rejected, never released."""

from __future__ import annotations

import shutil

import pytest

from catalog.airlock.domain import CheckStatus, OutputContext
from catalog.db.engine import Catalog
from catalog.db.store import SqlStore
from catalog.demo import DEMO_PERMIT_ID, RESEARCHER, SECOND_STEWARD, STEWARD
from common.layout import LakeLayout
from common.settings import Settings, get_settings, reset_settings
from spe.airlock import request_output, review_output
from tests.catalog.fixtures import catalog_url, demo_catalog, settings  # noqa: F401 (fixtures
from tests.spe.factories import persons, write_rows

pytestmark = pytest.mark.usefixtures("demo")

SQL = "SELECT kind, count(DISTINCT person_id) AS n FROM claims GROUP BY kind ORDER BY kind"
CONTEXT = OutputContext("Persons per kind of claim in 2025.", "Table 1 of the demonstration report.")
REASON = "Counts above the threshold."


def _file(settings: Settings) -> str:  # noqa: F811
    table = LakeLayout(settings.lake).permit_table(DEMO_PERMIT_ID, "claims")
    write_rows(table, persons("GP", 14) + persons("SPEC", 12, start=100))
    filed = request_output(DEMO_PERMIT_ID, RESEARCHER, SQL, CONTEXT, settings)
    assert filed.request is not None and filed.request.result.rows == (("GP", 14), ("SPEC", 12))
    return filed.request.request_id


def _approve_twice(request_id: str, settings: Settings):  # type: ignore[no-untyped-def]  # noqa: F811
    review_output(request_id, STEWARD, approve=True, reason=REASON, settings=settings)
    return review_output(request_id, SECOND_STEWARD, approve=True, reason=REASON, settings=settings)


def test_an_unchanged_result_is_released_after_the_check(
    demo_catalog: Catalog,  # noqa: F811
    settings: Settings,  # noqa: F811
) -> None:
    request_id = _file(settings)
    decided = _approve_twice(request_id, settings)
    assert decided.request.state.value == "released"
    assert decided.request.release_check is not None
    assert (decided.request.release_check.status, decided.request.release_check.suppressed) == (
        CheckStatus.PASSED,
        0,
    )
    with demo_catalog.session() as session:
        checked = [e for e in SqlStore(session).audit_entries() if e.action == "output.release_checked"]
    assert [(e.actor, e.object_id, e.details) for e in checked] == [
        (SECOND_STEWARD, request_id, {"status": "pass", "suppressed": 0})
    ]


def test_a_stricter_threshold_since_filing_rejects_the_release(
    demo_catalog: Catalog,  # noqa: F811
    settings: Settings,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request_id = _file(settings)
    monkeypatch.setenv("HAVEN_DISCLOSURE_MIN_PERSONS", "13")
    reset_settings()
    decided = _approve_twice(request_id, get_settings())
    assert decided.request.state.value == "rejected"
    check = decided.request.release_check
    assert check is not None and (check.status, check.suppressed) == (CheckStatus.CHANGED, 1)


def test_data_versions_gone_reject_the_release(
    demo_catalog: Catalog,  # noqa: F811
    settings: Settings,  # noqa: F811
) -> None:
    request_id = _file(settings)
    shutil.rmtree(LakeLayout(settings.lake).permit_table(DEMO_PERMIT_ID, "claims"))
    decided = _approve_twice(request_id, settings)
    assert decided.request.state.value == "rejected"
    assert decided.request.release_check is not None
    assert decided.request.release_check.status is CheckStatus.UNAVAILABLE
