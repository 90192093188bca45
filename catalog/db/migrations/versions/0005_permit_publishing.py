"""Permit publishing: cohort criteria and anonymisation terms on applications, and the
record of every permit build (versions read and written, refusals, removed workspaces).

Revision ID: 0005_publishing
Revises: 0003_optout
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_publishing"
down_revision = "0003_optout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("cohort_rules", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("anonymisation", sa.JSON(), nullable=True))
    op.create_table(
        "permit_builds",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("permit_id", sa.String(64), sa.ForeignKey("applications.application_id"), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dataset", sa.String(64)),
        sa.Column("source_versions", sa.JSON(), nullable=False),
        sa.Column("output_version", sa.Integer()),
        sa.Column("rows", sa.Integer()),
        sa.Column("patient_entered", sa.Boolean(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
    )
    op.create_index("ix_permit_builds_permit_id", "permit_builds", ["permit_id"])


def downgrade() -> None:
    op.drop_index("ix_permit_builds_permit_id", "permit_builds")
    op.drop_table("permit_builds")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("anonymisation")
        batch.drop_column("cohort_rules")
