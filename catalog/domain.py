"""The control plane's domain objects: plain frozen values, independent of storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from catalog.cohort import Anonymisation, CohortRules, Disclosure
from catalog.enums import (
    DataForm,
    OptOutAction,
    OptOutChannel,
    OptOutSource,
    OrganisationType,
    PermitState,
    Role,
)


@dataclass(frozen=True)
class User:
    username: str
    roles: frozenset[Role]
    display_name: str = ""

    def has(self, role: Role) -> bool:
        return role in self.roles


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
class AuditEntry:
    """One entry of the hash-chained audit log: who did what to which object, when."""

    seq: int
    at: str  # ISO 8601 UTC, stored as text so that every database hashes the same bytes
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    entry_hash: str = ""


@dataclass(frozen=True)
class DatasetRecord:
    """A catalogue dataset: its id, lake source, HealthDCAT-AP metadata and published versions."""

    dataset_id: str
    source: str
    metadata: dict[str, Any]
    versions: tuple[tuple[int, datetime, int | None], ...] = ()  # (Delta version, published at, rows)
    quality: QualityLabel | None = None  # the label of the newest measured silver version


@dataclass(frozen=True)
class QualityLabel:
    """The EHDS quality and utility label of one silver version (``quality.label``)."""

    silver_version: int
    run_id: str
    measured_at: datetime
    label: dict[str, Any]

    def summary(self) -> str:
        """One line: the grade of each element, for catalogue readers."""
        label = self.label
        technical = ", ".join(f"{name} {v['grade']}" for name, v in label["technical_quality"].items())
        return (f"EHDS quality and utility label, silver version {self.silver_version} "
                f"(scale {label['scale']}): documentation {label['documentation']['grade']}; "
                f"technical quality: {technical}; quality management "
                f"{label['quality_management']['grade']}; coverage {label['coverage']['grade']}; "
                f"access delays {label['access_delays']['grade']}; "
                f"enrichments {label['enrichments']['grade']}")


@dataclass(frozen=True)
class OptOutEvent:
    """One opt-out or withdrawal as a citizen made it (``event_time``) and Haven received it.

    ``pid`` is the trusted third party's pseudonym; it is never part of ``repr`` so that an
    event printed by accident names no one.
    """

    pid: str = field(repr=False)
    action: OptOutAction
    event_time: datetime
    channel: OptOutChannel
    agent: str | None
    source: OptOutSource
    received_at: datetime


@dataclass(frozen=True)
class OptOutStatus:
    """Counts only: persons whose opt-out is in force, and events by channel and action."""

    persons_opted_out: int
    events: int
    events_by_channel: dict[str, int]
    events_by_action: dict[str, int]
