"""The EHDS quality and utility label of each silver table version, as the pipeline measured it.

Revision ID: 0006_quality
Revises: 0005_publishing
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_quality"
down_revision = "0005_publishing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_labels",
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("silver_version", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("label", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("quality_labels")
