"""Output release requests: the author's context (what the output shows, why it is needed),
the one-time key of the submission that filed it, and disclosure control's outcome when it ran
again before release.

Revision ID: 0011_output_context
Revises: 0010_portal_sign_in
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_output_context"
down_revision = "0010_portal_sign_in"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("output_requests") as batch:
        batch.add_column(sa.Column("shows", sa.Text(), nullable=True))
        batch.add_column(sa.Column("needed_for", sa.Text(), nullable=True))
        batch.add_column(sa.Column("submission_key", sa.String(64), nullable=True))
        batch.add_column(sa.Column("release_check", sa.JSON(), nullable=True))
        batch.create_unique_constraint("uq_output_requests_submission_key", ["submission_key"])


def downgrade() -> None:
    with op.batch_alter_table("output_requests") as batch:
        batch.drop_constraint("uq_output_requests_submission_key", type_="unique")
        for column in ("release_check", "submission_key", "needed_for", "shows"):
            batch.drop_column(column)
