"""A unit's page: this quarter's progress (as /progress), what is outstanding, and the 四单 and
履责记实台账 as /export writes them; the chart and the workbook themselves."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.services.calendar.periods import local_date
from bot.services.directory.web_access import unit_people
from bot.services.exports.ledger_xlsx import build_workbook, sheet_rows
from bot.services.exports.year import UnitYear, collect
from bot.services.oversight.pending import unit_pending, unit_ref
from bot.services.oversight.progress import QuarterProgress, chart_png, quarter_of, quarter_progress
from bot.texts import exports as export_words
from bot.texts import web as words
from bot.web.context import XLSX, Refused, attachment, deps, number_in, page, viewer
from bot.web.scope import unit_in_scope
from storage.models import Unit

YEARS_BACK = 3  # as /export offers: this year and the two before


def _year(request: web.Request, this_year: int) -> int:
    text = request.query.get("year", "") or request.match_info.get("year", "")
    if not text:
        return this_year
    year = number_in(text, this_year - 50, this_year)
    if year is None:
        raise Refused(404, words.NOT_FOUND)
    return year


def _quarter(request: web.Request) -> int | None:
    text = request.query.get("quarter", "")
    if text in ("", "0"):
        return None
    if text not in ("1", "2", "3", "4"):
        raise Refused(404, words.NOT_FOUND)
    return int(text)


async def _progress(request: web.Request, unit: Unit) -> QuarterProgress:
    wired = deps(request)
    today = local_date(wired.clock.now(), wired.zone)
    year, number = quarter_of(today)
    assert unit.id is not None
    async with wired.sessions() as session:
        return await quarter_progress(
            session, unit_id=unit.id, year=year, quarter=number, today=today
        )


async def _year_data(request: web.Request, unit: Unit, year: int, number: int | None) -> UnitYear:
    wired = deps(request)
    today = local_date(wired.clock.now(), wired.zone)
    async with wired.sessions() as session:
        return await collect(session, unit=unit, year=year, quarter=number, today=today)


async def _unit(request: web.Request) -> Unit:
    async with deps(request).sessions() as session:
        return await unit_in_scope(session, viewer(request), request.match_info["code"])


async def unit_page(request: web.Request) -> web.Response:
    """GET /units/{code}?year=2026&quarter=3: the unit's quarter, outstanding list and 四单."""
    wired = deps(request)
    now = wired.clock.now()
    this_year = local_date(now, wired.zone).year
    unit = await _unit(request)
    assert unit.id is not None
    year, number = _year(request, this_year), _quarter(request)
    progress = await _progress(request, unit)
    data = await _year_data(request, unit, year, number)
    async with wired.sessions() as session:
        ref = await unit_ref(session, unit_id=unit.id)
        assert ref is not None
        pending = await unit_pending(session, unit=ref, now=now, zone=wired.zone)
        people = await unit_people(session, unit_id=unit.id)
    return page(
        request,
        "unit.html",
        title=f"{unit.name}（{unit.code}）",
        unit=unit,
        progress=progress,
        progress_title=export_words.chart_title(unit.name, progress),
        pending=pending,
        people=people,
        sheets=sheet_rows(data, zone=wired.zone),
        span_label=data.span_label,
        year=year,
        quarter=number,
        years=list(range(this_year, this_year - YEARS_BACK, -1)),
        export_name=export_words.export_filename(unit.name, data.span_label),
    )


async def progress_chart(request: web.Request) -> web.Response:
    """GET /units/{code}/progress.png: the chart /progress sends."""
    unit = await _unit(request)
    progress = await _progress(request, unit)
    if progress.total == 0 and progress.closed == 0:
        raise Refused(404, words.NOT_FOUND)
    png = await chart_png(
        progress,
        title=export_words.chart_title(unit.name, progress),
        person_heading=export_words.PERSON_HEADING,
        item_heading=export_words.ITEM_HEADING,
    )
    if png is None:
        raise Refused(500, words.NO_CHART)
    return web.Response(body=png, content_type="image/png")


async def ledger_workbook(request: web.Request) -> web.Response:
    """GET /units/{code}/ledger/{year}.xlsx?quarter=N: the workbook /export sends."""
    wired = deps(request)
    unit = await _unit(request)
    year = _year(request, local_date(wired.clock.now(), wired.zone).year)
    data = await _year_data(request, unit, year, _quarter(request))
    book = await asyncio.to_thread(build_workbook, data, zone=wired.zone)
    return attachment(book, export_words.export_filename(unit.name, data.span_label), XLSX)
