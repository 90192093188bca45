"""Standing indicators (a query two stewards approve once, with stricter terms) and their runs.

Revision ID: 0018_standing_indicators
Revises: 0017_released_aggregates
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_standing_indicators"
down_revision = "0017_released_aggregates"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "indicators",
        sa.Column("indicator_id", sa.String(64), primary_key=True),
        sa.Column("permit_id", sa.String(64), sa.ForeignKey("applications.application_id"), nullable=False),
        sa.Column("sql", sa.Text(), nullable=False),
        sa.Column("sql_sha256", sa.String(64), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("min_persons", sa.Integer(), nullable=False),
        sa.Column("rounding_base", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("proposed_by", sa.String(120), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("proposed_at", TZ, nullable=False),
        sa.Column("approvals", sa.JSON(), nullable=False),
        sa.Column("approved_at", TZ, nullable=True),
        sa.Column("retired_at", TZ, nullable=True),
    )
    op.create_index("ix_indicators_permit_id", "indicators", ["permit_id"])
    op.create_index("ix_indicators_state", "indicators", ["state"])
    op.create_table(
        "indicator_runs",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("filed", sa.Integer(), nullable=False, unique=True),
        sa.Column("indicator_id", sa.String(64), sa.ForeignKey("indicators.indicator_id"), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("silver", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column(
            "request_id",
            sa.String(64),
            sa.ForeignKey("output_requests.request_id"),
            nullable=True,
            unique=True,
        ),
        sa.Column("rule", sa.String(32), nullable=True),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("suppressed", sa.Integer(), nullable=False),
    )
    op.create_index("ix_indicator_runs_indicator_id", "indicator_runs", ["indicator_id"])


def downgrade() -> None:
    op.drop_index("ix_indicator_runs_indicator_id", "indicator_runs")
    op.drop_table("indicator_runs")
    op.drop_index("ix_indicators_state", "indicators")
    op.drop_index("ix_indicators_permit_id", "indicators")
    op.drop_table("indicators")
