"""The killed-run test's child: the production reminder run, each unit group's write slowed and
announced on stdout ("group"), so the parent can SIGKILL it halfway."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.calendar.workdays import load_calendar
from bot.services.reminders import plan, run
from bot.services.reminders.ladder import LadderRules
from bot.texts import reminders as words
from storage.db import create_engine, session_factory

ZONE = ZoneInfo("Asia/Shanghai")
plan.UNITS_PER_GROUP = (
    1  # a transaction per unit: the sample district's twelve units, twelve groups
)
_write = run._write


async def _announced(*args: Any, **kwargs: Any) -> None:
    sys.stdout.write("group\n")
    sys.stdout.flush()
    await asyncio.sleep(0.3)
    await _write(*args, **kwargs)


async def main(url: str, now: datetime) -> None:
    run._write = _announced
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            calendar = await load_calendar(session)
            await run.run_reminders(
                session,
                now=now,
                zone=ZONE,
                calendar=calendar,
                rules=LadderRules(),
                render=words.render,
            )
        sys.stdout.write("done\n")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], datetime.fromisoformat(sys.argv[2])))
