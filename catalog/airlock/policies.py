"""The airlock's rules, as ``check_*``/``can_*`` pairs (see ``catalog.permits.policies``).

Who may request a release (a named data user of a permit in force), review it (a steward
who is neither its author nor a named user of its permit, once), see it, and download it
(only once released, only the permit's named users).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from catalog.airlock.domain import OutputContext, OutputRequest, OutputState, Review
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


# Context: what the output shows and why it is needed, each in a few words at least.
MIN_CONTEXT_LENGTH = 20
MAX_CONTEXT_LENGTH = 4000
CONTEXT_FIELDS = ("shows", "needed_for")


def context_problems(shows: str | None, needed_for: str | None) -> dict[str, str]:
    """Per context field that breaks the rule, why: ``missing``, ``too_short`` or ``too_long``."""
    problems = {}
    for name, value in zip(CONTEXT_FIELDS, (shows, needed_for), strict=True):
        text = (value or "").strip()
        if not text:
            problems[name] = "missing"
        elif len(text) < MIN_CONTEXT_LENGTH:
            problems[name] = "too_short"
        elif len(text) > MAX_CONTEXT_LENGTH:
            problems[name] = "too_long"
    return problems


def check_context(shows: str | None, needed_for: str | None) -> OutputContext:
    """A release request says what its output shows and why it is needed, each in
    ``MIN_CONTEXT_LENGTH`` to ``MAX_CONTEXT_LENGTH`` characters; returns both stripped."""
    problems = context_problems(shows, needed_for)
    if problems:
        listed = ", ".join(f"{name} {problem}" for name, problem in problems.items())
        raise RuleViolation(
            f"a release request needs its context (what it shows, why it is needed), each of "
            f"{MIN_CONTEXT_LENGTH} to {MAX_CONTEXT_LENGTH} characters: {listed}"
        )
    return OutputContext((shows or "").strip(), (needed_for or "").strip())


def context_given(shows: str | None, needed_for: str | None) -> bool:
    return not context_problems(shows, needed_for)


# Why a user may not review a request, as codes a user interface translates; the order is
# the order of the checks.
NOT_STEWARD, AUTHOR, DATA_USER, APPLICANT, ALREADY_VOTED, NOT_REVIEWABLE = (
    "not_steward",
    "author",
    "data_user",
    "applicant",
    "already_voted",
    "not_reviewable",
)


def review_refusal(
    user: User, request: OutputRequest, permit: Application, reviews: Sequence[Review]
) -> str | None:
    """The first rule that keeps ``user`` from reviewing ``request``, as a code; None if they may."""
    if Role.STEWARD not in user.roles:
        return NOT_STEWARD
    if user.username == request.author:
        return AUTHOR
    if user.username in permit.data_users:
        return DATA_USER
    if user.username == permit.applicant:
        return APPLICANT
    if any(r.reviewer == user.username for r in reviews):
        return ALREADY_VOTED
    if request.state not in REVIEWABLE:
        return NOT_REVIEWABLE
    return None


def check_can_review(
    user: User, request: OutputRequest, permit: Application, reviews: Sequence[Review]
) -> None:
    """A steward reviews once; never the author, a named user or the applicant of the permit."""
    refusal = review_refusal(user, request, permit, reviews)
    who, rid, pid = user.username, request.request_id, permit.application_id
    if refusal == NOT_STEWARD:
        raise NotAuthorised(f"user {who!r} may not review outputs: needs role steward")
    messages = {
        AUTHOR: f"{who!r} is the author of output request {rid} and may never review it",
        DATA_USER: f"steward {who!r} is a named data user of permit {pid} and may not review its outputs",
        APPLICANT: f"steward {who!r} applied for permit {pid} and may not review its outputs",
        ALREADY_VOTED: f"steward {who!r} has already voted on {rid}",
        NOT_REVIEWABLE: f"output request {rid} is {request.state}, not under review",
    }
    if refusal is not None:
        raise RuleViolation(messages[refusal])


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
