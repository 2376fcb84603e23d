"""A /leave's same-name buttons register one leave at most: the pick they share is used once.

Revision ID: 0014_leave_pick
Revises: 0013_update_finished
Create Date: 2026-12-03 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_leave_pick"
down_revision: str | None = "0013_update_finished"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leave_pick",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("actor_person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_person_id"], ["person.id"], name="fk_leave_pick_actor_person_id_person"
        ),
    )


def downgrade() -> None:
    op.drop_table("leave_pick")
