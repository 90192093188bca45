"""Notifications: each person told of a state change of an application, a permit or an
output release request, read in the portal and mailed.

Revision ID: 0012_notifications
Revises: 0011_output_context
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_notifications"
down_revision = "0011_output_context"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("notification_id", sa.String(32), primary_key=True),
        sa.Column("recipient", sa.String(120), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(120), nullable=False),
        sa.Column("audit_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("read_at", TZ, nullable=True),
        sa.Column("mailed_at", TZ, nullable=True),
    )
    op.create_index("ix_notifications_recipient", "notifications", ["recipient"])
    op.create_index("ix_notifications_object", "notifications", ["object_type", "object_id"])


def downgrade() -> None:
    op.drop_index("ix_notifications_object", "notifications")
    op.drop_index("ix_notifications_recipient", "notifications")
    op.drop_table("notifications")
