"""The two built-in items every official holds: 季度自查 (quarterly self-check) and 半年报告 (half-year report)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import DutyType, Frequency, Item, ListKind, ScopeKind


@dataclass(frozen=True)
class SystemItem:
    """A built-in item: its reserved code, kind (Item.system), wording and frequency."""

    code: str
    system: str
    content: str
    measures: str
    frequency: Frequency


SYSTEM_ITEMS = (
    SystemItem(
        "ZC",
        "selfcheck",
        "季度自查：对照本人责任清单逐项自查本季度履责情况",
        "季度结束后 10 个工作日内完成，逐项填报已完成、推进中或未开展",
        Frequency.QUARTERLY,
    ),
    SystemItem(
        "BG",
        "report",
        "半年报告：报告本人半年来履行“两个责任”情况",
        "半年结束后 10 个工作日内完成",
        Frequency.HALF_YEARLY,
    ),
)
RESERVED_CODES = frozenset(item.code for item in SYSTEM_ITEMS)
# codes /assign gives its tasks (JB001 …): an import may not use them either
ASSIGNED_CODE = re.compile(r"^JB\d+$", re.IGNORECASE)


def is_reserved(code: str) -> bool:
    """A code the bot gives out itself: the built-in items and assigned tasks."""
    return code.upper() in RESERVED_CODES or ASSIGNED_CODE.match(code) is not None


async def ensure_system_items(session: AsyncSession, *, now: datetime) -> dict[str, int]:
    """Create (or reactivate) the built-in items; returns code → item id (no commit)."""
    existing = {
        item.code: item
        for item in (
            await session.exec(select(Item).where(col(Item.code).in_(RESERVED_CODES)))
        ).all()
    }
    for spec in SYSTEM_ITEMS:
        item = existing.get(spec.code)
        if item is None:
            item = Item(
                code=spec.code,
                list_kind=ListKind.COMMON,
                duty_type=DutyType.MAIN,
                scope_kind=ScopeKind.OFFICIALS,
                content=spec.content,
                measures=spec.measures,
                frequency=spec.frequency,
                system=spec.system,
                created_at=now,
                updated_at=now,
            )
            session.add(item)
            existing[spec.code] = item
        elif not item.active or item.system != spec.system:
            item.active, item.system, item.updated_at = True, spec.system, now
    await session.flush()
    ids = {}
    for code, item in existing.items():
        assert item.id is not None
        ids[code] = item.id
    return ids
