"""Escalation steps without their number (S3 → S, A10 → A): a changed ESCALATE_*_AFTER no longer
escalates every item a second time.

Revision ID: 0011_escalation_names
Revises: 0010_reminder_step_key
Create Date: 2026-12-03 16:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_escalation_names"
down_revision: str | None = "0010_reminder_step_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for letter in ("S", "A"):
        op.execute(
            sa.text(
                "UPDATE reminderstep SET step = :letter "
                "WHERE step LIKE :pattern AND length(step) > 1"
            ).bindparams(letter=letter, pattern=f"{letter}%")
        )


def downgrade() -> None:
    op.execute(sa.text("UPDATE reminderstep SET step = 'S3' WHERE step = 'S'"))
    op.execute(sa.text("UPDATE reminderstep SET step = 'A10' WHERE step = 'A'"))
