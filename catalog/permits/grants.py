"""Data permits as the pipeline and the SPE see them: what a permit grants, and the rule for using one.

A permit names its users, its datasets with the exact columns and the data period, and
when it was granted and expires. Permits come from the catalogue database: an approved
application is the permit (``catalog.permits.service``); ``catalog.permits.queries`` reads
it. Rules come in pairs: ``check_can_query`` raises a ``PermitDenied`` with the
reason, ``can_query`` returns a bool for a UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from catalog.errors import PermitDenied
from catalog.permits.lifecycle import ENDED, IN_FORCE
from catalog.permits.terms import Anonymisation, CohortRules, Disclosure
from catalog.permits.vocabulary import PermitState
from common.layout import Source, check_name


@dataclass(frozen=True)
class DatasetGrant:
    """One dataset of a permit: its source, the approved columns and the data period."""

    name: str
    source: Source
    columns: tuple[str, ...]
    date_column: str | None  # None: the dataset has no event date (population), no period applies
    period_start: date
    period_end: date

    def __post_init__(self) -> None:
        check_name("dataset", self.name)
        if self.period_end < self.period_start:
            raise ValueError(f"dataset {self.name}: period ends before it starts")


@dataclass(frozen=True)
class Permit:
    permit_id: str
    title: str
    purpose: str
    granted_at: datetime
    expires_at: datetime
    users: tuple[str, ...]
    datasets: tuple[DatasetGrant, ...]
    state: str = PermitState.ACTIVE  # only permits in force (lifecycle.IN_FORCE) may be used
    cohort: CohortRules | None = None  # None: everyone in the granted datasets
    anonymisation: Anonymisation | None = None  # None: pseudonymised data (a person pseudonym)
    disclosure: Disclosure | None = None  # None: the platform's disclosure control as it is

    def __post_init__(self) -> None:
        check_name("permit", self.permit_id)

    @property
    def anonymised(self) -> bool:
        """Anonymised permits get generalised quasi-identifiers, no person pseudonym, and k."""
        return self.anonymisation is not None


def check_can_query(permit: Permit, user: str, at: datetime | None = None) -> None:
    """Raise ``PermitDenied`` unless ``user`` is named in an unexpired ``permit``."""
    now = at or datetime.now(UTC)
    if permit.state not in IN_FORCE:
        ended = " and its workspace is removed" if permit.state in ENDED else ""
        raise PermitDenied(f"permit {permit.permit_id} is {permit.state}{ended}")
    if user not in permit.users:
        raise PermitDenied(f"user {user!r} is not a named data user of permit {permit.permit_id}")
    if now < permit.granted_at:
        raise PermitDenied(f"permit {permit.permit_id} is not in force yet")
    if now >= permit.expires_at:
        raise PermitDenied(f"permit {permit.permit_id} expired on {permit.expires_at:%Y-%m-%d}")


def can_query(permit: Permit, user: str, at: datetime | None = None) -> bool:
    try:
        check_can_query(permit, user, at)
    except PermitDenied:
        return False
    return True
