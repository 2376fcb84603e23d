"""A unit's work group: /bindgroup links a Telegram group to a unit (Unit.group_chat_id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.identity import Viewer
from bot.services.errors import RecordProblem, RecordRefused
from storage.models import AuditEntry, Role, Unit


@dataclass(frozen=True)
class Linked:
    """The unit the group now belongs to, and the unit it left (if any)."""

    unit_name: str
    moved_from: str | None


async def bind_group(
    session: AsyncSession, *, viewer: Viewer, chat_id: int, unit_code: str | None, now: datetime
) -> Linked:
    """A secretary links the group to their own unit; an admin to the unit named by code. A
    group belongs to one unit: linking it again moves it (both steps audited)."""
    if Role.ADMIN in viewer.roles and unit_code:
        unit = (
            await session.exec(select(Unit).where(col(Unit.code) == unit_code.strip().upper()))
        ).first()
        if unit is None or not unit.active:
            raise RecordRefused(RecordProblem.UNKNOWN_UNIT, unit_code)
    elif Role.SECRETARY in viewer.roles:
        unit = await session.get(Unit, viewer.unit_id)
        assert unit is not None
    else:
        raise RecordRefused(RecordProblem.NO_GROUP_UNIT)
    previous = (
        await session.exec(
            select(Unit).where(col(Unit.group_chat_id) == chat_id, col(Unit.id) != unit.id)
        )
    ).first()
    moved_from = previous.name if previous else None
    await session.exec(
        update(Unit).where(col(Unit.group_chat_id) == chat_id).values(group_chat_id=None)
    )
    unit.group_chat_id = chat_id
    unit.updated_at = now
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=viewer.person_id,
            action="group.bind",
            detail=f"unit={unit.code} chat={chat_id} moved_from={moved_from or ''}",
        )
    )
    return Linked(unit.name, moved_from)
