"""The public register: applications on arrival, decisions with reasons, permits; no personal names."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from catalog.db.store import SqlStore
from catalog.permits import service
from catalog.permits.register import public_register
from tests.catalog.factories import SUBMITTED_AT, approved, make_world, submit


def test_register_shows_arrivals_refusals_and_permits(store: SqlStore) -> None:
    people = make_world(store)
    pending = submit(store, people["rita"])
    refused = submit(
        store,
        people["rita"],
        commercial=True,
        organisation={"name": "AdCo", "type": "company"},
        purpose={"category": "advertising", "summary": "Target advertising at people with diabetes."},
    )
    permit = approved(store, people)
    service.activate(store, people["otto"], permit.application_id)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    entries = {e.application_id: e for e in public_register(store, now=now)}
    assert set(entries) == {pending.application_id, refused.application_id, permit.application_id}

    arrived = entries[pending.application_id]
    assert (arrived.state, arrived.decision, arrived.decision_due, arrived.overdue) == (
        "submitted",
        None,
        datetime(2026, 5, 2, 10, 0, tzinfo=UTC),
        False,
    )
    no = entries[refused.application_id]
    assert (no.decision, no.organisation, no.organisation_type, no.commercial) == (
        "rejected",
        "AdCo",
        "company",
        True,
    )
    assert "Art 54(c)" in (no.decision_reason or "")
    yes = entries[permit.application_id]
    assert (yes.decision, yes.in_force, yes.permit_from, yes.decision_reason) == (
        "approved",
        True,
        SUBMITTED_AT,
        "Permitted purpose, minimal variables.",
    )
    assert yes.datasets == (("claims", ("nomenclature_code", "service_date")),)

    public = json.dumps([e.as_dict() for e in entries.values()])
    for private in ("rita", "sam", "day-surgery nomenclature code"):  # people and cohort criteria
        assert private not in public
    late = public_register(store, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert [e.application_id for e in late if e.overdue] == [pending.application_id]
