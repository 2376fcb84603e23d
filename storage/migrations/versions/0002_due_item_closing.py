"""Due items an admin closed: who, when and why (closed items are no longer outstanding).

Revision ID: 0002_due_item_closing
Revises: 0001
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_due_item_closing"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Added and dropped in place (no batch copy on SQLite: that would drop dueitem, which records
# reference). closed_by has no foreign key for the same reason: SQLite cannot drop such a column.
_COLUMNS = ("closed_at", "closed_by", "closed_reason")


def upgrade() -> None:
    op.add_column("dueitem", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("dueitem", sa.Column("closed_by", sa.Integer(), nullable=True))
    op.add_column("dueitem", sa.Column("closed_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    for name in reversed(_COLUMNS):
        op.execute(f"ALTER TABLE dueitem DROP COLUMN {name}")
