"""The permit workflow in the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog.audit import trail
from catalog.db.gateway import unit_of_work
from catalog.db.store import SqlStore
from catalog.errors import (
    InvalidApplication,
    InvalidTransition,
    NotAuthorised,
    PermitDenied,
    RuleViolation,
    UnknownPermit,
)
from catalog.people.domain import Role
from catalog.permits import service
from catalog.permits.applications import parse_application
from catalog.permits.grants import Permit, check_can_query
from catalog.permits.queries import active_permits, get_permit
from catalog.permits.terms import Disclosure
from catalog.permits.vocabulary import PermitState
from common.layout import Source
from common.settings import Settings
from tests.catalog.factories import (
    SUBMITTED_AT,
    application_data,
    approved,
    describe_lake,
    make_user,
    make_world,
    submit,
)


def test_apply_records_and_submits_with_history_and_audit(store: SqlStore) -> None:
    people = make_world(store)
    application = submit(store, people["rita"])
    assert application.state is PermitState.SUBMITTED
    assert application.submitted_at == SUBMITTED_AT
    assert [(t.from_state, t.to_state, t.actor) for t in store.transitions(application.application_id)] == [
        (PermitState.DRAFT, PermitState.SUBMITTED, "rita")
    ]
    entries = [
        (e.actor, e.action, e.object_id, e.details)
        for e in store.audit_entries()
        if e.object_type == "application"
    ]
    assert entries == [
        ("rita", "application.created", application.application_id, {}),
        ("rita", "application.submitted", application.application_id, {"from": "draft", "to": "submitted"}),
    ]


@pytest.mark.parametrize(
    ("purpose", "article"),
    [
        ("advertising", "Art 54(c)"),
        ("employment_insurance_credit", "Art 54(b)"),
        ("reidentification", "Art 61(3)"),
        ("harmful_products", "Art 54(d)"),
    ],
)
def test_prohibited_purpose_is_refused_with_the_reason(store: SqlStore, purpose: str, article: str) -> None:
    people = make_world(store)
    base = {"summary": "We would like to use the data to find customers for a new product line."}
    refused = submit(store, people["rita"], purpose={"category": purpose, **base})
    assert refused.state is PermitState.REJECTED
    assert refused.decided_by == "system"
    assert article in (refused.decision_reason or "")
    assert store.transitions(refused.application_id)[-1].reason == refused.decision_reason
    assert store.audit_entries()[-1].action == "application.refused"


def test_steward_cannot_decide_own_or_named_application(store: SqlStore) -> None:
    people = make_world(store)
    own = submit(store, people["sofie"], data_users=["sofie"])
    with pytest.raises(RuleViolation, match="is the applicant"):
        service.decide(store, people["sofie"], own.application_id, approve=True, reason="Looks fine to me.")
    named = submit(store, people["rita"], data_users=["rita", "sofie"])
    with pytest.raises(RuleViolation, match="named data user"):
        service.decide(store, people["sofie"], named.application_id, approve=True, reason="Looks fine to me.")
    decided = service.decide(
        store,
        people["sam"],
        named.application_id,
        approve=True,
        reason="Permitted purpose, minimal variables.",
    )
    assert decided.state is PermitState.APPROVED


def test_public_body_purposes_cannot_be_approved_for_others(store: SqlStore) -> None:
    people = make_world(store)
    summary = {"summary": "Monitor how often people see a GP, to plan primary care across regions."}
    company = submit(
        store,
        people["rita"],
        purpose={"category": "policy_making", **summary},
        organisation={"name": "Consult BV", "type": "company"},
    )
    expected = r"reserved to public bodies \(EHDS Art 53\(2\)\); the applicant is a company"
    with pytest.raises(RuleViolation, match=expected):
        service.decide(
            store, people["sam"], company.application_id, approve=True, reason="Useful for planning."
        )
    public = submit(
        store,
        people["rita"],
        purpose={"category": "policy_making", **summary},
        organisation={"name": "FOD Volksgezondheid", "type": "public_body"},
    )
    assert (
        service.decide(
            store, people["sam"], public.application_id, approve=True, reason="Useful for planning."
        ).state
        is PermitState.APPROVED
    )


@pytest.mark.parametrize("reason", ["", "   ", "ok"])
def test_a_decision_needs_a_reason(store: SqlStore, reason: str) -> None:
    people = make_world(store)
    application = submit(store, people["rita"])
    with pytest.raises(RuleViolation, match="needs a reason"):
        service.decide(store, people["sam"], application.application_id, approve=False, reason=reason)
    assert store.get_application(application.application_id).state is PermitState.SUBMITTED


def test_approval_grants_permit_for_its_duration_and_rejection_keeps_reason(store: SqlStore) -> None:
    people = make_world(store)
    permit = approved(store, people)
    assert (permit.granted_at, permit.expires_at) == (SUBMITTED_AT, SUBMITTED_AT.replace(year=2028))
    assert [t.to_state for t in store.transitions(permit.application_id)] == [
        PermitState.SUBMITTED,
        PermitState.UNDER_REVIEW,
        PermitState.APPROVED,
    ]
    other = submit(store, people["rita"])
    rejected = service.decide(
        store,
        people["sam"],
        other.application_id,
        approve=False,
        reason="Variables exceed what the question needs.",
    )
    assert (rejected.state, rejected.decision_reason, rejected.granted_at) == (
        PermitState.REJECTED,
        "Variables exceed what the question needs.",
        None,
    )
    with pytest.raises(RuleViolation, match="not awaiting a decision"):
        service.decide(store, people["sam"], other.application_id, approve=True, reason="Changed my mind.")


def test_incomplete_resubmitted_restarts_the_clock_and_overdue_list(store: SqlStore) -> None:
    people = make_world(store)
    late = submit(store, people["rita"], now=datetime(2026, 1, 10, tzinfo=UTC))
    fresh = submit(store, people["rita"], now=datetime(2026, 4, 1, tzinfo=UTC))
    service.mark_incomplete(
        store,
        people["sam"],
        fresh.application_id,
        "The cohort is not defined.",
        now=datetime(2026, 4, 2, tzinfo=UTC),
    )
    with pytest.raises(NotAuthorised, match="only the applicant"):
        service.resubmit(store, people["ruben"], fresh.application_id)
    service.resubmit(store, people["rita"], fresh.application_id, now=datetime(2026, 4, 20, tzinfo=UTC))
    now = datetime(2026, 7, 15, tzinfo=UTC)
    late_list = service.overdue(store, people["sam"], now=now)
    assert [(a.application_id, due) for a, due in late_list] == [
        (late.application_id, datetime(2026, 4, 10, tzinfo=UTC))
    ]
    later = service.overdue(store, people["sam"], now=now + timedelta(days=30))
    assert [a.application_id for a, _ in later] == [late.application_id, fresh.application_id]


def test_permit_lifecycle_to_active_expired_and_revoked(store: SqlStore) -> None:
    people = make_world(store)
    first, second = approved(store, people), approved(store, people)
    service.activate(store, people["otto"], first.application_id)
    service.activate(store, people["otto"], second.application_id)
    revoked = service.revoke(store, people["sam"], second.application_id, "Data used outside the purpose.")
    assert revoked.state is PermitState.REVOKED
    assert service.expire_due(store, people["otto"], now=SUBMITTED_AT + timedelta(days=365)) == []
    assert service.expire_due(store, people["otto"], now=SUBMITTED_AT.replace(year=2028)) == [
        first.application_id
    ]
    with pytest.raises(InvalidTransition, match="final state"):
        service.activate(store, people["otto"], first.application_id)


def test_unknown_datasets_variables_and_users_are_precise_errors(store: SqlStore) -> None:
    people = make_world(store)
    with pytest.raises(InvalidApplication) as caught:
        submit(
            store,
            people["rita"],
            datasets=[
                {"name": "claims", "variables": ["pid", "service_date"]},
                {"name": "stays", "variables": ["icd10"]},
            ],
            data_users=["rita", "nobody"],
        )
    assert str(caught.value).splitlines() == [
        "datasets[0].variables: not in dataset 'claims': pid",
        "datasets[1].name: no dataset 'stays' in the catalogue",
        "data_users[1]: no registered user 'nobody'",
    ]


def test_anonymised_data_cannot_include_record_or_provider_ids(store: SqlStore) -> None:
    people = make_world(store)
    variables = ["nomenclature_code", "provider_id", "institution_id"]
    with pytest.raises(InvalidApplication) as caught:
        submit(store, people["rita"], datasets=[{"name": "claims", "variables": variables}])
    assert str(caught.value) == (
        "datasets[0].variables: record and provider ids link rows and cannot be part of anonymised "
        "data: provider_id, institution_id (leave them out, or apply for pseudonymised data with a "
        "justification)"
    )
    pseudonymised = submit(
        store,
        people["rita"],
        datasets=[{"name": "claims", "variables": variables}],
        data_form="pseudonymised",
        justification="Care paths are followed per provider across the year.",
    )
    assert pseudonymised.state is PermitState.SUBMITTED


def test_free_text_only_for_pseudonymised_data_that_asks_for_it(store: SqlStore) -> None:
    people = make_world(store)
    describe_lake(store, Source.CLINICAL_NOTES, Source.LAB_RESULTS, Source.PHARMACY)
    datasets = [
        {"name": "clinical_notes", "variables": ["note_date", "text"]},
        {"name": "lab_results", "variables": ["loinc_code", "comment"]},
        {"name": "pharmacy", "variables": ["atc_code"]},
    ]
    with pytest.raises(InvalidApplication) as caught:
        submit(store, people["rita"], datasets=datasets)
    assert str(caught.value).splitlines() == [
        "datasets[0].variables: free text is never part of anonymised data, even de-identified: text "
        "(leave it out, or apply for pseudonymised data)",
        "datasets[1].variables: free text is never part of anonymised data, even de-identified: comment "
        "(leave it out, or apply for pseudonymised data)",
    ]
    pseudonymised = submit(
        store,
        people["rita"],
        datasets=datasets,
        data_form="pseudonymised",
        justification="Letters are read per person alongside their medicines.",
        cohort_rules={"codes": [{"source": "lab_results", "prefixes": ["2345-7"]}]},
    )
    assert pseudonymised.state is PermitState.SUBMITTED
    assert [d.dataset for d in pseudonymised.datasets] == ["clinical_notes", "lab_results", "pharmacy"]


def test_a_permit_may_only_make_disclosure_control_stricter(store: SqlStore) -> None:
    people = make_world(store)
    with pytest.raises(InvalidApplication) as caught:
        submit(store, people["rita"], disclosure={"min_persons": 5, "nk_k_percent": 95, "rounding_base": 5})
    assert str(caught.value) == (
        "disclosure: a permit may only make disclosure control stricter than the "
        "platform's: min_persons (platform: 10), nk_k_percent (platform: 90)"
    )
    strict = submit(store, people["rita"], disclosure={"min_persons": 20, "rounding_base": 5})
    assert store.get_application(strict.application_id).disclosure == Disclosure(
        min_persons=20, rounding_base=5
    )
    # Against a stricter platform, the application is checked against the platform's values.
    with pytest.raises(InvalidApplication, match=r"min_persons \(platform: 25\)"):
        service.apply(
            store,
            people["rita"],
            parse_application(application_data(applicant="rita", disclosure={"min_persons": 20})),
            settings=Settings(disclosure_min_persons=25),
        )


def test_apply_only_in_own_name(store: SqlStore) -> None:
    people = make_world(store)
    from catalog.permits.applications import parse_application
    from tests.catalog.factories import application_data

    with pytest.raises(NotAuthorised, match="own name"):
        service.apply(store, people["ruben"], parse_application(application_data(applicant="rita")))


def _active(settings: Settings) -> dict[str, Permit]:
    with unit_of_work(settings) as store:
        return active_permits(store)


def _permit(settings: Settings, permit_id: str) -> Permit:
    with unit_of_work(settings) as store:
        return get_permit(store, permit_id)


def test_permits_api_reads_the_database(catalog, settings) -> None:  # type: ignore[no-untyped-def]
    with catalog.session() as session:
        store = SqlStore(session)
        people = make_world(store)
        permit = approved(store, people, now=datetime.now(UTC) - timedelta(days=1))
        pending = submit(store, people["rita"])
        make_user(store, "extra", Role.CITIZEN)
    assert list(_active(settings)) == [permit.application_id]
    grant = _permit(settings, permit.application_id)
    assert grant.users == ("rita",) and grant.datasets[0].columns == ("nomenclature_code", "service_date")
    assert grant.datasets[0].date_column == "service_date"
    check_can_query(grant, "rita")
    with pytest.raises(UnknownPermit):
        _permit(settings, pending.application_id)
    with catalog.session() as session:
        service.revoke(SqlStore(session), people["sam"], permit.application_id, "Breach of permit terms.")
    with pytest.raises(PermitDenied, match="is revoked"):
        check_can_query(_permit(settings, permit.application_id), "rita")
    assert _active(settings) == {}
    with catalog.session() as session:
        assert trail.verify(SqlStore(session)).ok
