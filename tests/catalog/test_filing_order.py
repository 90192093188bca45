"""Applications and output requests list in the order they were filed, though their ids are
random: records made at the same instant keep their filing order (migration 0016)."""

from __future__ import annotations

from catalog.db.store import SqlStore
from tests.catalog.factories import SUBMITTED_AT, make_world, submit


def test_applications_filed_at_the_same_instant_list_in_filing_order(store: SqlStore) -> None:
    rita = make_world(store)["rita"]
    filed = [submit(store, rita, now=SUBMITTED_AT, title=f"Study {n}").application_id for n in range(12)]
    assert [a.application_id for a in store.list_applications()] == filed
