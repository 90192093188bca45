"""Citizen accounts linked to their TTP pid, and the receipts of opt-out requests made in the
portal (by the citizen online, or by an agent by phone or at a desk).

Revision ID: 0015_citizen_links
Revises: 0014_oidc_identities
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_citizen_links"
down_revision = "0014_oidc_identities"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "citizen_links",
        sa.Column("username", sa.String(120), sa.ForeignKey("users.username"), primary_key=True),
        sa.Column("pid", sa.String(128), nullable=False, unique=True),
        sa.Column("linked_at", TZ, nullable=False),
    )
    op.create_table(
        "optout_receipts",
        sa.Column("reference", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(120), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("form_key", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.UniqueConstraint("owner", "form_key", name="uq_optout_receipt_form"),
    )
    op.create_index("ix_optout_receipts_owner", "optout_receipts", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_optout_receipts_owner", "optout_receipts")
    op.drop_table("optout_receipts")
    op.drop_table("citizen_links")
