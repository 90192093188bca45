"""Notifications derived from the audit trail, in one place.

Every state change of a permit application and of an output release request is audited with
its object (``catalog.permits.service``, ``catalog.airlock.releases``); ``notify`` reads each
new audit entry and, when its action is one of ``RULES``, records a notification for each
person concerned, in the same transaction as the change. The catalogue's unit of work calls
it for every entry it appends and sends the mails after commit (``catalog.db.gateway``).

Who is told: the applicant and named data users of an application or permit (``party``);
the stewards who may decide on a new application, or review a new release request
(``steward``, chosen by the same rules as the decision and the review); the author of a
release request, of its review and decision (``author``). Whoever made the change is not
told of it.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Protocol

from catalog.airlock.policies import can_review
from catalog.airlock.store import OutputStore
from catalog.audit.domain import AuditEntry
from catalog.errors import NotFound
from catalog.notifications import messages
from catalog.notifications.domain import Audience, Mail, Notification
from catalog.notifications.store import NotificationStore
from catalog.people.domain import Role, User
from catalog.people.store import UserStore
from catalog.permits.policies import can_decide
from catalog.permits.store import PermitStore
from common.logging import get_logger, safe

log = get_logger(__name__)
A, P, S = Audience.AUTHOR, Audience.PARTY, Audience.STEWARD
# The audit actions that notify, and whom.
RULES: dict[str, tuple[Audience, ...]] = {
    "application.submitted": (P, S),
    "application.resubmitted": (P, S),
    "application.marked_incomplete": (P,),
    "application.approved": (P,),
    "application.rejected": (P,),
    "application.refused": (P,),
    "application.lapsed": (P,),
    "permit.activated": (P,),
    "permit.revoked": (P,),
    "permit.expired": (P,),
    "output.requested": (S,),
    "output.review_started": (A,),
    "output.released": (A,),
    "output.rejected": (A,),
    "output.withdrawn": (S,),
}


class Store(NotificationStore, PermitStore, OutputStore, UserStore, Protocol):
    """Everything notifying reads and writes."""


def _parties(store: Store, application_id: str) -> list[str]:
    application = store.get_application(application_id)
    return list(dict.fromkeys([application.applicant, *application.data_users]))


def _stewards(store: Store) -> list[User]:
    return [u for u in store.list_users() if u.has(Role.STEWARD)]


def _reviewers(store: Store, entry: AuditEntry) -> list[str]:
    """Stewards who may act on the new object: decide an application, review a release request."""
    if entry.object_type == "application":
        application = store.get_application(entry.object_id)
        return [u.username for u in _stewards(store) if can_decide(u, application)]
    request = store.get_output_request(entry.object_id)
    if entry.action == "output.withdrawn":  # those told of the request are told it is gone
        told = store.notifications_about("output", entry.object_id)
        return list(dict.fromkeys(n.recipient for n in told if n.audience is S))
    permit = store.get_application(request.permit_id)
    reviews = store.output_reviews(request.request_id)
    return [u.username for u in _stewards(store) if can_review(u, request, permit, reviews)]


def _told(store: Store, entry: AuditEntry, audience: Audience) -> list[str]:
    if audience is P:
        return _parties(store, entry.object_id)
    if audience is A:
        return [store.get_output_request(entry.object_id).author]
    return _reviewers(store, entry)


def recipients(store: Store, entry: AuditEntry) -> list[tuple[str, Audience]]:
    """Who ``entry`` notifies and why, the actor left out; empty for actions that notify nobody,
    and for an object the catalogue does not hold (nobody to address; the change stands)."""
    found: dict[str, Audience] = {}
    try:
        for audience in RULES.get(entry.action, ()):
            for name in _told(store, entry, audience):
                found.setdefault(name, audience)
    except NotFound:
        log.warning("notifications.no_object", action=safe(entry.action), object_type=safe(entry.object_type))
        return []
    return [(name, audience) for name, audience in found.items() if name != entry.actor]


def _at(entry: AuditEntry) -> datetime:
    return datetime.fromisoformat(entry.at).astimezone(UTC)


def notify(store: Store, entry: AuditEntry, portal_url: str) -> list[Mail]:
    """Record the notifications of one audit entry; returns their mails, to send after commit."""
    mails = []
    for username, audience in recipients(store, entry):
        notification = Notification(
            notification_id=secrets.token_hex(16),
            recipient=username,
            action=entry.action,
            audience=audience,
            object_type=entry.object_type,
            object_id=entry.object_id,
            audit_seq=entry.seq,
            created_at=_at(entry),
        )
        store.add_notification(notification)
        if "@" in username:  # accounts are named by their e-mail address; others get none
            language = store.user_language(username)
            mails.append(
                Mail(
                    notification.notification_id,
                    username,
                    messages.subject(notification, language),
                    messages.body(notification, language, portal_url),
                )
            )
    return mails


def notifications_of(store: Store, user: User) -> list[Notification]:
    """The user's own notifications, newest first."""
    return store.notifications_of(user.username)


def unread(store: Store, user: User) -> int:
    return store.count_unread_notifications(user.username)


def get(store: Store, user: User, notification_id: str) -> Notification:
    """One of the user's notifications; ``NotFound`` for anyone else's, as for no such one."""
    found = store.find_notification(notification_id)
    if found is None or found.recipient != user.username:
        raise NotFound("no such notification")
    return found


def mark_read(store: Store, user: User, notification_id: str, now: datetime) -> Notification:
    """Mark one of the user's notifications read; reading it again keeps the first time."""
    get(store, user, notification_id)
    store.mark_notifications_read(user.username, [notification_id], now)
    return get(store, user, notification_id)


def mark_all_read(store: Store, user: User, now: datetime) -> int:
    """Mark every unread notification of the user read; returns how many were unread."""
    return store.mark_notifications_read(user.username, None, now)
