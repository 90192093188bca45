"""Who may do what, and the rules of an application; every rule is a ``check_*``/``can_*`` pair.

``check_*`` raises a domain error whose message says why; ``can_*`` returns a bool for a
user interface. The service layer calls the ``check_*`` form before every operation, so a
rule holds whatever the entry point (CLI, web app, DAG task).
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from catalog.errors import NotAuthorised, RuleViolation, passes
from catalog.people.domain import User
from catalog.people.roles import Operation, check_can
from catalog.permits.domain import Application
from catalog.permits.lifecycle import AWAITING_DECISION
from catalog.permits.vocabulary import (
    PROHIBITED_REASONS,
    PUBLIC_BODY_PURPOSES,
    OrganisationType,
    ProhibitedPurpose,
    Purpose,
)
from common.settings import get_settings

# EHDS Art 53(2) reserves these purposes to public bodies (a "check" item in DOMAIN.md):
# switch off here if the final reading differs.
RESERVE_PUBLIC_BODY_PURPOSES = True
MIN_REASON_LENGTH = 10


def check_can_view_application(user: User, application: Application) -> None:
    """Stewards and operators see every application; others only their own or one naming them."""
    if user.username == application.applicant or user.username in application.data_users:
        return
    check_can(user, Operation.VIEW_APPLICATION)


def can_view_application(user: User, application: Application) -> bool:
    return passes(lambda: check_can_view_application(user, application))


def check_can_resubmit(user: User, application: Application) -> None:
    check_can(user, Operation.APPLY)
    if user.username != application.applicant:
        raise NotAuthorised(f"only the applicant may resubmit application {application.application_id}")


def can_resubmit(user: User, application: Application) -> bool:
    return passes(lambda: check_can_resubmit(user, application))


def check_can_decide(user: User, application: Application) -> None:
    """A steward decides, and never on an application they made or are a named data user of."""
    check_can(user, Operation.DECIDE)
    if user.username == application.applicant:
        raise RuleViolation(
            f"steward {user.username!r} is the applicant of "
            f"{application.application_id} and may not decide on it"
        )
    if user.username in application.data_users:
        raise RuleViolation(
            f"steward {user.username!r} is a named data user of "
            f"{application.application_id} and may not decide on it"
        )
    if application.state not in AWAITING_DECISION:
        raise RuleViolation(
            f"application {application.application_id} is {application.state}, not awaiting a decision"
        )


def can_decide(user: User, application: Application) -> bool:
    return passes(lambda: check_can_decide(user, application))


def check_purpose_allowed(purpose: str) -> None:
    """Raise ``RuleViolation`` with the legal reason if ``purpose`` is prohibited or unknown."""
    if purpose in ProhibitedPurpose.__members__.values():
        raise RuleViolation(PROHIBITED_REASONS[ProhibitedPurpose(purpose)])
    if purpose not in Purpose.__members__.values():
        raise RuleViolation(f"purpose {purpose!r} is not a permitted purpose of EHDS Art 53")


def purpose_allowed(purpose: str) -> bool:
    return passes(lambda: check_purpose_allowed(purpose))


def check_purpose_fits_organisation(purpose: str, organisation_type: OrganisationType) -> None:
    """Public health, policy making and official statistics are for public bodies (Art 53(2))."""
    if (
        RESERVE_PUBLIC_BODY_PURPOSES
        and purpose in PUBLIC_BODY_PURPOSES
        and organisation_type is not OrganisationType.PUBLIC_BODY
    ):
        raise RuleViolation(
            f"purpose {purpose} is reserved to public bodies (EHDS Art 53(2)); "
            f"the applicant is a {organisation_type.value.replace('_', ' ')}"
        )


def purpose_fits_organisation(purpose: str, organisation_type: OrganisationType) -> bool:
    return passes(lambda: check_purpose_fits_organisation(purpose, organisation_type))


def check_reason(reason: str | None) -> str:
    """A decision needs a reason of at least a few words; returns it stripped."""
    text = (reason or "").strip()
    if len(text) < MIN_REASON_LENGTH:
        raise RuleViolation(f"a decision needs a reason of at least {MIN_REASON_LENGTH} characters")
    return text


def reason_given(reason: str | None) -> bool:
    return passes(lambda: check_reason(reason))


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


# EHDS Art 68: an applicant asked for more information has four weeks to complete the application.
COMPLETION_WINDOW = timedelta(weeks=4)
LAPSED_REASON = (
    "Not completed within four weeks of the request for more information (EHDS Art 68); "
    "a new application can be made."
)


def completion_due(marked_incomplete_at: datetime) -> datetime:
    """When an application marked incomplete at that moment lapses unless completed."""
    return marked_incomplete_at + COMPLETION_WINDOW


def decision_due(application: Application) -> datetime | None:
    """When the decision is due: ``permit_decision_months`` (EHDS Art 68: three) after the
    last, complete submission."""
    if application.submitted_at is None or application.state not in AWAITING_DECISION:
        return None
    return add_months(application.submitted_at, get_settings().permit_decision_months)


def is_overdue(application: Application, now: datetime) -> bool:
    due = decision_due(application)
    return due is not None and now > due
