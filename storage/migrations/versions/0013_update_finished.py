"""An update's claim says whether its handling ended (`finished`): a redelivery of one cut short
after its work committed tells the sender that the reply may have been lost.

Revision ID: 0013_update_finished
Revises: 0012_web_login
Create Date: 2026-12-03 19:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_update_finished"
down_revision: str | None = "0012_web_login"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processedupdate") as table:
        table.add_column(
            sa.Column("finished", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("processedupdate") as table:
        table.drop_column("finished")
