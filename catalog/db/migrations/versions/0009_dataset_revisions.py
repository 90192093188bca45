"""Stewards' corrections of dataset descriptions, versioned: one row per revision.

Revision ID: 0009_dataset_revisions
Revises: 0008_system_user
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_dataset_revisions"
down_revision = "0008_system_user"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dataset_revisions",
        sa.Column("dataset_id", sa.String(64), sa.ForeignKey("datasets.dataset_id"), primary_key=True),
        sa.Column("revision", sa.Integer(), primary_key=True),
        sa.Column("actor", sa.String(120), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("corrected", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dataset_revisions")
