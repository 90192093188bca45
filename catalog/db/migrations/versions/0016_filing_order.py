"""The order in which applications and output requests were filed.

Their ids are random (``catalog.references``), so they no longer sort in filing order; lists
sort by creation time, then by this number, which the store gives each new record.

Revision ID: 0016_filing_order
Revises: 0015_citizen_links
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_filing_order"
down_revision = "0015_citizen_links"
branch_labels = None
depends_on = None

TABLES = {"applications": "application_id", "output_requests": "request_id"}


def upgrade() -> None:
    bind = op.get_bind()
    for table, key in TABLES.items():
        op.add_column(table, sa.Column("filed", sa.Integer(), nullable=True))
        rows = bind.execute(sa.text(f"SELECT {key} FROM {table} ORDER BY created_at, {key}")).scalars()
        update = sa.text(f"UPDATE {table} SET filed = :n WHERE {key} = :id")
        for number, record in enumerate(list(rows), start=1):
            bind.execute(update, {"n": number, "id": record})


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "filed")
