"""Output release requests (the airlock) and their reviews.

Revision ID: 0003_outputs
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_outputs"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "output_requests",
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("permit_id", sa.String(64), sa.ForeignKey("applications.application_id"), nullable=False),
        sa.Column("author", sa.String(120), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("sql", sa.Text(), nullable=False),
        sa.Column("sql_sha256", sa.String(64), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("suppressed", sa.JSON(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("decided_at", TZ),
    )
    op.create_index("ix_output_requests_permit_id", "output_requests", ["permit_id"])
    op.create_index("ix_output_requests_state", "output_requests", ["state"])
    op.create_table(
        "output_reviews",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(64), sa.ForeignKey("output_requests.request_id"), nullable=False),
        sa.Column("reviewer", sa.String(120), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("vote", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.UniqueConstraint("request_id", "reviewer", name="uq_output_review_once"),
    )
    op.create_index("ix_output_reviews_request_id", "output_reviews", ["request_id"])


def downgrade() -> None:
    op.drop_table("output_reviews")
    op.drop_table("output_requests")
