"""Records in use: undo rows, evidence, once-only origins; proposals, self-checks, reports.

Revision ID: 0004_records
Revises: 0003_reminders
Create Date: 2026-11-25 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_records"
down_revision: str | None = "0003_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
# Record columns are added in place (no batch copy: the append-only triggers and the rows that
# reference records stay); none carries a foreign key, so SQLite can drop them again.
_RECORD = ("voids_id", "file_id", "file_kind", "origin")


def _state(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32, create_constraint=False)


def upgrade() -> None:
    op.add_column("record", sa.Column("voids_id", sa.Integer(), nullable=True))
    op.add_column("record", sa.Column("file_id", sa.String(200), nullable=True))
    op.add_column("record", sa.Column("file_kind", sa.String(16), nullable=True))
    op.add_column("record", sa.Column("origin", sa.String(200), nullable=True))
    op.create_index("ix_record_origin", "record", ["origin"], unique=True)
    # partial: almost every row is NULL in both (see Record.__table_args__)
    op.drop_index("ix_record_corrects_id", table_name="record")
    for column in ("corrects_id", "voids_id"):
        op.create_index(
            f"ix_record_{column}",
            "record",
            [column],
            sqlite_where=sa.text(f"{column} IS NOT NULL"),
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("candidates", sa.String(500), nullable=False),
        sa.Column("chosen_id", sa.Integer(), nullable=True),
        sa.Column("batch", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.String(200), nullable=True),
        sa.Column("file_kind", sa.String(16), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column(
            "state", _state("proposalstate", "OPEN", "CONFIRMED", "CANCELLED"), nullable=False
        ),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("decided_at", _TZ, nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name="fk_proposal_person_id_person"),
        sa.PrimaryKeyConstraint("id", name="pk_proposal"),
    )
    op.create_index("ix_proposal_person_id", "proposal", ["person_id"])
    draft = _state("draftstate", "DRAFT", "SUBMITTED", "CANCELLED")
    op.create_table(
        "selfcheck",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", draft, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.Column("submitted_at", _TZ, nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name="fk_selfcheck_person_id_person"),
        sa.PrimaryKeyConstraint("id", name="pk_selfcheck"),
        sa.UniqueConstraint(
            "person_id", "period_key", "version", name="uq_selfcheck_person_id_period_key_version"
        ),
    )
    op.create_index("ix_selfcheck_person_id", "selfcheck", ["person_id"])
    op.create_table(
        "selfcheckanswer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("selfcheck_id", sa.Integer(), nullable=False),
        sa.Column("due_item_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("answered_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["selfcheck_id"], ["selfcheck.id"], name="fk_selfcheckanswer_selfcheck_id_selfcheck"
        ),
        sa.ForeignKeyConstraint(
            ["due_item_id"], ["dueitem.id"], name="fk_selfcheckanswer_due_item_id_dueitem"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_selfcheckanswer"),
        sa.UniqueConstraint(
            "selfcheck_id", "due_item_id", name="uq_selfcheckanswer_selfcheck_id_due_item_id"
        ),
    )
    op.create_index("ix_selfcheckanswer_selfcheck_id", "selfcheckanswer", ["selfcheck_id"])
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", draft, nullable=False),
        sa.Column("closing", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("submitted_at", _TZ, nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name="fk_report_person_id_person"),
        sa.PrimaryKeyConstraint("id", name="pk_report"),
        sa.UniqueConstraint(
            "person_id", "period_key", "version", name="uq_report_person_id_period_key_version"
        ),
    )
    op.create_index("ix_report_person_id", "report", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_report_person_id", table_name="report")
    op.drop_table("report")
    op.drop_index("ix_selfcheckanswer_selfcheck_id", table_name="selfcheckanswer")
    op.drop_table("selfcheckanswer")
    op.drop_index("ix_selfcheck_person_id", table_name="selfcheck")
    op.drop_table("selfcheck")
    op.drop_index("ix_proposal_person_id", table_name="proposal")
    op.drop_table("proposal")
    op.drop_index("ix_record_origin", table_name="record")
    op.drop_index("ix_record_voids_id", table_name="record")
    op.drop_index("ix_record_corrects_id", table_name="record")
    op.create_index("ix_record_corrects_id", "record", ["corrects_id"])
    for column in _RECORD:
        op.drop_column("record", column)
