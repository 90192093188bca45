"""Cohort criteria and anonymisation terms: validated on apply, stored, published in the register,
and turned into the permit the publishing job builds; build records for the steward."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from catalog.db.engine import Catalog
from catalog.db.gateway import unit_of_work
from catalog.db.store import SqlStore
from catalog.errors import InvalidApplication
from catalog.permits import service
from catalog.permits.applications import parse_application
from catalog.permits.builds import ended_permits, record_refusal, record_workspace_removed
from catalog.permits.domain import PermitBuild
from catalog.permits.queries import to_permit
from catalog.permits.register import public_register
from catalog.permits.terms import AgeRange, Anonymisation, CodeCriterion, CohortRules
from catalog.permits.vocabulary import PermitState
from common.settings import Settings
from tests.catalog.factories import application_data, approved, make_world, submit

RULES = {
    "age": {"min": 18, "max": 65},
    "sex": ["F"],
    "provinces": ["10000", "04000"],
    "codes": [
        {"source": "pharmacy", "prefixes": ["j01", "J02"]},
        {"source": "hospital_stays", "prefixes": ["E11"]},
    ],
}


def test_cohort_rules_and_anonymisation_round_trip_to_the_permit_and_register(store: SqlStore) -> None:
    people = make_world(store)
    application = submit(store, people["rita"], cohort_rules=RULES, anonymisation={"k": 15, "birth": "year"})
    expected_rules = CohortRules(
        age=AgeRange(min=18, max=65),
        sex=("F",),
        provinces=("10000", "04000"),
        codes=(
            CodeCriterion(source="pharmacy", prefixes=("J01", "J02")),
            CodeCriterion(source="hospital_stays", prefixes=("E11",)),
        ),
    )
    stored = store.get_application(application.application_id)
    assert (stored.cohort_rules, stored.anonymisation) == (
        expected_rules,
        Anonymisation(k=15, birth="year", place="province"),
    )
    decided = service.decide(
        store,
        people["sam"],
        application.application_id,
        approve=True,
        reason="Permitted purpose, minimal variables.",
    )
    permit = to_permit(decided, store)
    assert permit is not None and permit.anonymised
    assert (permit.cohort, permit.anonymisation) == (expected_rules, stored.anonymisation)
    assert permit.anonymisation.required_k(10) == 15 and permit.anonymisation.required_k(20) == 20

    entry = next(e for e in public_register(store) if e.application_id == application.application_id)
    assert entry.as_dict()["cohort_rules"] == {
        "age": {"min": 18, "max": 65},
        "sex": ["F"],
        "provinces": ["10000", "04000"],
        "codes": [
            {"source": "pharmacy", "prefixes": ["J01", "J02"]},
            {"source": "hospital_stays", "prefixes": ["E11"]},
        ],
    }
    assert entry.cohort_summary == (
        "aged 18-65 at the period start; sex F; provinces 10000,04000; any ATC code J01*|J02* in "
        "pharmacy during the period; any ICD-10-CM code E11* in hospital_stays during the period"
    )
    assert entry.anonymisation == {"k": 15, "birth": "year", "place": "province"}


def test_a_pseudonymised_permit_without_criteria_has_neither(store: SqlStore) -> None:
    people = make_world(store)
    application = submit(
        store,
        people["rita"],
        data_form="pseudonymised",
        justification="A stable person pseudonym is needed to follow people over time.",
    )
    decided = service.decide(
        store,
        people["sam"],
        application.application_id,
        approve=True,
        reason="Permitted purpose, minimal variables.",
    )
    permit = to_permit(decided, store)
    assert permit is not None and permit.cohort is None and not permit.anonymised


def test_an_anonymised_permit_without_terms_gets_the_platform_defaults(store: SqlStore) -> None:
    people = make_world(store)
    application = submit(store, people["rita"], data_form="anonymised")
    decided = service.decide(
        store,
        people["sam"],
        application.application_id,
        approve=True,
        reason="Permitted purpose, minimal variables.",
    )
    permit = to_permit(decided, store)
    assert permit is not None and permit.anonymisation == Anonymisation()


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ({}, "cohort_rules: Value error, give at least one criterion"),
        ({"age": {"min": 70, "max": 20}}, "cohort_rules.age: Value error, max is below min"),
        ({"age": {}}, "cohort_rules.age: Value error, give min, max or both"),
        ({"sex": ["X"]}, "cohort_rules.sex[0]: Input should be 'M' or 'F'"),
        ({"provinces": ["Antwerp"]}, "cohort_rules.provinces[0]: String should match pattern"),
        (
            {"codes": [{"source": "wellness", "prefixes": ["A"]}]},
            "cohort_rules.codes[0].source: Input should be 'claims', 'pharmacy', 'hospital_stays' or "
            "'lab_results'",
        ),
        (
            {"codes": [{"source": "claims", "prefixes": []}]},
            "cohort_rules.codes[0].prefixes: Tuple should have",
        ),
        (
            {"codes": [{"source": "claims", "prefixes": ["10 10"]}]},
            "cohort_rules.codes[0].prefixes[0]: String should match pattern",
        ),
        ({"smoker": True}, "cohort_rules.smoker: Extra inputs are not permitted"),
    ],
)
def test_invalid_cohort_rules_are_refused_with_their_place(rules: dict, problem: str) -> None:
    with pytest.raises(InvalidApplication) as error:
        parse_application(application_data(cohort_rules=rules), "app.yaml")
    assert f"app.yaml: {problem}" in str(error.value)


def test_anonymisation_terms_only_raise_k_and_only_for_anonymised_data(store: SqlStore) -> None:
    people = make_world(store)
    with pytest.raises(InvalidApplication, match="anonymisation terms apply to anonymised data only"):
        parse_application(
            application_data(
                data_form="pseudonymised",
                anonymisation={"k": 20},
                justification="A stable person pseudonym is needed to follow people over time.",
            )
        )
    spec = parse_application(application_data(anonymisation={"k": 5}))
    with pytest.raises(InvalidApplication, match=r"anonymisation\.k: 5 is below the platform.s minimum"):
        service.apply(store, people["rita"], spec)  # the instance's k: 10 by default
    # An instance that chose a smaller k accepts it: the floor is a setting, not a constant.
    assert service.apply(store, people["rita"], spec, settings=Settings(k_anonymity=5)).anonymisation.k == 5


def test_refusals_and_removed_workspaces_are_recorded_and_ended_permits_listed(
    catalog: Catalog,
    settings: Settings,
) -> None:
    with catalog.session() as session:
        store = SqlStore(session)
        people = make_world(store)
        permit = approved(store, people).application_id
        revoked = approved(store, people).application_id
        service.revoke(store, people["sam"], revoked, reason="Data used beyond the purpose.")
    report = {
        "rule": "k_anonymity",
        "required_k": 10,
        "datasets": {"claims": {"smallest_class": 3, "quasi_identifiers": ["service_date"]}},
    }
    at = datetime(2026, 3, 1, tzinfo=UTC)
    with unit_of_work(settings) as store:
        record_refusal(store, permit, report, at)
        record_workspace_removed(store, revoked, "revoked", 4, at)
    with unit_of_work(settings) as store:
        assert store.permit_builds(permit) == [PermitBuild(permit, "refused", at, report=report)]
        assert store.permit_builds(revoked) == [
            PermitBuild(revoked, "removed", at, report={"state": "revoked", "files_removed": 4})
        ]
        # Expiry happens on the way: the first permit runs 24 months from its grant.
        assert ended_permits(store, now=datetime(2027, 1, 1, tzinfo=UTC)) == {revoked: "revoked"}
        assert ended_permits(store, now=datetime(2029, 1, 1, tzinfo=UTC)) == {
            revoked: "revoked",
            permit: "expired",
        }
    with catalog.session() as session:
        store = SqlStore(session)
        actions = [
            (e.action, e.object_id, e.details)
            for e in store.audit_entries()
            if e.action in ("permit.build_refused", "permit.workspace_removed")
        ]
        assert store.get_application(permit).state is PermitState.EXPIRED
    assert actions == [
        (
            "permit.build_refused",
            permit,
            {
                "rule": "k_anonymity",
                "required_k": 10,
                "datasets.claims.smallest_class": 3,
                "datasets.claims.quasi_identifiers": ["service_date"],
            },
        ),
        ("permit.workspace_removed", revoked, {"state": "revoked", "files_removed": 4}),
    ]
