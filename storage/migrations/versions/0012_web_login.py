"""The web view's sign-in: one-time links (web_login) and the browser sessions they open (web_session).

Revision ID: 0012_web_login
Revises: 0011_escalation_names
Create Date: 2026-12-03 18:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_web_login"
down_revision: str | None = "0011_escalation_names"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "web_login",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _instant("created_at"),
        _instant("expires_at"),
        _instant("used_at", nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name="fk_web_login_person_id_person"),
        sa.UniqueConstraint("token_hash", name="uq_web_login_token_hash"),
    )
    op.create_index("ix_web_login_person_id", "web_login", ["person_id"])
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("login_id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _instant("created_at"),
        _instant("expires_at"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name="fk_web_session_person_id_person"
        ),
        sa.ForeignKeyConstraint(
            ["login_id"], ["web_login.id"], name="fk_web_session_login_id_web_login"
        ),
        sa.UniqueConstraint("token_hash", name="uq_web_session_token_hash"),
    )
    op.create_index("ix_web_session_person_id", "web_session", ["person_id"])
    op.create_index("ix_web_session_login_id", "web_session", ["login_id"])


def downgrade() -> None:
    op.drop_index("ix_web_session_login_id", table_name="web_session")
    op.drop_index("ix_web_session_person_id", table_name="web_session")
    op.drop_table("web_session")
    op.drop_index("ix_web_login_person_id", table_name="web_login")
    op.drop_table("web_login")
