"""The reminder run as the scheduler calls it: on the database worker, once at a time."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlmodel import select

from bot.services.reminders import run as run_module
from scheduler.jobs import remind
from storage.models import Outbox
from tests.handlers.conftest import NOW, District

AT_NINE = NOW.replace(day=26, hour=9, minute=0)  # Thursday: holders, digests and the list


async def test_the_nine_oclock_job_and_the_tick_make_one_run(
    district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both fire at 09:00: the second finds the first under way and is skipped (it planned and
    read everything again: a second full run at the busiest minute)."""
    plans: list[str] = []
    real = run_module.make_plan  # type: ignore[attr-defined]

    def counted(*args: Any, **kwargs: Any) -> Any:
        plans.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "make_plan", counted)
    first, second = await asyncio.gather(
        remind(district.app.jobs, AT_NINE), remind(district.app.jobs, AT_NINE)
    )
    assert len(plans) == 1
    assert sorted([first.raced, second.raced]) == [False, True]
    assert max(first.messages, second.messages) > 0
    async with district.app.sessions() as session:
        rows = (await session.exec(select(Outbox))).all()
    run_rows = [r for r in rows if r.kind in ("reminder", "digest", "escalation")]
    assert len(run_rows) == max(first.messages, second.messages)
    again = await remind(district.app.jobs, AT_NINE.replace(minute=5))  # the next tick: nothing new
    assert (again.messages, again.raced) == (0, False)
