"""交办 prompts as draft rows: the first good reply to a prompt makes the task, a second does not.

Revision ID: 0009_assign_draft
Revises: 0008_calendar_year
Create Date: 2026-12-03 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_assign_draft"
down_revision: str | None = "0008_calendar_year"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assign_draft",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("actor_person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("item_code", sa.String(length=32), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("assign_draft")
