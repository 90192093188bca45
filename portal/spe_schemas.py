"""What the portal shows of the SPE and the airlock, in one language: the JSON API's response
models, which the HTML pages render too (so both always show the same)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from portal.schemas import Named


class Explained(Named):
    """A code, its name and what it means in plain words, in the response's language."""

    explanation: str


class ColumnOut(BaseModel):
    name: str
    type: str
    description: str


class TableOut(BaseModel):
    """One table of a permit as the SPE serves it (``haven schema``)."""

    name: str
    title: str
    version: int = Field(description="the Delta version a query reads")
    patient_entered: bool
    columns: list[ColumnOut]


class PermitOut(BaseModel):
    """A permit the signed-in user may query."""

    id: str
    title: str
    expires_at: datetime
    datasets: list[str]


class SuppressedCell(BaseModel):
    row: int = Field(description="the row of the result, from 0")
    column: str
    rule: Explained


class QueryAnswer(BaseModel):
    """One query's outcome after disclosure control (``haven query --json``, explained)."""

    status: str = Field(description="ok or refused")
    columns: list[str]
    rows: list[list[Any]] = Field(description="suppressed cells are null")
    suppressed: list[SuppressedCell]
    rules: list[Explained] = Field(description="each disclosure rule that suppressed a cell, once")
    unit: str | None = Field(
        description="what the thresholds counted: persons, or records in anonymised data"
    )
    refusal: Explained | None = Field(description="why a refused query was refused")
    detail: str | None = Field(description="the SPE's own words on a refusal, in English")
    versions: dict[str, int] = Field(description="the Delta version of each table the query read")
    sql_sha256: str
    verdict: Named | None = Field(description="the automated verdict a release request would carry")


class PastQueryOut(BaseModel):
    """One query of the user's own history (from the audit trail: no SQL text, no values)."""

    at: datetime
    status: Named
    refusal: Named | None
    rows: int | None
    suppressed: int | None
    rules: list[Named]
    versions: list[str]
    sql_sha256: str


class ReviewOut(BaseModel):
    reviewer: str
    vote: Named
    reason: str
    at: datetime


class ReleaseCheckOut(BaseModel):
    """Disclosure control run again just before the release."""

    status: Explained
    suppressed: int
    at: datetime


class OutputSummary(BaseModel):
    """A release request as lists show it."""

    id: str
    permit: str
    author: str
    state: Named
    verdict: Named
    created_at: datetime
    decided_at: datetime | None
    votes_cast: int


class OutputDetail(OutputSummary):
    """A release request as its author, the permit's users and the stewards see it."""

    sql: str
    sql_sha256: str
    shows: str | None
    needed_for: str | None
    versions: dict[str, int]
    columns: list[str]
    rows: list[list[Any]]
    suppressed: list[SuppressedCell]
    rules: list[Explained]
    reviews: list[ReviewOut] = Field(description="your own vote before the decision; both after it")
    release_check: ReleaseCheckOut | None
    may_review: bool
    review_refusal: Named | None = Field(description="why the signed-in user may not review, if so")
    may_download: bool


class ReleasedTable(BaseModel):
    """A released output: what a named data user of its permit downloads."""

    id: str
    permit: str
    columns: list[str]
    rows: list[list[Any]]
    versions: dict[str, int]


class QueryIn(BaseModel):
    sql: str = Field(min_length=1, max_length=100_000)


class ReleaseRequestIn(BaseModel):
    sql: str = Field(min_length=1, max_length=100_000)
    shows: str = Field(description="what the output shows (20 to 4000 characters)")
    needed_for: str = Field(description="why it must leave the secure environment (20 to 4000 characters)")


class ReviewIn(BaseModel):
    approve: bool
    reason: str = Field(description="required, at least 10 characters; shown once both stewards voted")


class FieldProblem(BaseModel):
    field: str
    message: str


class Problems(BaseModel):
    """A request the rules refuse, with a message per field in the response's language."""

    detail: str
    errors: list[FieldProblem]
