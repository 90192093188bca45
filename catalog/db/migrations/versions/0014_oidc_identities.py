"""The portal's OpenID Connect sign-in: each identity at an issuer, (issuer, subject), linked to
one Haven account, at most one per issuer and account; and when an account was disabled (a
disabled account signs in neither by password nor through an issuer).

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
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
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
    with op.batch_alter_table("users") as batch:
        batch.drop_column("disabled_at")
