"""What the portal shows stewards and every signed-in user of their own: the audit log and its
verification, the quality report, notifications. The JSON API's response models, which the
HTML pages render too."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from portal.schemas import Named, QualityLabel


class AuditEntry(BaseModel):
    """One entry of the audit log as stored: ids, counts and states, never row values."""

    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]
    entry_hash: str


class ChainCheck(BaseModel):
    """The hash chain verified as ``haven audit verify`` does."""

    intact: bool
    entries: int = Field(description="entries verified good, from the first")
    stored: int = Field(description="entries the log holds")
    head: str = Field(description="the hash of the last good entry")
    cause: str | None = Field(default=None, description="missing, unlinked, altered or head")
    first_bad: int | None = Field(default=None, description="position of the first bad entry")
    message: str | None = Field(default=None, description="what is wrong, in the response's language")
    expected_head: str | None = None


class AuditFilters(BaseModel):
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    start: date | None = None
    end: date | None = None


class AuditLog(BaseModel):
    """One page of the entries the filters keep, newest first, and how many they hide."""

    filters: AuditFilters
    entries: list[AuditEntry]
    total: int = Field(description="entries in the log")
    matching: int = Field(description="entries the filters keep")
    hidden: int = Field(description="entries the filters hide")
    page: int
    pages: int
    first: int = Field(description="position of the page's first entry among the matching ones")
    chain: ChainCheck


class ValidationOutcome(BaseModel):
    name: str
    severity: Named
    dimension: Named
    success: bool
    element_count: int | None
    unexpected_count: int | None


class Validation(BaseModel):
    """The latest validation run of a dataset's source, as the pipeline kept it."""

    run_id: str
    passed: bool
    critical_failures: int
    warnings: int
    outcomes: list[ValidationOutcome]


class DatasetQuality(BaseModel):
    id: str
    title: str
    source: str
    validation: Validation | None
    labels: list[QualityLabel] = Field(description="the label of each silver version, newest first")


class Notification(BaseModel):
    """A state change that concerns the signed-in user."""

    id: str
    action: str
    object_type: str
    object_id: str
    text: str = Field(description="what changed, in the response's language")
    link: str = Field(description="the object's page in the portal")
    created_at: datetime
    read: bool
    read_at: datetime | None


class Notifications(BaseModel):
    unread: int
    notifications: list[Notification]


class MarkedRead(BaseModel):
    marked: int = Field(description="notifications that were unread and are read now")
    unread: int
