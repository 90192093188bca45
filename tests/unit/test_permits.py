from datetime import UTC, datetime

import pytest

from catalog.db.gateway import unit_of_work
from catalog.errors import PermitDenied, UnknownPermit
from catalog.permits.grants import can_query, check_can_query
from catalog.permits.queries import get_permit
from tests.factories import make_permit

IN_FORCE = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("user", "at", "reason"),
    [
        ("alice", IN_FORCE, None),
        ("mallory", IN_FORCE, "not a named data user"),
        ("alice", datetime(2025, 6, 1, tzinfo=UTC), "not in force yet"),
        ("alice", datetime(2027, 1, 1, tzinfo=UTC), "expired on 2027-01-01"),
    ],
)
def test_query_rule_pair(user: str, at: datetime, reason: str | None) -> None:
    permit = make_permit()
    assert can_query(permit, user, at) is (reason is None)
    if reason is None:
        check_can_query(permit, user, at)
    else:
        with pytest.raises(PermitDenied, match=reason):
            check_can_query(permit, user, at)


def test_unknown_permit() -> None:
    with unit_of_work() as store, pytest.raises(UnknownPermit, match="no permit with id"):
        get_permit(store, "nope")
