"""What a researcher's access to each dataset is, for the catalogue's cards: none, an
application waiting, or a permit in force that names them.

One rule for the web portal and any other reader: a permit counts when it is in force
(approved or active, between its grant and its expiry) and names the user as a data user;
an application counts as pending while it waits for the applicant or a steward (submitted,
incomplete, under review) and the user made it or is named in it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from catalog.people.domain import User
from catalog.permits.domain import Application
from catalog.permits.lifecycle import AWAITING_DECISION, IN_FORCE
from catalog.permits.store import PermitStore
from catalog.permits.vocabulary import PermitState


class Access(StrEnum):
    """A user's access to one dataset, weakest first."""

    NONE = "none"
    PENDING = "pending"
    IN_FORCE = "in_force"


PENDING_STATES = AWAITING_DECISION | {PermitState.INCOMPLETE}
_RANK = {Access.NONE: 0, Access.PENDING: 1, Access.IN_FORCE: 2}


def _access(application: Application, user: User, now: datetime) -> Access:
    """What one application or permit gives ``user``."""
    if application.state in IN_FORCE and user.username in application.data_users:
        started = application.granted_at is None or application.granted_at <= now
        if started and (application.expires_at is None or now < application.expires_at):
            return Access.IN_FORCE
    if application.state in PENDING_STATES and (
        user.username == application.applicant or user.username in application.data_users
    ):
        return Access.PENDING
    return Access.NONE


def access_by_dataset(store: PermitStore, user: User, *, now: datetime) -> dict[str, Access]:
    """Per dataset id, the strongest access ``user`` has; datasets not listed: ``Access.NONE``."""
    found: dict[str, Access] = {}
    for application in store.list_applications(IN_FORCE | PENDING_STATES):
        access = _access(application, user, now)
        if access is Access.NONE:
            continue
        for requested in application.datasets:
            current = found.get(requested.dataset, Access.NONE)
            if _RANK[access] > _RANK[current]:
                found[requested.dataset] = access
    return found
