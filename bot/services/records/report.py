"""半年报告: a draft compiled from the holder's records and latest self-checks of a half-year.

The draft (Report row) holds only the closing paragraph until it is submitted; the body is
compiled afresh whenever it is shown and stored when it is handed in, once (a conditional
UPDATE on state = draft). The BG due item of the half-year then gets its 履责记实.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import SYSTEM_REPORT, Period, period_of_key, periods_between
from bot.services.directory.identity import Viewer
from bot.services.errors import DraftStale, Stale
from bot.services.ledger.holder_period import (
    DUTY_ORDER,
    Done,
    holder_items,
    records_within,
    unmatched_records,
    unrecorded,
)
from bot.services.ledger.review_periods import period_to_open, system_due_item
from bot.services.ledger.selfcheck_answers import Answer, Submitted, latest_selfcheck, next_version
from bot.services.records.writing import add_record
from storage.models import DraftState, DutyType, Frequency, Report

CLOSING_LIMIT = 1000


@dataclass(frozen=True)
class Paper:
    """A report as the chat shows it (body is empty until submitted)."""

    id: int
    period: Period
    version: int
    state: DraftState
    closing: str
    body: str
    fresh: bool = True  # False: a doubled 提交 found it submitted already


@dataclass(frozen=True)
class ItemPart:
    """One item of the half-year: its records, the periods left unrecorded, its self-check answers."""

    item_code: str
    content: str
    duty_type: DutyType
    unit_team: bool
    records: list[Done]  # done within the half-year (happened_on), whichever period they are for
    missing: list[Period]  # periods of its due items that count in the half-year, not done
    checks: list[tuple[Period, Answer]]  # quarter (a monthly item: month) → latest answer


@dataclass(frozen=True)
class Compiled:
    """What the report says: items (主体责任 first), other records, and the quarters' self-checks."""

    period: Period
    items: list[ItemPart]
    other: list[Done]  # records that name no item
    quarters: list[tuple[Period, Submitted | None]]


async def open_report(
    session: AsyncSession, *, person_id: int, period_key: str | None = None
) -> Report | None:
    """The person's unfinished report (of that half-year, if given), if any."""
    query = select(Report).where(
        col(Report.person_id) == person_id, col(Report.state) == DraftState.DRAFT
    )
    if period_key is not None:
        query = query.where(col(Report.period_key) == period_key)
    return (await session.exec(query.order_by(col(Report.created_at).desc()))).first()


async def begin(
    session: AsyncSession, *, viewer: Viewer, period_key: str, now: datetime, today: date
) -> Paper:
    """The half-year's open draft if there is one, else a new version. Stale.GONE for a
    half-year that may not be opened (holder_period.period_to_open: offered now, or its
    半年报告 held — an overdue one too)."""
    period = await period_to_open(
        session,
        person_id=viewer.person_id,
        system=SYSTEM_REPORT,
        period_key=period_key,
        today=today,
    )
    if period is None:
        raise DraftStale(Stale.GONE)
    existing = await open_report(session, person_id=viewer.person_id, period_key=period_key)
    if existing is not None and existing.id is not None:
        return await load_paper(session, viewer=viewer, report_id=existing.id)
    version = await next_version(
        session, model=Report, person_id=viewer.person_id, period_key=period_key
    )
    report = Report(
        person_id=viewer.person_id, period_key=period_key, version=version, created_at=now
    )
    try:
        async with session.begin_nested():
            session.add(report)
    except IntegrityError:  # the same press twice at once: the other made it
        return await begin(session, viewer=viewer, period_key=period_key, now=now, today=today)
    assert report.id is not None
    return await load_paper(session, viewer=viewer, report_id=report.id)


async def load_paper(session: AsyncSession, *, viewer: Viewer, report_id: int) -> Paper:
    """The viewer's report; Stale.GONE if it is not theirs."""
    report = await session.get(Report, report_id, populate_existing=True)
    if report is None or report.person_id != viewer.person_id:
        raise DraftStale(Stale.GONE)
    period = period_of_key(report.period_key)
    assert period is not None
    return Paper(report_id, period, report.version, report.state, report.closing, report.body)


