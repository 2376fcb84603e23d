"""履责记实 append-only against every statement: SQLite's REPLACE, PostgreSQL's TRUNCATE.

0001's triggers refuse UPDATE and DELETE. Two statements got past them:

- SQLite: `INSERT OR REPLACE` / `REPLACE INTO` with an existing id or origin deletes the old row
  without firing delete triggers (recursive_triggers is off) and writes a new one in its place.
  A BEFORE INSERT trigger refuses any row whose id or origin is already there, whatever the
  conflict clause (REPLACE, ON CONFLICT … DO UPDATE). A plain duplicate was refused anyway
  (primary key, unique origin); it now fails on the trigger, still as an IntegrityError.
- PostgreSQL: `TRUNCATE record`, or `TRUNCATE person CASCADE` (record points at it), emptied the
  table: row triggers do not fire on TRUNCATE. A BEFORE TRUNCATE statement trigger refuses it,
  cascaded or not. (ON CONFLICT … DO UPDATE and MERGE fire the row triggers 0001 made.)

Revision ID: 0006_record_append_only
Revises: 0005_oversight
Create Date: 2026-11-26 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006_record_append_only"
down_revision: str | None = "0005_oversight"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_UP = [
    "CREATE TRIGGER record_no_replace BEFORE INSERT ON record "
    "WHEN EXISTS (SELECT 1 FROM record WHERE id = NEW.id) "
    "OR EXISTS (SELECT 1 FROM record WHERE origin = NEW.origin) "
    "BEGIN SELECT RAISE(ABORT, "
    "'record is append-only: a row with this id or origin exists, add a correcting record'); END",
]
_SQLITE_DOWN = ["DROP TRIGGER record_no_replace"]
# record_append_only() is 0001's: it raises for any statement it is attached to
_POSTGRES_UP = [
    "CREATE TRIGGER record_no_truncate BEFORE TRUNCATE ON record "
    "FOR EACH STATEMENT EXECUTE FUNCTION record_append_only()",
]
_POSTGRES_DOWN = ["DROP TRIGGER record_no_truncate ON record"]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _SQLITE_UP if sqlite else _POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _SQLITE_DOWN if sqlite else _POSTGRES_DOWN:
        op.execute(statement)
