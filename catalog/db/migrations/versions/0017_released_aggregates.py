"""The registry of released aggregates, policy analysts' dashboards over it, and the
organisation a user works for (a dashboard's audience).

Revision ID: 0017_released_aggregates
Revises: 0016_filing_order
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_released_aggregates"
down_revision = "0016_filing_order"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("organisation", sa.String(300), nullable=True))
    op.create_table(
        "released_aggregates",
        sa.Column(
            "aggregate_id", sa.String(64), sa.ForeignKey("output_requests.request_id"), primary_key=True
        ),
        sa.Column("permit_id", sa.String(64), sa.ForeignKey("applications.application_id"), nullable=False),
        sa.Column("released_at", TZ, nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("suppressed", sa.JSON(), nullable=False),
        sa.Column("csv", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("reviewers", sa.JSON(), nullable=False),
        sa.Column("disclosure", sa.JSON(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
    )
    op.create_index("ix_released_aggregates_permit_id", "released_aggregates", ["permit_id"])
    op.create_table(
        "dashboards",
        sa.Column("dashboard_id", sa.String(64), primary_key=True),
        sa.Column("owner", sa.String(120), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("organisation", sa.String(300), nullable=True),
        sa.Column("aggregates", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("chart", sa.JSON(), nullable=True),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("published_at", TZ, nullable=True),
    )
    op.create_index("ix_dashboards_owner", "dashboards", ["owner"])
    op.create_index("ix_dashboards_state", "dashboards", ["state"])


def downgrade() -> None:
    op.drop_index("ix_dashboards_state", "dashboards")
    op.drop_index("ix_dashboards_owner", "dashboards")
    op.drop_table("dashboards")
    op.drop_index("ix_released_aggregates_permit_id", "released_aggregates")
    op.drop_table("released_aggregates")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("organisation")
