"""A notification as stored: who is told, of which audited state change, of which object.

A notification holds no text and no value: its words come from the audit action and the
audience in the reader's language (``catalog.notifications.messages``), its object is named
by id only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Audience(StrEnum):
    """Why a recipient is told: each gets its own words for the same change."""

    PARTY = "party"  # the applicant and the named data users of an application or permit
    STEWARD = "steward"  # stewards, for new work: an application or a release request to review
    AUTHOR = "author"  # the author of an output release request, for its review and decision


# Where each kind of object is seen in the portal; mails and the notification list link there.
PORTAL_PATHS = {"application": "/applications/{id}", "output": "/outputs/{id}"}


@dataclass(frozen=True)
class Notification:
    notification_id: str  # random: it appears in URLs
    recipient: str
    action: str  # the audit action of the change, e.g. ``application.approved``
    audience: Audience
    object_type: str
    object_id: str
    audit_seq: int  # the audit entry it was derived from
    created_at: datetime
    read_at: datetime | None = None
    mailed_at: datetime | None = None

    @property
    def path(self) -> str:
        """The object's page in the portal."""
        return PORTAL_PATHS[self.object_type].format(id=self.object_id)


@dataclass(frozen=True)
class Mail:
    """One message to send once the transaction that made its notification has committed."""

    notification_id: str
    to: str
    subject: str
    body: str
