"""Standing indicators: approved once by two stewards, run through the real SPE on every
permit build; released automatically with rounded counts when every cell has 100 persons
or more, held in the airlock queue (the dashboards keeping the last release) otherwise."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from deltalake import DeltaTable

from catalog.airlock.domain import OutputState
from catalog.dashboards import indicators
from catalog.dashboards.indicators import IndicatorState, Outcome, Terms
from catalog.db.gateway import unit_of_work
from catalog.demo import DEMO_PERMIT_ID, RESEARCHER, SECOND_STEWARD, STEWARD
from catalog.errors import InvalidTransition, NotAuthorised, RuleViolation
from catalog.people.domain import Role
from catalog.permits.domain import PermitBuild
from common.layout import LakeLayout
from common.settings import PROJECT_ROOT, Settings, get_settings
from spe.airlock import review_output
from spe.indicators import run_indicator, run_indicators
from tests.catalog.factories import make_user
from tests.catalog.fixtures import catalog_url, demo_catalog  # noqa: F401 (fixtures)
from tests.spe.factories import approved_indicator, persons, write_rows

# The demonstration's users and permit, in a catalogue on SQLite and on PostgreSQL.
pytestmark = pytest.mark.usefixtures("demo", "demo_catalog")

SQL = "SELECT kind, count(DISTINCT person_id) AS persons FROM claims GROUP BY kind ORDER BY kind"
DESCRIPTION = {
    "en": "Persons per kind of claim",
    "fr": "Personnes par type de prestation",
    "nl": "Personen per soort prestatie",
    "de": "Personen je Leistungsart",
}
T0 = datetime.now(UTC)
REASON = "Counts of a standing indicator, all large."


def _deliver(settings: Settings, rows: list[tuple[str, str, float, bool]], version: int) -> None:
    """A permit build: the claims table written anew (Delta ``version``) and its build
    recorded (from silver version 10 + ``version``), as publish does."""
    table = LakeLayout(settings.lake).permit_table(DEMO_PERMIT_ID, "claims")
    write_rows(table, rows)
    assert DeltaTable(str(table)).version() == version
    with unit_of_work(settings) as store:
        store.add_permit_build(
            PermitBuild(
                DEMO_PERMIT_ID, "published", T0, "claims", {"claims": 10 + version}, version, len(rows)
            )
        )


def _approved(settings: Settings, sql: str = SQL) -> str:
    return approved_indicator(settings, sql, DESCRIPTION)


def test_approval_needs_two_distinct_stewards_other_than_the_proposer_and_the_permit_users() -> None:
    settings = get_settings()
    with unit_of_work(settings) as store:
        make_user(store, "clerk", Role.RESEARCHER)
        proposed = indicators.propose(
            store,
            store.get_user(RESEARCHER),
            permit_id=DEMO_PERMIT_ID,
            sql=SQL,
            description=DESCRIPTION,
            terms=Terms(100, 10),
            platform_min_persons=10,
        )
        iid = proposed.indicator_id
        with pytest.raises(NotAuthorised, match="needs role steward"):
            indicators.approve(store, store.get_user("clerk"), iid)
        first = indicators.approve(store, store.get_user(STEWARD), iid)
        assert (first.state, first.approvals) == (IndicatorState.PROPOSED, (STEWARD,))
        with pytest.raises(RuleViolation, match="already approved"):
            indicators.approve(store, store.get_user(STEWARD), iid)
        second = indicators.approve(store, store.get_user(SECOND_STEWARD), iid)
        assert (second.state, second.approvals) == (IndicatorState.APPROVED, (STEWARD, SECOND_STEWARD))
        assert second.approved_at is not None
        with pytest.raises(RuleViolation, match="not proposed"):
            indicators.approve(store, make_user(store, "third", Role.STEWARD), iid)
        assert [i.indicator_id for i in indicators.runnable(store)] == [iid]
        indicators.retire(store, store.get_user(STEWARD), iid)
        assert indicators.runnable(store) == []
        with pytest.raises(InvalidTransition):
            indicators.retire(store, store.get_user(STEWARD), iid)
        steward_proposed = indicators.propose(
            store,
            store.get_user(STEWARD),
            permit_id=DEMO_PERMIT_ID,
            sql=SQL,
            description=DESCRIPTION,
            terms=Terms(100, 10),
            platform_min_persons=10,
        )
        with pytest.raises(RuleViolation, match="proposed indicator"):
            indicators.approve(store, store.get_user(STEWARD), steward_proposed.indicator_id)


def test_terms_below_the_permit_threshold_or_a_missing_language_are_refused() -> None:
    with unit_of_work() as store:
        researcher = store.get_user(RESEARCHER)
        with pytest.raises(RuleViolation, match="at least 20 persons per cell"):
            indicators.propose(
                store,
                researcher,
                permit_id=DEMO_PERMIT_ID,
                sql=SQL,
                description=DESCRIPTION,
                terms=Terms(15, 10),
                platform_min_persons=20,
            )
        with pytest.raises(RuleViolation, match="missing: de"):
            indicators.propose(
                store,
                researcher,
                permit_id=DEMO_PERMIT_ID,
                sql=SQL,
                description={**DESCRIPTION, "de": " "},
                terms=Terms(100, 10),
                platform_min_persons=10,
            )
        with pytest.raises(NotAuthorised, match="only its named data users and stewards"):
            indicators.propose(
                store,
                store.get_user("analyst@demo"),
                permit_id=DEMO_PERMIT_ID,
                sql=SQL,
                description=DESCRIPTION,
                terms=Terms(100, 10),
                platform_min_persons=10,
            )
        assert store.list_indicators() == []


def test_every_cell_of_100_persons_is_released_rounded_then_a_failing_cell_is_held() -> None:
    settings = get_settings()
    iid = _approved(settings)
    _deliver(settings, persons("GP", 134) + persons("SPEC", 215, start=1000), version=0)

    first = run_indicators(settings, T0)
    assert first[iid]["outcome"] == "released", first
    with unit_of_work(settings) as store:
        status = indicators.status(store, iid)
        assert status.latest is not None and not status.held
        released = status.latest
        assert (released.columns, released.rows, released.suppressed) == (
            ("kind", "persons"),
            (("GP", 130), ("SPEC", 220)),  # 134 and 215 rounded to 10
            (),
        )
        assert released.reviewers == (STEWARD, SECOND_STEWARD)
        assert released.description.startswith(
            f"standing indicator {iid}, released automatically on {T0:%Y-%m-%d}"
        )
        assert (released.disclosure["min_persons"], released.disclosure["rounding_base"]) == (100, 10)
        assert released.versions == {"claims": 0}
        request = store.get_output_request(released.aggregate_id)
        assert (request.state, request.author) == (OutputState.RELEASED, "system")
        [run] = store.indicator_runs(iid)
        assert (run.outcome, run.versions, run.silver) == (
            Outcome.RELEASED,
            {"claims": 0},
            {"claims": {"claims": 10}},
        )

    # The same build again: nothing runs, nothing is recorded.
    assert run_indicators(settings, T0 + timedelta(hours=1))[iid]["outcome"] == "unchanged"

    # A new delivery where SPEC has 99 persons: the group is left out (and GP hidden with it,
    # else the total would tell SPEC), so the version is held.
    _deliver(settings, persons("GP", 140) + persons("SPEC", 99, start=1000), version=1)
    second = run_indicators(settings, T0 + timedelta(days=1))
    assert (second[iid]["outcome"], second[iid]["rules"]) == ("held", ["secondary", "threshold"])
    with unit_of_work(settings) as store:
        status = indicators.status(store, iid)
        assert status.held and status.latest == released  # the dashboards keep the first release
        held = store.get_output_request(second[iid]["request"])
        assert (held.state, held.author, held.result.rows) == (
            OutputState.SUBMITTED,
            "system",
            (("GP", None),),
        )
        assert store.find_released_aggregate(held.request_id) is None
        assert [r.outcome for r in store.indicator_runs(iid)] == [Outcome.RELEASED, Outcome.HELD]

    # Two stewards release the held version through the airlock: checked under the indicator's terms.
    review_output(held.request_id, STEWARD, approve=True, reason=REASON, settings=settings)
    decided = review_output(held.request_id, SECOND_STEWARD, approve=True, reason=REASON, settings=settings)
    assert decided.request.state is OutputState.RELEASED
    with unit_of_work(settings) as store:
        status = indicators.status(store, iid)
        assert not status.held and status.latest is not None
        assert (status.latest.aggregate_id, status.latest.rows) == (held.request_id, (("GP", None),))
        assert status.latest.disclosure["min_persons"] == 100


def test_a_refused_indicator_fails_alone_and_the_audit_log_holds_no_sql_text() -> None:
    settings = get_settings()
    refused_sql = "SELECT person_id FROM claims"  # row-level: refused by the SPE
    bad = _approved(settings, refused_sql)
    good = _approved(settings)
    _deliver(settings, persons("GP", 100) + persons("SPEC", 120, start=1000), version=0)
    outcomes = run_indicators(settings, T0)
    assert outcomes[bad]["outcome"] == "failed" and outcomes[bad]["request"] is None
    assert outcomes[good]["outcome"] == "released"
    with unit_of_work(settings) as store:
        [failed] = store.indicator_runs(bad)
        assert (failed.outcome, failed.request_id) == (Outcome.FAILED, None)
        assert failed.rule is not None and failed.rule != "error"
        entries = store.audit_entries()
    runs = {e.object_id: e.details for e in entries if e.action == indicators.RUN_EVENT}
    assert runs[good]["outcome"] == "released" and runs[bad]["outcome"] == "failed"
    assert runs[good]["sql_sha256"] == indicators.sql_digest(SQL)
    text = json.dumps([(e.action, e.object_id, e.details) for e in entries])
    for fragment in ("SELECT", "count(DISTINCT", "person_id FROM", "Persons per kind"):
        assert fragment not in text
    assert {e.action for e in entries} >= {
        "indicator.proposed",
        "indicator.approval_recorded",
        "indicator.approved",
        "indicator.run",
        "aggregate.registered",
    }


def test_run_indicator_again_runs_on_unchanged_versions() -> None:
    settings = get_settings()
    iid = _approved(settings)
    _deliver(settings, persons("GP", 150), version=0)
    assert run_indicator(settings, iid, T0)["outcome"] == "released"
    assert run_indicator(settings, iid, T0)["outcome"] == "unchanged"
    again = run_indicator(settings, iid, T0 + timedelta(minutes=1), again=True)
    assert again["outcome"] == "released"
    with unit_of_work(settings) as store:
        assert [r.outcome for r in store.indicator_runs(iid)] == [Outcome.RELEASED, Outcome.RELEASED]


def test_the_lifecycle_covers_every_state_and_its_diagram_is_in_the_readme() -> None:
    assert set(indicators.TRANSITIONS) == set(IndicatorState)
    assert indicators.LIFECYCLE.final_states == {IndicatorState.RETIRED}
    assert indicators.LIFECYCLE.mermaid_diagram() in (PROJECT_ROOT / "README.md").read_text()


def test_a_held_version_awaits_review_until_the_stewards_decide_even_after_a_failed_run() -> None:
    settings = get_settings()
    iid = _approved(settings)
    _deliver(settings, persons("GP", 150) + persons("SPEC", 160, start=1000), version=0)
    run_indicators(settings, T0)
    _deliver(settings, persons("GP", 150) + persons("SPEC", 60, start=1000), version=1)
    held = run_indicators(settings, T0 + timedelta(days=1))[iid]
    assert held["outcome"] == "held"
    table = LakeLayout(settings.lake).permit_table(DEMO_PERMIT_ID, "claims")
    for log_file in (table / "_delta_log").glob("*.json"):
        log_file.unlink()  # the next run cannot read the table: it fails
    failed = run_indicator(settings, iid, T0 + timedelta(days=2), again=True)
    assert (failed["outcome"], failed["rules"]) == ("failed", ["unavailable"])
    with unit_of_work(settings) as store:
        status = indicators.status(store, iid)
        assert status.held and status.latest_run is not None and status.latest_run.outcome is Outcome.FAILED
        first = status.latest
    for steward in (STEWARD, SECOND_STEWARD):
        review_output(
            held["request"], steward, approve=False, reason="Not fit to publish.", settings=settings
        )
    with unit_of_work(settings) as store:
        status = indicators.status(store, iid)
        assert not status.held and status.latest == first