async def compile_half(
    session: AsyncSession, *, viewer: Viewer, period: Period, today: date
) -> Compiled:
    """The half-year's items: the live records done within it, what the ledger counts in it and
    is not done as of `today` (bot.services.ledger.counting), and the latest self-check answers."""
    quarters = periods_between(Frequency.QUARTERLY, period.start, period.end)
    checks = [
        (
            quarter,
            await latest_selfcheck(session, person_id=viewer.person_id, period_key=quarter.key),
        )
        for quarter in quarters
    ]
    parts: dict[str, ItemPart] = {}

    def part_of(code: str, content: str, duty_type: DutyType, unit_team: bool) -> ItemPart:
        return parts.setdefault(code, ItemPart(code, content, duty_type, unit_team, [], [], []))

    for found in await records_within(session, viewer=viewer, period=period):
        part_of(found.item_code, found.content, found.duty_type, found.unit_team).records.append(
            found.done
        )
    for row in await unrecorded(session, viewer=viewer, period=period, today=today):
        part = part_of(row.item_code, row.content, row.duty_type, row.person_id is None)
        part.missing.append(row.period)
    for item in await holder_items(session, viewer=viewer, period=period):
        shown = parts.get(item.item_code)
        if shown is None:  # nothing done within the half-year and nothing it still owes
            continue
        for quarter, check in checks:
            given = check.answers.get(item.due_item_id) if check else None
            overlaps = item.period.start <= quarter.end and item.period.end >= quarter.start
            if given is not None and given.status and overlaps:
                monthly = (
                    item.period.frequency is Frequency.MONTHLY
                )  # name the month, not the quarter
                shown.checks.append((item.period if monthly else quarter, given))
    items = sorted(parts.values(), key=lambda p: (DUTY_ORDER[p.duty_type], p.item_code))
    other = await unmatched_records(session, person_id=viewer.person_id, period=period)
    return Compiled(period, items, other, checks)


async def set_closing(
    session: AsyncSession, *, viewer: Viewer, report_id: int, closing: str
) -> Paper:
    """The closing paragraph of an open draft (replaces an earlier one)."""
    await _change(session, viewer, report_id, closing=closing)
    return await load_paper(session, viewer=viewer, report_id=report_id)


async def cancel(session: AsyncSession, *, viewer: Viewer, report_id: int) -> Paper:
    """取消: the draft is given up (kept as cancelled)."""
    await _change(session, viewer, report_id, state=DraftState.CANCELLED)
    return await load_paper(session, viewer=viewer, report_id=report_id)


async def submit(
    session: AsyncSession,
    *,
    viewer: Viewer,
    report_id: int,
    body: str,
    today: date,
    now: datetime,
) -> Paper:
    """Hand in the draft with its compiled `body`, once; the BG due item of the half-year gets
    its 履责记实. A doubled press returns the submitted paper with fresh=False."""
    paper = await load_paper(session, viewer=viewer, report_id=report_id)
    if paper.state is DraftState.SUBMITTED:
        return replace(paper, fresh=False)
    try:
        await _change(
            session, viewer, report_id, body=body, submitted_at=now, state=DraftState.SUBMITTED
        )
    except DraftStale as stale:
        if stale.why is Stale.SUBMITTED:
            paper = await load_paper(session, viewer=viewer, report_id=report_id)
            return replace(paper, fresh=False)
        raise
    due_item_id = await system_due_item(
        session, person_id=viewer.person_id, system=SYSTEM_REPORT, period_key=paper.period.key
    )
    await add_record(
        session,
        origin=f"report:{report_id}",
        due_item_id=due_item_id,
        author_id=viewer.person_id,
        unit_id=viewer.unit_id,
        text=f"提交半年报告（第{paper.version}版）",
        happened_on=today,
        now=now,
    )
    return await load_paper(session, viewer=viewer, report_id=report_id)


def still_open(paper: Paper) -> None:
    """Stale (submitted or cancelled) unless the report is an open draft."""
    if paper.state is DraftState.SUBMITTED:
        raise DraftStale(Stale.SUBMITTED)
    if paper.state is DraftState.CANCELLED:
        raise DraftStale(Stale.CANCELLED)


async def _change(session: AsyncSession, viewer: Viewer, report_id: int, **values: object) -> None:
    """One conditional UPDATE of the viewer's open draft; Stale (why) when it matched nothing."""
    await session.flush()  # nothing left pending: the update middleware commits, not rolls back
    changed = await session.exec(
        update(Report)
        .where(
            col(Report.id) == report_id,
            col(Report.person_id) == viewer.person_id,
            col(Report.state) == DraftState.DRAFT,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        paper = await load_paper(session, viewer=viewer, report_id=report_id)
        submitted = paper.state is DraftState.SUBMITTED
        raise DraftStale(Stale.SUBMITTED if submitted else Stale.CANCELLED)
