"""ReminderStep.outbox_key indexed: a run finds the steps of messages Telegram refused for good.

Revision ID: 0010_reminder_step_key
Revises: 0009_assign_draft
Create Date: 2026-12-03 16:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010_reminder_step_key"
down_revision: str | None = "0009_assign_draft"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_reminderstep_outbox_key", "reminderstep", ["outbox_key"])


def downgrade() -> None:
    op.drop_index("ix_reminderstep_outbox_key", table_name="reminderstep")
