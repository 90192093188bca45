"""SQLAlchemy 2 tables of the catalogue database. Only ``store.py`` and the migrations use them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(120), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    roles: Mapped[list[str]] = mapped_column(JSON)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    language: Mapped[str | None] = mapped_column(String(8))  # the portal's language, when chosen
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # signs in no more
    organisation: Mapped[str | None] = mapped_column(String(300))  # dashboards' audience (0017)


class SignInSessionRow(Base):
    """A signed-in portal session, by the SHA-256 of the browser's secret."""

    __tablename__ = "sign_in_sessions"

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PasswordLinkRow(Base):
    """A one-time set-password link, by the SHA-256 of its secret."""

    __tablename__ = "password_links"

    link_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OidcIdentityRow(Base):
    """An identity at an OpenID Connect issuer, linked to one Haven account (one per issuer)."""

    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("issuer", "username", name="uq_oidc_identity_account"),)

    issuer: Mapped[str] = mapped_column(String(255), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DatasetRow(Base):
    __tablename__ = "datasets"

    dataset_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DatasetVersionRow(Base):
    __tablename__ = "dataset_versions"

    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.dataset_id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rows: Mapped[int | None] = mapped_column(Integer)


class DatasetRevisionRow(Base):
    """A steward's correction of a dataset's description: what changed, and everything
    corrected so far (the pipeline applies the latter over the repository's file)."""

    __tablename__ = "dataset_revisions"

    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.dataset_id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(ForeignKey("users.username"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    corrected: Mapped[dict[str, Any]] = mapped_column(JSON)


class ApplicationRow(Base):
    __tablename__ = "applications"

    application_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    filed: Mapped[int | None] = mapped_column(Integer)  # filing order: ids are random
    title: Mapped[str] = mapped_column(String(300))
    applicant: Mapped[str] = mapped_column(ForeignKey("users.username"))
    organisation: Mapped[str] = mapped_column(String(300))
    organisation_type: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(64))
    lay_summary: Mapped[str] = mapped_column(Text)
    commercial: Mapped[bool] = mapped_column(Boolean)
    datasets: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    cohort_criteria: Mapped[str] = mapped_column(Text)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    data_form: Mapped[str] = mapped_column(String(32))
    pseudonymisation_justification: Mapped[str | None] = mapped_column(Text)
    data_users: Mapped[list[str]] = mapped_column(JSON)
    duration_months: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.username"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    granted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cohort_rules: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    anonymisation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    disclosure: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class PermitBuildRow(Base):
    """What each publication of a permit did (``catalog.permits.domain.PermitBuild``); append-only."""

    __tablename__ = "permit_builds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    permit_id: Mapped[str] = mapped_column(ForeignKey("applications.application_id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    dataset: Mapped[str | None] = mapped_column(String(64))
    source_versions: Mapped[dict[str, int]] = mapped_column(JSON)
    output_version: Mapped[int | None] = mapped_column(Integer)
    rows: Mapped[int | None] = mapped_column(Integer)
    patient_entered: Mapped[bool] = mapped_column(Boolean)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)


class TransitionRow(Base):
    __tablename__ = "application_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.application_id"), index=True)
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (UniqueConstraint("seq", name="uq_audit_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(120))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class OutputRequestRow(Base):
    __tablename__ = "output_requests"
    __table_args__ = (UniqueConstraint("submission_key", name="uq_output_requests_submission_key"),)

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    filed: Mapped[int | None] = mapped_column(Integer)  # filing order: ids are random
    permit_id: Mapped[str] = mapped_column(ForeignKey("applications.application_id"), index=True)
    author: Mapped[str] = mapped_column(ForeignKey("users.username"))
    sql: Mapped[str] = mapped_column(Text)
    sql_sha256: Mapped[str] = mapped_column(String(64))
    columns: Mapped[list[str]] = mapped_column(JSON)
    rows: Mapped[list[list[Any]]] = mapped_column(JSON)
    suppressed: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    versions: Mapped[dict[str, int]] = mapped_column(JSON)
    verdict: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The author's context (migration 0011); NULL only on requests filed before it was required.
    shows: Mapped[str | None] = mapped_column(Text)
    needed_for: Mapped[str | None] = mapped_column(Text)
    submission_key: Mapped[str | None] = mapped_column(String(64))
    release_check: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class OutputReviewRow(Base):
    __tablename__ = "output_reviews"
    # One vote per steward and request, in the database too.
    __table_args__ = (UniqueConstraint("request_id", "reviewer", name="uq_output_review_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("output_requests.request_id"), index=True)
    reviewer: Mapped[str] = mapped_column(ForeignKey("users.username"))
    vote: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OptOutEventRow(Base):
    """One opt-out or withdrawal, append-only; ``event_key`` makes exact duplicates idempotent."""

    __tablename__ = "optout_events"
    __table_args__ = (UniqueConstraint("event_key", name="uq_optout_event_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_key: Mapped[str] = mapped_column(String(64))
    pid: Mapped[str] = mapped_column(String(128), index=True)
    action: Mapped[str] = mapped_column(String(16))
    event_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(16))
    agent: Mapped[str | None] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QualityLabelRow(Base):
    """The quality and utility label of one silver table version (``quality.label``)."""

    __tablename__ = "quality_labels"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    silver_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(250))
    measured_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    label: Mapped[dict[str, Any]] = mapped_column(JSON)


class NotificationRow(Base):
    """A person told of a state change (``catalog.notifications``), by a random id."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_object", "object_type", "object_id"),)

    notification_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    recipient: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    action: Mapped[str] = mapped_column(String(80))
    audience: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(120))
    audit_seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DraftRow(Base):
    """An application being written on the portal (``catalog.permits.domain.Draft``)."""

    __tablename__ = "application_drafts"

    draft_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    amends: Mapped[str | None] = mapped_column(ForeignKey("applications.application_id"))
    submitted_as: Mapped[str | None] = mapped_column(ForeignKey("applications.application_id"))


class NoteRow(Base):
    """A steward's note on a section of an application, or a question's section."""

    __tablename__ = "application_notes"
    __table_args__ = (UniqueConstraint("form_key", "section", name="uq_application_note_form_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.application_id"), index=True)
    section: Mapped[str] = mapped_column(String(32))
    author: Mapped[str] = mapped_column(ForeignKey("users.username"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    form_key: Mapped[str | None] = mapped_column(String(64))


class CitizenLinkRow(Base):
    """A citizen account and the TTP pid of the person who holds it (one each way)."""

    __tablename__ = "citizen_links"

    username: Mapped[str] = mapped_column(ForeignKey("users.username"), primary_key=True)
    pid: Mapped[str] = mapped_column(String(128), unique=True)
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OptOutReceiptRow(Base):
    """What one opt-out form sent in the portal came to, under its reference number; no pid."""

    __tablename__ = "optout_receipts"
    __table_args__ = (UniqueConstraint("owner", "form_key", name="uq_optout_receipt_form"),)

    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    form_key: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReleasedAggregateRow(Base):
    """An output table two stewards released (``catalog.dashboards.registry``); append-only."""

    __tablename__ = "released_aggregates"

    aggregate_id: Mapped[str] = mapped_column(ForeignKey("output_requests.request_id"), primary_key=True)
    permit_id: Mapped[str] = mapped_column(ForeignKey("applications.application_id"), index=True)
    released_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    description: Mapped[str] = mapped_column(Text)
    columns: Mapped[list[str]] = mapped_column(JSON)
    rows: Mapped[list[list[Any]]] = mapped_column(JSON)
    suppressed: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    csv: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    reviewers: Mapped[list[str]] = mapped_column(JSON)
    disclosure: Mapped[dict[str, Any]] = mapped_column(JSON)
    versions: Mapped[dict[str, int]] = mapped_column(JSON)
    sources: Mapped[dict[str, list[dict[str, Any]]]] = mapped_column(JSON)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)


class DashboardRow(Base):
    """A policy analyst's dashboard over released aggregates (``catalog.dashboards``)."""

    __tablename__ = "dashboards"

    dashboard_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    organisation: Mapped[str | None] = mapped_column(String(300))
    aggregates: Mapped[list[str]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16))
    chart: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    notes: Mapped[dict[str, str]] = mapped_column(JSON)
    audience: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IndicatorRow(Base):
    """A standing indicator (``catalog.dashboards.indicators``); its SQL is never logged."""

    __tablename__ = "indicators"

    indicator_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    permit_id: Mapped[str] = mapped_column(ForeignKey("applications.application_id"), index=True)
    sql: Mapped[str] = mapped_column(Text)
    sql_sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[dict[str, str]] = mapped_column(JSON)
    min_persons: Mapped[int] = mapped_column(Integer)
    rounding_base: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), index=True)
    proposed_by: Mapped[str] = mapped_column(ForeignKey("users.username"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approvals: Mapped[list[str]] = mapped_column(JSON)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IndicatorRunRow(Base):
    """One run of a standing indicator: what it read and what came of it; append-only."""

    __tablename__ = "indicator_runs"

    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    filed: Mapped[int] = mapped_column(Integer, unique=True)  # run order: ids are random
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicators.indicator_id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    versions: Mapped[dict[str, int]] = mapped_column(JSON)
    silver: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str | None] = mapped_column(ForeignKey("output_requests.request_id"), unique=True)
    rule: Mapped[str | None] = mapped_column(String(32))
    rules: Mapped[list[str]] = mapped_column(JSON)
    suppressed: Mapped[int] = mapped_column(Integer)
