"""Permit applications and their history: plain frozen values, independent of storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from catalog.permits.terms import Anonymisation, CohortRules, Disclosure
from catalog.permits.vocabulary import DataForm, OrganisationType, PermitState


@dataclass(frozen=True)
class RequestedDataset:
    """A dataset of an application and the exact variables asked for (data minimisation)."""

    dataset: str
    variables: tuple[str, ...]


@dataclass(frozen=True)
class Application:
    """A permit application through its whole lifecycle; once approved it is also the permit."""

    application_id: str
    title: str
    applicant: str
    organisation: str
    organisation_type: OrganisationType
    purpose: str  # an Art 53 category, or an Art 54 one that gets refused
    lay_summary: str
    commercial: bool
    datasets: tuple[RequestedDataset, ...]
    cohort_criteria: str
    period_start: date
    period_end: date
    data_form: DataForm
    pseudonymisation_justification: str | None
    data_users: tuple[str, ...]
    duration_months: int
    state: PermitState = PermitState.DRAFT
    created_at: datetime | None = None
    submitted_at: datetime | None = None  # last (re)submission: starts the decision clock
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    granted_at: datetime | None = None
    expires_at: datetime | None = None
    cohort_rules: CohortRules | None = None  # the cohort as criteria the build applies
    anonymisation: Anonymisation | None = None  # anonymised form only; None: platform defaults
    disclosure: Disclosure | None = None  # stricter SPE disclosure control; None: the platform's


@dataclass(frozen=True)
class PermitBuild:
    """One outcome of publishing a permit, as the catalogue keeps it for the steward and the SPE.

    ``published``: one dataset written, with the silver versions read and the output version;
    ``refused``: the permit was not written, ``report`` says why (sizes and column names, no
    values); ``removed``: the workspace was deleted (expiry or revocation).
    """

    permit_id: str
    outcome: str
    at: datetime
    dataset: str | None = None
    source_versions: dict[str, int] = field(default_factory=dict)
    output_version: int | None = None
    rows: int | None = None
    patient_entered: bool = False
    report: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TransitionRecord:
    """One move of an application, as stored in its history."""

    application_id: str
    from_state: PermitState
    to_state: PermitState
    actor: str
    at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class Draft:
    """An application being written on the portal, section by section, before it is submitted.

    ``answers`` holds each section's values as its form gave them and whether the section is
    complete; ``amends`` names the incomplete application this draft answers, if any;
    ``submitted_as`` the application it became (so a second submission finds it).
    """

    draft_id: str
    owner: str
    answers: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    amends: str | None = None
    submitted_as: str | None = None


@dataclass(frozen=True)
class Note:
    """A steward's note on one section of an application (``kind`` "note": stewards only), or
    the section a question to the applicant is about (``kind`` "question": the applicant sees it).

    ``form_key`` is the one-time key of the form that made it: a form sent twice adds one note.
    """

    application_id: str
    section: str
    author: str
    at: datetime
    text: str
    kind: str = "note"
    form_key: str | None = None


@dataclass(frozen=True)
class Problem:
    """One problem of an application: where (``datasets[0].variables``), a code a user
    interface translates (``unknown_variables``), and the English text the CLI prints."""

    place: str
    code: str
    text: str
