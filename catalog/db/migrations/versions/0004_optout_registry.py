"""The opt-out registry: append-only opt-out and withdrawal events (EHDS Art 71).

Revision ID: 0003_optout
Revises: 0003_outputs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_optout"
down_revision = "0003_outputs"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
MESSAGE = "optout_events is append-only"


def upgrade() -> None:
    op.create_table(
        "optout_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("event_key", sa.String(64), nullable=False),
        sa.Column("pid", sa.String(128), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("event_time", TZ, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("agent", sa.String(120)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.UniqueConstraint("event_key", name="uq_optout_event_key"),
    )
    op.create_index("ix_optout_events_pid", "optout_events", ["pid"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION optout_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""")
        op.execute(
            "CREATE TRIGGER optout_events_append_only BEFORE UPDATE OR DELETE ON optout_events "
            "FOR EACH ROW EXECUTE FUNCTION optout_events_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER optout_events_no_{event.lower()} BEFORE {event} ON optout_events "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER optout_events_append_only ON optout_events")
        op.execute("DROP FUNCTION optout_events_append_only()")
    op.drop_index("ix_optout_events_pid", "optout_events")
    op.drop_table("optout_events")
