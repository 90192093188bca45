"""The public transparency register (EHDS Art 57, 58): one query function for portal and CLI.

It lists applications from the moment they arrive, decisions (refusals too) with their
reasons, and permits with their period: organisation and its type, purpose and lay summary,
commercial use, datasets and variables, data period and form. It names organisations, not
the people who applied or will use the data, and never shows cohort criteria details beyond
what the lay summary says: the free-text cohort description stays out, the cohort as
criteria (age, sex, provinces, code prefixes; no personal data) and the anonymisation terms
are shown, so anyone can check what a permit selects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from catalog.permits.domain import Application
from catalog.permits.lifecycle import IN_FORCE
from catalog.permits.policies import decision_due
from catalog.permits.store import PermitStore
from catalog.permits.terms import describe
from catalog.permits.vocabulary import PermitState

DECIDED = frozenset(
    {PermitState.APPROVED, PermitState.REJECTED, PermitState.ACTIVE, PermitState.EXPIRED, PermitState.REVOKED}
)


@dataclass(frozen=True)
class RegisterEntry:
    application_id: str
    title: str
    organisation: str
    organisation_type: str
    purpose: str
    lay_summary: str
    commercial: bool
    datasets: tuple[tuple[str, tuple[str, ...]], ...]
    period_start: date
    period_end: date
    data_form: str
    cohort_rules: dict[str, Any] | None
    cohort_summary: str | None
    anonymisation: dict[str, Any] | None
    disclosure: dict[str, Any] | None
    state: str
    submitted_at: datetime | None
    decision: str | None
    decided_at: datetime | None
    decision_reason: str | None
    permit_from: datetime | None
    permit_until: datetime | None
    in_force: bool
    decision_due: datetime | None
    overdue: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: dates as ISO strings, datasets as objects."""
        out = asdict(self)
        out["datasets"] = [{"dataset": name, "variables": list(v)} for name, v in self.datasets]
        return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in out.items()}


def _entry(application: Application, now: datetime) -> RegisterEntry:
    decided = application.state in DECIDED
    due = decision_due(application)
    approved = application.granted_at is not None
    return RegisterEntry(
        application_id=application.application_id,
        title=application.title,
        organisation=application.organisation,
        organisation_type=application.organisation_type.value,
        purpose=application.purpose,
        lay_summary=application.lay_summary,
        commercial=application.commercial,
        datasets=tuple((d.dataset, d.variables) for d in application.datasets),
        period_start=application.period_start,
        period_end=application.period_end,
        data_form=application.data_form.value,
        cohort_rules=(
            None
            if application.cohort_rules is None
            else application.cohort_rules.model_dump(mode="json", exclude_none=True)
        ),
        cohort_summary=None if application.cohort_rules is None else describe(application.cohort_rules),
        anonymisation=(
            None
            if application.anonymisation is None
            else application.anonymisation.model_dump(mode="json", exclude_none=True)
        ),
        disclosure=None if application.disclosure is None else application.disclosure.overrides(),
        state=application.state.value,
        submitted_at=application.submitted_at,
        decision=("approved" if approved else "rejected") if decided else None,
        decided_at=application.decided_at if decided else None,
        decision_reason=application.decision_reason if decided else None,
        permit_from=application.granted_at,
        permit_until=application.expires_at,
        in_force=(
            application.state in IN_FORCE
            and application.granted_at is not None
            and application.expires_at is not None
            and application.granted_at <= now < application.expires_at
        ),
        decision_due=due,
        overdue=due is not None and now > due,
    )


def public_register(
    store: PermitStore, *, now: datetime | None = None, states: frozenset[PermitState] | None = None
) -> list[RegisterEntry]:
    """Every application past draft (or only those in ``states``), oldest first. Public: no role needed."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    wanted = (states or frozenset(PermitState)) - {PermitState.DRAFT}
    return [_entry(a, at) for a in store.list_applications(wanted)]
