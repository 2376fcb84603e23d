"""Years whose whole schedule admins imported: only these count as known (no estimated notice).

One local-closure override used to make its year count as imported ("管理员导入的安排") and
silenced the once-a-year notice that the year's 调休 are unknown. Now `calendar import FILE
--year YYYY` declares the file to be that year's whole published schedule and writes a row
here; overrides alone leave the year estimated.

Revision ID: 0008_calendar_year
Revises: 0007_reply_meaning
Create Date: 2026-12-03 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_calendar_year"
down_revision: str | None = "0007_reply_meaning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendaryear",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_person_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("year", name="pk_calendaryear"),
    )


def downgrade() -> None:
    op.drop_table("calendaryear")
