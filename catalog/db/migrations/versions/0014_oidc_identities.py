"""The portal's OpenID Connect sign-in: each identity at an issuer, (issuer, subject), linked to
one Haven account, at most one per issuer and account.

Revision ID: 0014_oidc_identities
Revises: 0013_application_drafts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_oidc_identities"
down_revision = "0013_application_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oidc_identities",
        sa.Column("issuer", sa.String(255), primary_key=True),
        sa.Column("subject", sa.String(255), primary_key=True),
        sa.Column("username", sa.String(120), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("issuer", "username", name="uq_oidc_identity_account"),
    )
    op.create_index("ix_oidc_identities_username", "oidc_identities", ["username"])


def downgrade() -> None:
    op.drop_index("ix_oidc_identities_username", "oidc_identities")
    op.drop_table("oidc_identities")
