"""The JSON API's models for permit applications (``/api/applications``), so that
``/openapi.json`` describes them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from catalog.permits.domain import Application, Note, TransitionRecord
from portal.applications import vocabulary
from portal.applications.views import clock, refusal_reason
from portal.schemas import Named


class RequestedDataset(BaseModel):
    dataset: str
    variables: list[str]


class Move(BaseModel):
    """One change of state."""

    at: datetime
    from_state: str
    to_state: str
    actor: str
    reason: str | None


class Question(BaseModel):
    section: str
    text: str


class ApplicationSummary(BaseModel):
    """An application as a list shows it, with its decision clock."""

    id: str
    title: str
    organisation: str
    purpose: Named
    state: Named
    submitted_at: datetime | None
    decision_due: datetime | None = Field(description="when the decision is due (EHDS Art 68)")
    days_left: int | None = Field(description="days to the deadline; negative when overdue")
    overdue: bool


class ApplicationDetail(ApplicationSummary):
    """Every field of an application, its decision and its history."""

    applicant: str
    data_users: list[str]
    datasets: list[RequestedDataset]
    data_form: str
    period_start: date
    period_end: date
    duration_months: int
    decision_reason: str | None = Field(description="in the response's language for a prohibited purpose")
    decided_at: datetime | None
    granted_at: datetime | None
    expires_at: datetime | None
    history: list[Move]
    questions: list[Question] = Field(description="the sections the steward's questions are about")


class Problem(BaseModel):
    place: str
    code: str
    message: str


class Decision(BaseModel):
    approve: bool
    reason: str = Field(description="published in the register with the decision; 10 characters or more")


class Reason(BaseModel):
    reason: str


class QuestionToApplicant(BaseModel):
    question: str = Field(description="what the applicant must answer; 10 characters or more")
    sections: list[str] = Field(description="the sections of the application it is about", min_length=1)


def _named(code: str, names: dict[str, str], _: Callable[[str], str]) -> Named:
    return Named(code=code, label=_(names[code]) if code in names else code)


def summary(application: Application, now: datetime, _: Callable[[str], str]) -> ApplicationSummary:
    return ApplicationSummary(**_summary_fields(application, now, _))


def _summary_fields(application: Application, now: datetime, _: Callable[[str], str]) -> dict[str, Any]:
    found = clock(application, now)
    return {
        "id": application.application_id,
        "title": application.title,
        "organisation": application.organisation,
        "purpose": _named(application.purpose, {**vocabulary.PURPOSES, **vocabulary.PROHIBITED}, _),
        "state": _named(application.state.value, vocabulary.STATES, _),
        "submitted_at": application.submitted_at,
        "decision_due": found.due,
        "days_left": found.days,
        "overdue": found.overdue,
    }


def detail(
    application: Application,
    history: list[TransitionRecord],
    notes: list[Note],
    now: datetime,
    _: Callable[[str], str],
) -> ApplicationDetail:
    return ApplicationDetail(
        **_summary_fields(application, now, _),
        applicant=application.applicant,
        data_users=list(application.data_users),
        datasets=[
            RequestedDataset(dataset=d.dataset, variables=list(d.variables)) for d in application.datasets
        ],
        data_form=application.data_form.value,
        period_start=application.period_start,
        period_end=application.period_end,
        duration_months=application.duration_months,
        decision_reason=refusal_reason(application, _),
        decided_at=application.decided_at,
        granted_at=application.granted_at,
        expires_at=application.expires_at,
        history=[
            Move(
                at=t.at,
                from_state=t.from_state.value,
                to_state=t.to_state.value,
                actor=t.actor,
                reason=t.reason,
            )
            for t in history
        ],
        questions=[Question(section=n.section, text=n.text) for n in notes if n.kind == "question"],
    )
