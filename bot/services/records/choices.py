"""What a person can record: their items' due items now, one per item, outstanding ones first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import Period, effective_due, local_date, stored_period
from bot.services.calendar.workdays import load_calendar
from bot.services.directory.identity import Viewer
from bot.services.errors import RecordProblem, RecordRefused
from bot.services.ledger.outstanding import due_item_rows, is_outstanding, recorded
from bot.services.ledger.status import in_current_period, mine
from bot.services.records.matcher import Candidate
from storage.models import DueItem, DutyType, Holding, Item


@dataclass(frozen=True)
class Choice:
    """One due item the sender could record now."""

    due_item_id: int
    code: str
    content: str
    measures: str
    duty_type: DutyType
    period: Period
    due: date  # effective due date (顺延 applied)
    done: bool  # has a live record already
    unit_id: int
    unit_team: bool
    system: str | None  # "selfcheck" / "report": recorded by /selfcheck and /report
    for_name: str | None = None  # an absent colleague's, recorded by the one standing in

    def candidate(self) -> Candidate:
        return Candidate(
            key=self.due_item_id,
            code=self.code,
            content=self.content,
            measures=self.measures,
            open=not self.done,
        )

    def check_day(self, day: date) -> None:
        """A record's day is never before its due item's period began (a sentence naming an
        earlier day is about an earlier period)."""
        if day < self.period.start:
            raise RecordRefused(RecordProblem.BEFORE_PERIOD, f"{self.period.start:%Y-%m-%d}")

    def late_days(self, on: date) -> int:
        """Days after the due date a record made `on` comes (0: in time)."""
        return max(0, (on - self.due).days)


async def choices_for(
    session: AsyncSession, *, viewer: Viewer, now: datetime, zone: ZoneInfo
) -> list[Choice]:
    """The viewer's items (own, and the 单位班子's they answer for), each as its due item to
    record now: the oldest outstanding one, else the current period's. Open ones first."""
    today = local_date(now, zone)
    where = or_(in_current_period(today), is_outstanding(today))
    best: dict[int, Choice] = {}
    for holding_id, choice in await _rows(session, viewer, where):
        held = best.get(holding_id)
        if held is None or _better(choice, held):
            best[holding_id] = choice
    return sorted(best.values(), key=lambda c: (c.done, c.system is not None, c.code))


def pickable(choices: list[Choice]) -> list[Choice]:
    """What a pick list (改选, a caption-less photo) offers: 季度自查 and 半年报告 are handed in
    by /selfcheck and /report, and 确认 refuses them."""
    return [choice for choice in choices if choice.system is None]


async def choice_by_id(session: AsyncSession, *, viewer: Viewer, due_item_id: int) -> Choice | None:
    """One due item of the viewer's active holdings, whatever its period (None: not theirs)."""
    rows = await _rows(session, viewer, col(DueItem.id) == due_item_id)
    return rows[0][1] if rows else None


async def choices_by_ids(
    session: AsyncSession, *, viewer: Viewer, due_item_ids: Sequence[int]
) -> list[Choice]:
    """`choice_by_id` for several due items in one query, in the order given (theirs only)."""
    rows = await _rows(session, viewer, col(DueItem.id).in_(due_item_ids))
    found = {choice.due_item_id: choice for _, choice in rows}
    return [found[due_item_id] for due_item_id in due_item_ids if due_item_id in found]


def _recordable(viewer: Viewer) -> ColumnElement[bool]:
    """The viewer's own (bot.services.ledger.status.mine), and today those of the absent
    colleagues they stand in for (their 单位班子 items too, for an absent 第一责任人)."""
    if not viewer.stands_in_for:
        return mine(viewer)
    absent = col(Holding.person_id).in_(viewer.stands_in_for)
    teams = and_(col(Holding.person_id).is_(None), col(Holding.unit_id).in_(viewer.stands_in_teams))
    # 季度自查 and 半年报告 are personal: they wait for the holder's return
    return or_(mine(viewer), and_(or_(absent, teams), col(Item.system).is_(None)))


async def _rows(
    session: AsyncSession, viewer: Viewer, where: ColumnElement[bool]
) -> list[tuple[int, Choice]]:
    calendar = await load_calendar(session)
    rows = (
        await session.exec(  # type: ignore[call-overload]
            due_item_rows()
            .add_columns(recorded())
            .where(
                _recordable(viewer),
                col(Holding.active).is_(True),
                col(Item.active).is_(True),
                where,
            )
            .order_by(col(Item.code), col(Holding.id))
        )
    ).all()
    found = []
    for due, holding, item, name, done in rows:
        assert due.id is not None and holding.id is not None
        choice = Choice(
            due_item_id=due.id,
            code=item.code,
            content=item.content,
            measures=item.measures,
            duty_type=item.duty_type,
            period=stored_period(due.period_key, due.period_start, due.period_end),
            due=effective_due(due.due_date, calendar=calendar).effective,
            done=bool(done),
            unit_id=holding.unit_id,
            unit_team=holding.person_id is None,
            system=item.system,
            for_name=name if holding.person_id in viewer.stands_in_for else None,
        )
        found.append((holding.id, choice))
    return found


def _better(new: Choice, old: Choice) -> bool:
    """Outstanding beats recorded; among outstanding the oldest period, else the newest."""
    if new.done != old.done:
        return not new.done
    if not new.done:
        return new.period.start < old.period.start
    return new.period.start > old.period.start
