"""The ``system`` user, author of the platform's own actions, is part of the schema's data.

A new catalogue holds the schema and this one account, nothing else: demonstration users and
permits are loaded only on request (``haven catalog seed-demo``, ``haven demo``). Catalogues
created before this revision already hold the account, so the insert is skipped there.

Revision ID: 0008_system_user
Revises: 0007_disclosure
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008_system_user"
down_revision = "0007_disclosure"
branch_labels = None
depends_on = None

# Written out rather than imported: a migration states the data as it was at this revision.
_USERS = sa.table(
    "users",
    sa.column("username", sa.String),
    sa.column("display_name", sa.String),
    sa.column("roles", sa.JSON),
    sa.column("password_hash", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    connection = op.get_bind()
    exists = connection.execute(sa.select(_USERS.c.username).where(_USERS.c.username == "system")).first()
    if exists is None:
        op.bulk_insert(
            _USERS,
            [
                {
                    "username": "system",
                    "display_name": "Haven itself",
                    "roles": ["operator"],
                    "password_hash": None,
                    "created_at": datetime.now(UTC),
                }
            ],
        )


def downgrade() -> None:
    # The account may author audit entries; it stays, as the audit trail does.
    pass
