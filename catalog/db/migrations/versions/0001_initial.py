"""The catalogue: users, datasets and versions, applications and their history, audit log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.String(120), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "datasets",
        sa.Column("dataset_id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "dataset_versions",
        sa.Column("dataset_id", sa.String(64), sa.ForeignKey("datasets.dataset_id"), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("published_at", TZ, nullable=False),
        sa.Column("rows", sa.Integer()),
    )
    op.create_table(
        "applications",
        sa.Column("application_id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("applicant", sa.String(120), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("organisation", sa.String(300), nullable=False),
        sa.Column("organisation_type", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("lay_summary", sa.Text(), nullable=False),
        sa.Column("commercial", sa.Boolean(), nullable=False),
        sa.Column("datasets", sa.JSON(), nullable=False),
        sa.Column("cohort_criteria", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("data_form", sa.String(32), nullable=False),
        sa.Column("pseudonymisation_justification", sa.Text()),
        sa.Column("data_users", sa.JSON(), nullable=False),
        sa.Column("duration_months", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("submitted_at", TZ),
        sa.Column("decided_at", TZ),
        sa.Column("decided_by", sa.String(120), sa.ForeignKey("users.username")),
        sa.Column("decision_reason", sa.Text()),
        sa.Column("granted_at", TZ),
        sa.Column("expires_at", TZ),
    )
    op.create_index("ix_applications_state", "applications", ["state"])
    op.create_table(
        "application_transitions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "application_id", sa.String(64), sa.ForeignKey("applications.application_id"), nullable=False
        ),
        sa.Column("from_state", sa.String(32), nullable=False),
        sa.Column("to_state", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("reason", sa.Text()),
    )
    op.create_index(
        "ix_application_transitions_application_id", "application_transitions", ["application_id"]
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(120), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("seq", name="uq_audit_seq"),
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "application_transitions",
        "applications",
        "dataset_versions",
        "datasets",
        "users",
    ):
        op.drop_table(table)
