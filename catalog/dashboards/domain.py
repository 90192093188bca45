"""Released aggregates and dashboards as the domain sees them.

A released aggregate is the table of one output request that two stewards released, kept
with everything a reader needs to trust it: the released file and its SHA-256, the permit,
the reviewers, the disclosure rules applied, the Delta versions read and the quality label
of the silver versions behind them. Dashboards show nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class SourceQuality:
    """The silver version a permit table was built from, and its quality label at that version."""

    source: str
    silver_version: int
    label: str | None  # the label's one-line summary; None: not measured at that version


@dataclass(frozen=True)
class ReleasedAggregate:
    """One released output table; its id is the release request's id."""

    aggregate_id: str
    permit_id: str
    released_at: datetime
    description: str  # what the table shows, as the author wrote it and the stewards reviewed it
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    suppressed: tuple[dict[str, Any], ...]  # {"row", "column", "rule"}: cells shown as suppressed
    csv: str  # the released file, byte for byte what a data user downloads
    sha256: str  # of ``csv`` encoded as UTF-8
    reviewers: tuple[str, ...]
    disclosure: dict[str, Any]  # thresholds applied, by rule name
    versions: dict[str, int]  # permit table -> Delta version read
    sources: dict[str, tuple[SourceQuality, ...]]  # permit table -> silver versions behind it
    period_start: date
    period_end: date

    def is_suppressed(self, row: int, column: str) -> bool:
        return any(int(s["row"]) == row and str(s["column"]) == column for s in self.suppressed)


@dataclass(frozen=True)
class Publication:
    """Whether an aggregate may be shown to the public and listed in the catalogue, and why not."""

    allowed: bool
    reason: str


class Audience(StrEnum):
    ORGANISATION = "organisation"  # signed-in users of the author's organisation
    PUBLIC = "public"  # everyone, signed in or not


class DashboardState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ChartKind(StrEnum):
    BAR = "bar"
    LINE = "line"
    MAP = "map"  # Belgian provinces coloured by a number (``catalog.dashboards.maps``)
    TABLE = "table"  # the table alone, no chart


@dataclass(frozen=True)
class Texts:
    """One text in the four languages of the portal."""

    fr: str
    nl: str
    de: str
    en: str

    def get(self, language: str) -> str:
        text: str = getattr(self, language)
        return text

    def as_dict(self) -> dict[str, str]:
        return {"fr": self.fr, "nl": self.nl, "de": self.de, "en": self.en}


@dataclass(frozen=True)
class DashboardSpec:
    """What an analyst composes: aggregates, one chart over them, texts, and who may see it."""

    aggregates: tuple[str, ...]
    kind: ChartKind
    chart: dict[str, Any] | None  # a Vega-Lite spec without data (None for a table)
    title: Texts
    notes: Texts
    audience: Audience


@dataclass(frozen=True)
class Dashboard:
    dashboard_id: str
    owner: str
    organisation: str | None
    spec: DashboardSpec
    state: DashboardState
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
