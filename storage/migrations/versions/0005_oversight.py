"""Oversight: notices drafted then sent once, outbox attachments, annual assessment results.

Revision ID: 0005_oversight
Revises: 0004_records
Create Date: 2026-11-25 17:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_oversight"
down_revision: str | None = "0004_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
_NOTICE = ("kind", "state", "file_id", "file_kind", "sent_at")


def upgrade() -> None:
    op.add_column(
        "notice", sa.Column("kind", sa.String(16), nullable=False, server_default="notice")
    )
    op.add_column(
        "notice",
        sa.Column(
            "state",
            sa.Enum(
                "DRAFT",
                "SUBMITTED",
                "CANCELLED",
                name="draftstate",
                native_enum=False,
                length=32,
                create_constraint=False,
            ),
            nullable=False,
            server_default="SUBMITTED",
        ),
    )
    op.add_column("notice", sa.Column("file_id", sa.String(200), nullable=True))
    op.add_column("notice", sa.Column("file_kind", sa.String(16), nullable=True))
    op.add_column("notice", sa.Column("sent_at", _TZ, nullable=True))
    op.add_column("outbox", sa.Column("file_id", sa.String(200), nullable=True))
    op.add_column("outbox", sa.Column("file_kind", sa.String(16), nullable=True))
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(32), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("imported_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name="fk_assessment_unit_id_unit"),
        sa.PrimaryKeyConstraint("id", name="pk_assessment"),
        sa.UniqueConstraint("unit_id", "year", name="uq_assessment_unit_id_year"),
    )
    op.create_index("ix_assessment_unit_id", "assessment", ["unit_id"])


def downgrade() -> None:
    op.drop_index("ix_assessment_unit_id", table_name="assessment")
    op.drop_table("assessment")
    for column in _NOTICE:
        op.drop_column("notice", column)
    op.drop_column("outbox", "file_kind")
    op.drop_column("outbox", "file_id")
