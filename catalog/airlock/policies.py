"""The airlock's rules, as ``check_*``/``can_*`` pairs (see ``catalog.permits.policies``).

Who may request a release (a named data user of a permit in force), review it (a steward
who is neither its author nor a named user of its permit, once), see it, and download it
(only once released, only the permit's named users).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from catalog.airlock.domain import OutputRequest, OutputState, Review
from catalog.airlock.lifecycle import FINAL_STATES, REVIEWABLE
from catalog.errors import NotAuthorised, RuleViolation, passes
from catalog.people.domain import Role, User
from catalog.permits.domain import Application
from catalog.permits.lifecycle import IN_FORCE


def check_can_request(user: User, permit: Application, now: datetime) -> None:
    """Only a named data user of a permit in force may ask to release a result obtained under it."""
    if user.username not in permit.data_users:
        raise NotAuthorised(
            f"user {user.username!r} is not a named data user of permit {permit.application_id}"
        )
    if permit.state not in IN_FORCE:
        raise RuleViolation(f"permit {permit.application_id} is {permit.state}")
    if (
        permit.granted_at is None
        or permit.expires_at is None
        or not (permit.granted_at <= now < permit.expires_at)
    ):
        raise RuleViolation(f"permit {permit.application_id} is not in force")


def can_request(user: User, permit: Application, now: datetime) -> bool:
    return passes(lambda: check_can_request(user, permit, now))


def check_can_review(
    user: User, request: OutputRequest, permit: Application, reviews: Sequence[Review]
) -> None:
    """A steward reviews once; never the author, a named user or the applicant of the permit."""
    if Role.STEWARD not in user.roles:
        raise NotAuthorised(f"user {user.username!r} may not review outputs: needs role steward")
    if user.username == request.author:
        raise RuleViolation(
            f"{user.username!r} is the author of output request {request.request_id} and may never review it"
        )
    if user.username in permit.data_users:
        raise RuleViolation(
            f"steward {user.username!r} is a named data user of permit "
            f"{permit.application_id} and may not review its outputs"
        )
    if user.username == permit.applicant:
        raise RuleViolation(
            f"steward {user.username!r} applied for permit {permit.application_id} "
            "and may not review its outputs"
        )
    if any(r.reviewer == user.username for r in reviews):
        raise RuleViolation(f"steward {user.username!r} has already voted on {request.request_id}")
    if request.state not in REVIEWABLE:
        raise RuleViolation(f"output request {request.request_id} is {request.state}, not under review")


def can_review(user: User, request: OutputRequest, permit: Application, reviews: Sequence[Review]) -> bool:
    return passes(lambda: check_can_review(user, request, permit, reviews))


def check_can_view(user: User, request: OutputRequest, permit: Application) -> None:
    """Stewards (who review), the author and the permit's named users see a request."""
    if Role.STEWARD in user.roles or user.username == request.author or user.username in permit.data_users:
        return
    raise NotAuthorised(f"user {user.username!r} may not see output request {request.request_id}")


def can_view(user: User, request: OutputRequest, permit: Application) -> bool:
    return passes(lambda: check_can_view(user, request, permit))


def check_can_download(user: User, request: OutputRequest, permit: Application) -> None:
    """Only a released output leaves, and only to the author or a named user of its permit."""
    if user.username != request.author and user.username not in permit.data_users:
        raise NotAuthorised(
            f"user {user.username!r} may not download output {request.request_id}: "
            "only the permit's named data users may"
        )
    if request.state is not OutputState.RELEASED:
        raise RuleViolation(
            f"output {request.request_id} is {request.state}: only released outputs can be downloaded"
        )


def can_download(user: User, request: OutputRequest, permit: Application) -> bool:
    return passes(lambda: check_can_download(user, request, permit))


def visible_reviews(user: User, request: OutputRequest, reviews: Sequence[Review]) -> tuple[Review, ...]:
    """Blindness: before the decision a user sees only their own vote; after it, every vote."""
    if request.state in FINAL_STATES:
        return tuple(reviews)
    return tuple(r for r in reviews if r.reviewer == user.username)
