"""The portal's application drafts (written section by section, then submitted once) and the
stewards' review notes on each section of an application.

Revision ID: 0013_application_drafts
Revises: 0012_notifications
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_application_drafts"
down_revision = "0012_notifications"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "application_drafts",
        sa.Column("draft_id", sa.String(64), primary_key=True),
        sa.Column("owner", sa.String(120), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("amends", sa.String(64), sa.ForeignKey("applications.application_id"), nullable=True),
        sa.Column("submitted_as", sa.String(64), sa.ForeignKey("applications.application_id"), nullable=True),
    )
    op.create_index("ix_application_drafts_owner", "application_drafts", ["owner"])
    op.create_table(
        "application_notes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "application_id", sa.String(64), sa.ForeignKey("applications.application_id"), nullable=False
        ),
        sa.Column("section", sa.String(32), nullable=False),
        sa.Column("author", sa.String(120), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("form_key", sa.String(64), nullable=True),
        sa.UniqueConstraint("form_key", "section", name="uq_application_note_form_key"),
    )
    op.create_index("ix_application_notes_application_id", "application_notes", ["application_id"])


def downgrade() -> None:
    op.drop_index("ix_application_notes_application_id", "application_notes")
    op.drop_table("application_notes")
    op.drop_index("ix_application_drafts_owner", "application_drafts")
    op.drop_table("application_drafts")
