"""Every operation of the control plane × every role, through the service layer.

A role either may perform an operation (the call succeeds) or is refused with
``NotAuthorised`` before anything is written, exactly as ``policies.PERMISSIONS`` says.
The web app and the CLI call these same functions, so the check holds behind any screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from catalog.dashboards import service as dashboards
from catalog.datasets import descriptions, quality
from catalog.datasets.rdf import export
from catalog.db.dashboards import SqlDashboardStore
from catalog.db.store import SqlStore
from catalog.errors import NotAuthorised
from catalog.optout import citizens
from catalog.optout.vocabulary import OptOutAction, OptOutChannel
from catalog.people import users
from catalog.people.domain import Role, User
from catalog.people.roles import PERMISSIONS, Operation, can
from catalog.permits import service
from catalog.permits.applications import parse_application
from catalog.permits.register import public_register
from common.layout import Source
from jobs.catalogue_facts import rule_facts
from tests.catalog.factories import application_data, approved, make_user, make_world, submit
from tests.catalog.fixtures import catalog, catalog_url, store  # noqa: F401 (fixtures

REASON = "Reason given for the record."


def _apply(s: SqlStore, actor: User, people: dict[str, User]) -> Any:
    spec = parse_application(application_data(applicant=actor.username, data_users=[actor.username]))
    return service.apply(s, actor, spec)


RUNS: dict[Operation, Callable[[SqlStore, User, dict[str, User]], Any]] = {
    Operation.APPLY: _apply,
    Operation.REVIEW: lambda s, a, p: service.start_review(s, a, submit(s, p["rita"]).application_id),
    Operation.DECIDE: lambda s, a, p: service.decide(
        s, a, submit(s, p["rita"]).application_id, approve=True, reason=REASON
    ),
    Operation.ACTIVATE: lambda s, a, p: service.activate(s, a, approved(s, p).application_id),
    Operation.EXPIRE: lambda s, a, p: service.expire_due(s, a),
    Operation.REVOKE: lambda s, a, p: service.revoke(s, a, approved(s, p).application_id, REASON),
    Operation.VIEW_APPLICATION: lambda s, a, p: service.view(s, a, submit(s, p["rita"]).application_id),
    Operation.LIST_OVERDUE: lambda s, a, p: service.overdue(s, a),
    Operation.VIEW_REGISTER: lambda s, a, p: public_register(s),
    Operation.EXPORT_CATALOGUE: lambda s, a, p: export(s.list_datasets(), "turtle"),
    Operation.EDIT_DATASET: lambda s, a, p: descriptions.edit(s, a, "claims", {"themes": ["HEAL", "SOCI"]}),
    Operation.RECORD_PUBLICATION: lambda s, a, p: descriptions.publish(
        s, "claims", rule_facts(Source.CLAIMS), actor=a
    ),
    Operation.READ_AUDIT: lambda s, a, p: service.audit_entries(s, a),
    Operation.VERIFY_AUDIT: lambda s, a, p: service.verify_audit(s, a),
    Operation.MANAGE_USERS: lambda s, a, p: users.create_user(s, a, "newcomer", {Role.CITIZEN}),
    Operation.VIEW_QUALITY: lambda s, a, p: quality.quality_report(s, a, {}),
    Operation.OPT_OUT_ONLINE: lambda s, a, p: citizens.state_of(s, a),
    Operation.TAKE_OPT_OUT: lambda s, a, p: citizens.request_by_agent(
        s,
        a,
        "TTP-caller-1",
        OptOutAction.OPTOUT,
        OptOutChannel.PHONE,
        form_key=citizens.new_form_key(),
        now=datetime(2026, 3, 1, tzinfo=UTC),
    ),
    Operation.COMPOSE_DASHBOARD: lambda s, a, p: dashboards.own(SqlDashboardStore(s.session), a),
}


def test_every_operation_has_a_run() -> None:
    assert set(RUNS) == set(Operation)


# Authorisation does not depend on the database, so SQLite only (the rules are the same code).
@pytest.mark.parametrize("catalog_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("operation", list(Operation))
def test_operation_by_role(store: SqlStore, operation: Operation, role: Role) -> None:  # noqa: F811
    people = make_world(store)
    actor = make_user(store, "actor", role)
    allowed = role in PERMISSIONS[operation]
    assert can(actor, operation) is allowed
    before = len(store.audit_entries())
    if allowed:
        assert RUNS[operation](store, actor, people) is not None
    else:
        with pytest.raises(NotAuthorised, match="actor"):
            RUNS[operation](store, actor, people)
        # Setting up the case may write (the factories' applications), the refused call never does.
        assert all(e.actor != "actor" for e in store.audit_entries()[before:])


@pytest.mark.parametrize("catalog_url", ["sqlite"], indirect=True)
def test_named_user_and_applicant_see_their_application_others_do_not(store: SqlStore) -> None:  # noqa: F811
    people = make_world(store)
    application = submit(store, people["rita"], data_users=["rita", "ruben"])
    assert service.view(store, people["ruben"], application.application_id).applicant == "rita"
    stranger = make_user(store, "stranger", Role.RESEARCHER)
    with pytest.raises(NotAuthorised):
        service.view(store, stranger, application.application_id)
    with pytest.raises(NotAuthorised):
        service.history(store, people["cito"], application.application_id)
