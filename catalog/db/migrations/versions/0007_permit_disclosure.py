"""A permit's own, stricter disclosure control terms for the SPE, on its application.

Revision ID: 0007_disclosure
Revises: 0006_quality
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_disclosure"
down_revision = "0006_quality"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("disclosure", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("disclosure")
