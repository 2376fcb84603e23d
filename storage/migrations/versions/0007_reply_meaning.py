"""What a reply to a bot message means, stored when the message is sent or queued.

A reply used to be read back from the 【code】s in the replied-to text: any bot message naming
one item recorded it. Now each message that invites a reply has a row here (reminder, 催办, item
card, a late record's confirmation, the correction and date prompts, a notice's copy); a reply
to anything else never records. Queued messages point at their outbox row, whose
telegram_message_id is indexed with its chat for the lookup. An edited message finds the
proposals and records made from it by (chat, message) indexes too.

Revision ID: 0007_reply_meaning
Revises: 0006_record_append_only
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_reply_meaning"
down_revision: str | None = "0006_record_append_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reply_meaning",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), sa.ForeignKey("outbox.id"), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("due_item_ids", sa.Text(), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("chat_id", "message_id"),
        sa.UniqueConstraint("outbox_id"),
    )
    op.create_index("ix_outbox_chat_message", "outbox", ["chat_id", "telegram_message_id"])
    op.create_index("ix_proposal_chat_message", "proposal", ["chat_id", "message_id"])
    op.create_index("ix_record_source", "record", ["source_chat_id", "source_message_id"])


def downgrade() -> None:
    op.drop_index("ix_record_source", table_name="record")
    op.drop_index("ix_proposal_chat_message", table_name="proposal")
    op.drop_index("ix_outbox_chat_message", table_name="outbox")
    op.drop_table("reply_meaning")
