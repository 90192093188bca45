"""Factories for catalogue tests: keyword-only defaults make the common case one line."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from catalog.datasets import descriptions
from catalog.datasets.metadata import DatasetMetadata
from catalog.db.store import SqlStore
from catalog.people.domain import Role, User
from catalog.permits import service
from catalog.permits.applications import parse_application
from catalog.permits.domain import Application
from common.layout import Source
from jobs.catalogue_facts import rule_facts

SUBMITTED_AT = datetime(2026, 2, 2, 10, 0, tzinfo=UTC)

APPLICATION: dict[str, Any] = {
    "title": "Antibiotic use after day surgery",
    "applicant": "rita",
    "organisation": {"name": "University of Ghent", "type": "academic"},
    "purpose": {
        "category": "scientific_research",
        "summary": "Do people who had day surgery get antibiotics more often afterwards, and "
        "does that differ between hospitals?",
    },
    "commercial": False,
    "datasets": [{"name": "claims", "variables": ["nomenclature_code", "service_date"]}],
    "cohort": "Adults with a day-surgery nomenclature code in 2025",
    "period": {"start": "2025-01-01", "end": "2025-12-31"},
    "data_users": ["rita"],
    "duration_months": 24,
}


def application_data(**overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(APPLICATION)
    data.update(overrides)
    return data


def make_user(store: SqlStore, username: str, *roles: Role) -> User:
    user = User(username=username, roles=frozenset(roles or {Role.RESEARCHER}))
    store.add_user(user, None)
    return user


def make_world(store: SqlStore) -> dict[str, User]:
    """A researcher (rita), a second researcher (ruben), two stewards, an operator, an analyst, a citizen."""
    people = {
        "rita": make_user(store, "rita", Role.RESEARCHER),
        "ruben": make_user(store, "ruben", Role.RESEARCHER),
        "sam": make_user(store, "sam", Role.STEWARD),
        "sofie": make_user(store, "sofie", Role.STEWARD, Role.RESEARCHER),
        "otto": make_user(store, "otto", Role.OPERATOR),
        "ana": make_user(store, "ana", Role.POLICY_ANALYST),
        "cito": make_user(store, "cito", Role.CITIZEN),
    }
    describe_lake(store, Source.CLAIMS)
    return people


LAKE = tuple(s for s in Source if s is not Source.OPTOUT)


def describe_lake(store: descriptions.CatalogueStore, *sources: Source) -> None:
    """Put datasets in the catalogue as the pipeline does, without data: no facts but the rules'."""
    for source in sources or LAKE:
        descriptions.publish(store, source.value, rule_facts(source))


def described(source: Source) -> DatasetMetadata:
    """A dataset's description from the repository's files, with the rules' facts."""
    return descriptions.describe(source.value, rule_facts(source))


def submit(
    store: SqlStore,
    applicant: User,
    *,
    now: datetime = SUBMITTED_AT,
    application_id: str | None = None,
    **overrides: Any,
) -> Application:
    """Apply with ``application_data``; ``application_id`` fixes the id, which is random otherwise."""
    data = application_data(applicant=applicant.username, **overrides)
    return service.apply(store, applicant, parse_application(data), now=now, application_id=application_id)


def approved(store: SqlStore, people: dict[str, User], *, now: datetime = SUBMITTED_AT) -> Application:
    application = submit(store, people["rita"], now=now)
    return service.decide(
        store,
        people["sam"],
        application.application_id,
        approve=True,
        reason="Permitted purpose, minimal variables.",
        now=now,
    )
