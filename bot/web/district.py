"""Admins' district page: every unit by category with the 3+1 ranking, its chart and workbook."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date

from aiohttp import web

from bot.services.calendar.periods import local_date
from bot.services.exports.ranking_xlsx import quarter_workbook, year_workbook
from bot.services.oversight import charts
from bot.services.oversight.ranking import Ranked, quarter_ranking, year_ranking
from bot.services.oversight.units import quarter, quarter_of
from bot.texts import ranking as ranking_words
from bot.texts import web as words
from bot.web.context import XLSX, Refused, attachment, deps, page, viewer
from bot.web.scope import require_admin

_PART = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")


@dataclass(frozen=True)
class Part:
    """A quarter of a year, or the year (number None)."""

    year: int
    number: int | None

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}" if self.number else str(self.year)

    @property
    def label(self) -> str:
        if self.number is None:
            return f"{self.year}年度"
        return ranking_words.quarter_label(self.year, self.number)


def _part(text: str, today: date) -> Part:
    """The part a URL names (empty: this quarter); 404 for nonsense or one not begun yet."""
    if not text:
        span = quarter_of(today)
        return Part(span.start.year, (span.start.month + 2) // 3)
    match = _PART.match(text)
    if match is None or not 2000 <= int(match[1]) <= 2100:
        raise Refused(404, words.NOT_FOUND)
    part = Part(int(match[1]), int(match[2]) if match[2] else None)
    if part.number is None:
        begun = part.year <= today.year
    else:
        begun = quarter(part.year, part.number).start <= today
    if not begun:
        raise Refused(404, words.NOT_BEGUN.format(label=part.label))
    return part


async def _lines(request: web.Request, part: Part) -> list[Ranked]:
    wired = deps(request)
    now = wired.clock.now()
    async with wired.sessions() as session:
        if part.number is None:
            return await year_ranking(
                session, year=part.year, rules=wired.ranking, now=now, zone=wired.zone
            )
        return await quarter_ranking(
            session,
            year=part.year,
            number=part.number,
            rules=wired.ranking,
            now=now,
            zone=wired.zone,
        )


def _choices(today: date) -> list[Part]:
    """This year's begun quarters, this year and last year."""
    this = quarter_of(today)
    current = (this.start.month + 2) // 3
    quarters = [Part(today.year, n) for n in range(1, current + 1)]
    return [*quarters, Part(today.year, None), Part(today.year - 1, None)]


async def district(request: web.Request) -> web.Response:
    """GET /district?p=2026-Q3 (or p=2026 for the year): the ranking by category."""
    require_admin(viewer(request))
    wired = deps(request)
    today = local_date(wired.clock.now(), wired.zone)
    part = _part(request.query.get("p", ""), today)
    lines = await _lines(request, part)
    categories: dict[str, list[Ranked]] = {}
    for line in lines:
        categories.setdefault(line.category.value, []).append(line)
    return page(
        request,
        "district.html",
        title=f"{part.label}各单位完成情况与排名",
        part=part,
        choices=_choices(today),
        categories=categories,
        formula=ranking_words.formula(wired.ranking),
        scored=any(line.score is not None for line in lines),
    )


async def chart(request: web.Request) -> web.Response:
    """GET /district/{part}.png: the ranking chart the bot sends (one panel per category)."""
    require_admin(viewer(request))
    wired = deps(request)
    part = _part(request.match_info["part"], local_date(wired.clock.now(), wired.zone))
    scored = [line for line in await _lines(request, part) if line.score is not None]
    if not scored:
        raise Refused(404, words.NOT_FOUND)
    panels = [
        (
            category.value,
            [ranking_words.chart_label(line) for line in scored if line.category is category],
            [round(line.score or 0.0, 1) for line in scored if line.category is category],
        )
        for category in dict.fromkeys(line.category for line in scored)
    ]
    title = ranking_words.ranking_chart_title(part.label)
    png = await asyncio.to_thread(
        charts.attempt, charts.ranking_chart, title=title, panels=panels, unit="分"
    )
    if png is None:
        raise Refused(500, words.NO_CHART)
    return web.Response(body=png, content_type="image/png")


async def workbook(request: web.Request) -> web.Response:
    """GET /district/{part}.xlsx: the same 排名-….xlsx the bot sends."""
    require_admin(viewer(request))
    wired = deps(request)
    part = _part(request.match_info["part"], local_date(wired.clock.now(), wired.zone))
    lines = await _lines(request, part)
    build = year_workbook if part.number is None else quarter_workbook
    book = await asyncio.to_thread(build, part.label, lines)
    return attachment(book, f"排名-{part.label}.xlsx", XLSX)
