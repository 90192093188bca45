"""The web portal's sign-in: sessions and one-time set-password links (each kept as the hash
of its secret), and each user's chosen language.

Revision ID: 0010_portal_sign_in
Revises: 0009_dataset_revisions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_portal_sign_in"
down_revision = "0009_dataset_revisions"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))
    op.create_table(
        "sign_in_sessions",
        sa.Column("session_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(120), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_seen_at", TZ, nullable=False),
    )
    op.create_index("ix_sign_in_sessions_username", "sign_in_sessions", ["username"])
    op.create_table(
        "password_links",
        sa.Column("link_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(120), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ, nullable=True),
    )
    op.create_index("ix_password_links_username", "password_links", ["username"])


def downgrade() -> None:
    op.drop_index("ix_password_links_username", "password_links")
    op.drop_table("password_links")
    op.drop_index("ix_sign_in_sessions_username", "sign_in_sessions")
    op.drop_table("sign_in_sessions")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
