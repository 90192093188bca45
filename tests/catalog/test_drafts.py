"""Application drafts (save, come back, submit once), answers to a request for more
information through ``service.resubmit``, and stewards' notes; on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from catalog.db.store import SqlStore
from catalog.errors import InvalidApplication, NotFound, RuleViolation
from catalog.permits import drafts, service
from catalog.permits.applications import parse_application
from catalog.permits.vocabulary import PermitState
from tests.catalog.factories import SUBMITTED_AT, application_data, make_world, submit


def key() -> str:
    return secrets.token_urlsafe(32)


def test_a_draft_is_its_owners_alone_and_is_submitted_once(store: SqlStore) -> None:
    people = make_world(store)
    rita, ruben = people["rita"], people["ruben"]
    draft_id = key()
    started = drafts.start(store, rita, draft_id, SUBMITTED_AT)
    assert drafts.start(store, rita, draft_id, SUBMITTED_AT) == started  # the form sent twice
    drafts.save_section(store, rita, draft_id, "purpose", {"title": "Antibiotics"}, False, SUBMITTED_AT)
    assert drafts.get(store, rita, draft_id).answers == {
        "purpose": {"values": {"title": "Antibiotics"}, "complete": False}
    }
    for stranger in (lambda: drafts.get(store, ruben, draft_id), lambda: drafts.get(store, rita, "app-1")):
        with pytest.raises(NotFound):
            stranger()
    spec = parse_application(application_data())
    first = drafts.submit(store, rita, draft_id, spec, SUBMITTED_AT)
    again = drafts.submit(store, rita, draft_id, spec, SUBMITTED_AT + timedelta(seconds=1))
    assert first == again and first.state is PermitState.SUBMITTED
    assert store.count_applications() == 1 and drafts.open_drafts(store, rita) == []
    with pytest.raises(RuleViolation, match="submitted as"):
        drafts.save_section(store, rita, draft_id, "purpose", {}, True, SUBMITTED_AT)


def test_an_answer_to_a_question_amends_and_resubmits_through_the_service(store: SqlStore) -> None:
    people = make_world(store)
    application = submit(store, people["rita"])
    drafts.ask(
        store, people["sam"], application.application_id, "Which hospitals exactly?", ["cohort"], SUBMITTED_AT
    )
    assert [n.kind for n in drafts.notes(store, people["rita"], application.application_id)] == ["question"]
    draft = drafts.start_amendment(store, people["rita"], application.application_id, key(), {}, SUBMITTED_AT)
    later = SUBMITTED_AT + timedelta(days=3)
    changed = parse_application(application_data(cohort="Adults operated in Ghent hospitals in 2025"))
    resubmitted = drafts.submit(store, people["rita"], draft.draft_id, changed, later)
    assert resubmitted.state is PermitState.SUBMITTED and resubmitted.submitted_at == later
    assert resubmitted.cohort_criteria == "Adults operated in Ghent hospitals in 2025"
    actions = [(e.action, e.details) for e in store.audit_entries()][-3:]
    assert actions == [
        ("application.marked_incomplete", {"from": "submitted", "to": "incomplete"}),
        ("application.amended", {"fields": ["cohort_criteria"]}),
        ("application.resubmitted", {"from": "incomplete", "to": "submitted"}),
    ]


def test_an_amendment_meets_every_rule_of_a_new_application(store: SqlStore) -> None:
    people = make_world(store)
    application = submit(store, people["rita"])
    service.mark_incomplete(store, people["sam"], application.application_id, "Say which variables.")
    wrong = parse_application(application_data(data_users=["rita", "nobody"]))
    with pytest.raises(InvalidApplication) as refused:
        service.resubmit(store, people["rita"], application.application_id, spec=wrong)
    assert [(p.place, p.code) for p in refused.value.problems] == [("data_users[1]", "unknown_user")]
    assert store.get_application(application.application_id).state is PermitState.INCOMPLETE


def test_notes_are_for_stewards_and_a_form_sent_twice_adds_one(store: SqlStore) -> None:
    people = make_world(store)
    application = submit(store, people["rita"])
    form = key()
    for _ in range(2):
        drafts.add_note(
            store,
            people["sam"],
            application.application_id,
            "datasets",
            "Check minimisation.",
            form,
            SUBMITTED_AT,
        )
    assert [n.text for n in drafts.notes(store, people["sam"], application.application_id)] == [
        "Check minimisation."
    ]
    assert drafts.notes(store, people["rita"], application.application_id) == []
    assert [e.action for e in store.audit_entries()].count("application.note_added") == 1
