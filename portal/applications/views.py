"""What the portal shows of applications and drafts: section statuses, the decision clock,
the problems the service found (by section and field), the stewards' queue and its filter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from catalog.permits.domain import Application, Problem
from catalog.permits.drafts import SECTIONS
from catalog.permits.lifecycle import AWAITING_DECISION
from catalog.permits.policies import LAPSED_REASON, decision_due, is_overdue
from catalog.permits.vocabulary import PermitState, ProhibitedPurpose
from common.settings import Settings
from portal.applications import vocabulary
from portal.applications.forms import FIELDS, Context, FieldError
from portal.i18n import N_

# Where a problem's place (``datasets[0].variables``) is answered: its section and field.
PLACES: dict[str, tuple[str, str]] = {
    "title": ("purpose", "title"),
    "organisation": ("purpose", "organisation"),
    "purpose": ("purpose", "purpose"),
    "commercial": ("purpose", "commercial"),
    "datasets": ("datasets", "variables"),
    "cohort": ("cohort", "cohort"),
    "cohort_rules": ("cohort", "cohort"),
    "period": ("period", "start"),
    "duration_months": ("period", "duration_months"),
    "data_form": ("data_form", "data_form"),
    "anonymisation": ("data_form", "k"),
    "justification": ("data_form", "justification"),
    "disclosure": ("disclosure", "min_persons"),
    "data_users": ("data_users", "data_users"),
    "applicant": ("data_users", "data_users"),
}


def status_of(answers: dict[str, Any], section: str) -> str:
    """``not_started``, ``in_progress`` or ``completed``."""
    if section not in answers:
        return "not_started"
    return "completed" if answers[section].get("complete") else "in_progress"


def all_complete(answers: dict[str, Any]) -> bool:
    return all(status_of(answers, s) == "completed" for s in SECTIONS)


def where(problem: Problem) -> tuple[str, str]:
    """The section and field a problem of the service is about."""
    head = problem.place.split(".")[0].split("[")[0]
    section, field = PLACES.get(head, ("purpose", "title"))
    if head == "disclosure" and "." in problem.place:
        field = problem.place.split(".")[1]
    if head == "purpose" and problem.place.endswith("summary"):
        field = "summary"
    return section, field if field in FIELDS[section] else FIELDS[section][0]


def problems_by_section(problems: tuple[Problem, ...]) -> dict[str, list[FieldError]]:
    """The service's problems as translatable field errors, per section, each once."""
    found: dict[str, list[FieldError]] = {}
    for problem in problems:
        section, field = where(problem)
        error = FieldError(field, vocabulary.PROBLEMS.get(problem.code, vocabulary.OTHER_PROBLEM))
        if error not in found.setdefault(section, []):
            found[section].append(error)
    return found


@dataclass(frozen=True)
class Clock:
    """The decision clock of an application: when the decision is due and how far away."""

    due: datetime | None
    days: int | None  # days left (negative: days overdue)
    overdue: bool
    paused: bool  # incomplete: the clock starts again when the applicant answers


def clock(application: Application, now: datetime) -> Clock:
    """From the service's own rules (``decision_due``, ``is_overdue``)."""
    due = decision_due(application)
    days = None if due is None else (due.date() - now.date()).days
    return Clock(due, days, is_overdue(application, now), application.state is PermitState.INCOMPLETE)


def refusal_reason(application: Application, _: Callable[[str], str]) -> str | None:
    """The decision's reason in the reader's language: a prohibited purpose's legal reason
    is translated by its code, a lapse's by its text; a steward's reason is shown as the
    steward wrote it."""
    if application.decision_reason is None:
        return None
    if application.decided_by == "system" and application.purpose in ProhibitedPurpose.__members__.values():
        return _(vocabulary.PROHIBITED_REASONS[application.purpose])
    if application.decided_by == "system" and application.decision_reason == LAPSED_REASON:
        return _(vocabulary.LAPSED_REASON)
    return application.decision_reason


def check_context(store: Any, answers: dict[str, Any], settings: Settings, names: list[str]) -> Context:
    """What the section checks need from the catalogue and the settings."""
    variables = {
        d.dataset_id: tuple(str(v["name"]) for v in d.metadata.get("variables", []))
        for d in store.list_datasets()
    }
    known = frozenset(n for n in names if store.find_user(n) is not None)
    return Context(variables, known, settings.k_anonymity, settings.disclosure)


@dataclass(frozen=True)
class Queue:
    """The stewards' queue after the filter, and how many the filter hides."""

    shown: list[tuple[Application, Clock]]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.shown)


def _matches(application: Application, words: str) -> bool:
    text = f"{application.application_id} {application.title} {application.organisation}".casefold()
    return all(word in text for word in words.casefold().split())


def queue(applications: list[Application], now: datetime, *, state: str, overdue: bool, words: str) -> Queue:
    """Every application past draft; overdue first, then by decision deadline, then newest."""
    listed = [(a, clock(a, now)) for a in applications if a.state is not PermitState.DRAFT]
    shown = [
        (a, c)
        for a, c in listed
        if (not state or a.state.value == state) and (not overdue or c.overdue) and _matches(a, words)
    ]

    def order(item: tuple[Application, Clock]) -> tuple[int, float, float]:
        application, found = item
        waiting = application.state in AWAITING_DECISION
        due = found.due.timestamp() if found.due else float("inf")
        created = application.created_at.timestamp() if application.created_at else 0.0
        return (0 if found.overdue else 1 if waiting else 2, due, -created)

    return Queue(sorted(shown, key=order), len(listed))


DECIDE_REFUSALS = {
    "applicant": N_("You made this application, so another steward decides on it."),
    "data_user": N_("You are a named data user of this application, so another steward decides on it."),
}


def why_not_decide(user_name: str, application: Application) -> str | None:
    """Why a steward may not decide (the service refuses it; the page says why in words)."""
    if user_name == application.applicant:
        return DECIDE_REFUSALS["applicant"]
    if user_name in application.data_users:
        return DECIDE_REFUSALS["data_user"]
    return None
