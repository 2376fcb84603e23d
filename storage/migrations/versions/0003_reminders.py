"""Reminders: outbox states, ladder steps, calendar overrides, leave, unreachable people, built-in items.

Revision ID: 0003_reminders
Revises: 0002_due_item_closing
Create Date: 2026-11-25 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_reminders"
down_revision: str | None = "0002_due_item_closing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
# Columns are added and dropped in place: a batch copy on SQLite would recreate tables that
# other rows reference. None of the new columns carries a foreign key, so SQLite can drop them.
_OUTBOX = ("kind", "priority", "state", "claimed_at", "failed_at")


def upgrade() -> None:
    op.add_column(
        "outbox", sa.Column("kind", sa.String(32), nullable=False, server_default="system")
    )
    op.add_column("outbox", sa.Column("priority", sa.Integer(), nullable=False, server_default="5"))
    op.add_column(
        "outbox",
        sa.Column(
            "state",
            sa.Enum(
                "PENDING",
                "SENDING",
                "SENT",
                "FAILED",
                name="outboxstate",
                native_enum=False,
                length=32,
                create_constraint=False,
            ),
            nullable=False,
            server_default="PENDING",
        ),
    )
    op.add_column("outbox", sa.Column("claimed_at", _TZ, nullable=True))
    op.add_column("outbox", sa.Column("failed_at", _TZ, nullable=True))
    op.execute("UPDATE outbox SET state = 'SENT' WHERE sent_at IS NOT NULL")
    op.create_index("ix_outbox_state_not_before", "outbox", ["state", "not_before"])
    op.add_column("person", sa.Column("unreachable_at", _TZ, nullable=True))
    op.add_column("item", sa.Column("system", sa.String(16), nullable=True))

    op.create_table(
        "reminderstep",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("due_item_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(8), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("outbox_key", sa.String(200), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["due_item_id"], ["dueitem.id"], name="fk_reminderstep_due_item_id_dueitem"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reminderstep"),
        sa.UniqueConstraint("due_item_id", "step", name="uq_reminderstep_due_item_id_step"),
    )
    op.create_index("ix_reminderstep_due_item_id", "reminderstep", ["due_item_id"])
    op.create_table(
        "calendaroverride",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.Column("actor_person_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("day", name="pk_calendaroverride"),
    )
    op.create_table(
        "leave",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("acting_person_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("cancelled_at", _TZ, nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name="fk_leave_person_id_person"),
        sa.ForeignKeyConstraint(
            ["acting_person_id"], ["person.id"], name="fk_leave_acting_person_id_person"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_leave"),
    )
    op.create_index("ix_leave_person_id", "leave", ["person_id"])
    op.create_index("ix_leave_acting_person_id", "leave", ["acting_person_id"])


def downgrade() -> None:
    op.drop_index("ix_leave_acting_person_id", table_name="leave")
    op.drop_index("ix_leave_person_id", table_name="leave")
    op.drop_table("leave")
    op.drop_table("calendaroverride")
    op.drop_index("ix_reminderstep_due_item_id", table_name="reminderstep")
    op.drop_table("reminderstep")
    op.execute("ALTER TABLE item DROP COLUMN system")
    op.execute("ALTER TABLE person DROP COLUMN unreachable_at")
    op.drop_index("ix_outbox_state_not_before", table_name="outbox")
    for name in reversed(_OUTBOX):
        op.execute(f"ALTER TABLE outbox DROP COLUMN {name}")
