"""Telegram bindings an import gives: moved from a person it leaves inactive, else refused."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.errors import ImportProblem, ImportRejected
from bot.services.importing.plan import BindingMove, ImportPlan
from storage.models import AuditEntry, Person

logger = logging.getLogger(__name__)

COLUMN = "Telegram用户ID"


def plan_bindings(
    plan: ImportPlan, *, source: str, existing: Mapping[str, Person]
) -> list[BindingMove]:
    """The accounts that move to another person; raise ImportRejected if a holder stays active.

    After an import the active people are exactly those of the file, so an account held by a
    person missing from it (or already inactive and still missing) is free to move; one held
    by a person the file keeps stays theirs until an admin unbinds it.
    """
    kept = {p.code for p in plan.people}
    holder = {p.telegram_id: code for code, p in existing.items() if p.telegram_id is not None}
    moves: list[BindingMove] = []
    problems: list[ImportProblem] = []
    for person in plan.people:
        if person.telegram_id is None:
            continue
        held_by = holder.get(person.telegram_id)
        if held_by is None or held_by == person.code:
            continue
        if held_by not in kept:
            moves.append(BindingMove(person.telegram_id, held_by, person.code))
            continue
        problems.append(
            ImportProblem(
                source=source,
                code="telegram_id_taken",
                row=person.row,
                column=COLUMN,
                value=str(person.telegram_id),
                detail=held_by,
            )
        )
    if problems:
        raise ImportRejected(problems)
    return moves


async def release_bindings(
    session: AsyncSession,
    *,
    moves: list[BindingMove],
    people: Mapping[str, Person],
    now: datetime,
) -> None:
    """Unbind the accounts that move and flush, so that their new holders' rows can take them."""
    for move in moves:
        person = people[move.from_code]
        person.telegram_id = None
        person.bound_at = None
        person.updated_at = now
        logger.info(
            "import moves Telegram account %d from %s to %s",
            move.telegram_id,
            move.from_code,
            move.to_code,
        )
    if moves:
        await session.flush()


def move_audits(
    moves: list[BindingMove], *, now: datetime, actor_person_id: int | None
) -> list[AuditEntry]:
    """One audit entry per moved binding, by the import's actor."""
    return [
        AuditEntry(
            at=now,
            actor_person_id=actor_person_id,
            action="binding_moved",
            detail=json.dumps(
                {"telegram_id": m.telegram_id, "from": m.from_code, "to": m.to_code},
                ensure_ascii=False,
                sort_keys=True,
            ),
        )
        for m in moves
    ]
