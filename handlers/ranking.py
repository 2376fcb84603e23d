"""Admins' oversight views: /units (each unit this quarter), /ranking (3+1), /duplicates, 年终考核 import."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.calendar.periods import local_date, period_of_key
from bot.services.directory.identity import Viewer
from bot.services.exports.ranking_xlsx import quarter_workbook, year_workbook
from bot.services.importing.assessment import AssessmentRejected, import_assessments
from bot.services.oversight import charts
from bot.services.oversight.duplicates import DEFAULT_THRESHOLD, duplicate_pairs
from bot.services.oversight.ranking import Ranked, RankingRules, quarter_ranking, year_ranking
from bot.services.oversight.units import by_category, quarter, quarter_of, quarter_progress
from bot.services.records.matcher import Matcher
from bot.telegram.building import Builds
from bot.telegram.notifier import Notifier
from bot.texts import duplicates as duplicate_texts
from bot.texts import ranking as words
from handlers.filters import private_router
from storage.models import Frequency, Role

PARTS = ("Q1", "Q2", "Q3", "Y")
YEARS = range(2000, 2101)


class RankPick(CallbackData, prefix="rk"):
    """Which ranking to show: a year's Q1–Q3, or its year-end (part "Y")."""

    year: int
    part: str


def _picker(year: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for part in PARTS[:3]:
        builder.button(text=f"{year} {part}", callback_data=RankPick(year=year, part=part))
    builder.button(text=f"{year}年度", callback_data=RankPick(year=year, part="Y"))
    builder.button(text=f"{year - 1}年度", callback_data=RankPick(year=year - 1, part="Y"))
    builder.adjust(3, 2)
    return builder.as_markup()


async def units(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    builds: Builds,
) -> None:
    """/units [2026-Q3]: every unit's completion this (or that) quarter, by category, then a chart."""
    now = clock.now()
    today = local_date(now, zone)
    span = quarter_of(today)
    if command.args:
        named = period_of_key(command.args.strip())
        if named is None or named.frequency is not Frequency.QUARTERLY or named.start > today:
            await notifier.send(message.chat.id, words.units_usage(command.args.strip()))
            return
        span = named
    chat = message.chat.id

    async def build() -> None:
        progress = await builds.worker.run(
            lambda s: quarter_progress(s, span=span, now=now, zone=zone)
        )
        current = span.start <= today <= span.end
        await notifier.send(chat, await asyncio.to_thread(words.units, span, current, progress))
        if not progress:
            return
        panels = [
            (category.value, [charts.Share(u.name, u.done, u.total) for u in members])
            for category, members in by_category(progress)
        ]
        title = words.units_chart_title(span)
        png = await asyncio.to_thread(
            charts.attempt, charts.completion_chart, title=title, panels=panels
        )
        if png is None:
            return
        await notifier.send_document(
            chat, data=png, filename=f"完成率-{texts.period_label(span)}.png"
        )

    await builds.run(chat, f"units:{span.key}", build)


async def ranking_menu(message: Message, clock: Clock, zone: ZoneInfo, notifier: Notifier) -> None:
    """/ranking: the buttons for this year's Q1–Q3 and year-end, and last year's year-end."""
    year = local_date(clock.now(), zone).year
    await notifier.send(message.chat.id, words.PICK, reply_markup=_picker(year))


async def show_ranking(
    query: CallbackQuery,
    callback_data: RankPick,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    ranking: RankingRules,
    builds: Builds,
) -> None:
    """One ranking as text per category, a chart and an .xlsx (one build at a time per admin)."""
    year, part = callback_data.year, callback_data.part
    if part not in PARTS or year not in YEARS:
        await query.answer(words.STALE, show_alert=True)
        return
    now = clock.now()
    today = local_date(now, zone)
    if part == "Y":
        label = f"{year}年度"
        begun = year <= today.year
    else:
        label = words.quarter_label(year, int(part[1]))
        begun = quarter(year, int(part[1])).start <= today
    if not begun:
        await query.answer(words.NOT_BEGUN.format(label=label), show_alert=True)
        return
    chat = query.from_user.id
    view = f"ranking:{year}:{part}"
    if builds.busy(chat, view):
        await query.answer(texts.STILL_BUILDING, show_alert=True)
        return
    await query.answer()

    async def build() -> None:
        if part == "Y":
            lines = await builds.worker.run(
                lambda s: year_ranking(s, year=year, rules=ranking, now=now, zone=zone)
            )
            text = words.year_ranking(year, lines, ranking)
            book = await asyncio.to_thread(year_workbook, label, lines)
        else:
            number = int(part[1])
            lines = await builds.worker.run(
                lambda s: quarter_ranking(
                    s, year=year, number=number, rules=ranking, now=now, zone=zone
                )
            )
            text = words.quarter_ranking(year, number, lines, ranking)
            book = await asyncio.to_thread(quarter_workbook, label, lines)
        await notifier.send(chat, text)
        await _send_chart(notifier, chat, label, lines)
        name = f"排名-{label}.xlsx"  # 排名-2026年第三季度.xlsx, as the buttons name it
        caption = words.file_caption(label)
        await notifier.send_document(chat, data=book, filename=name, caption=caption)

    await builds.run(chat, view, build)


async def _send_chart(notifier: Notifier, chat: int, label: str, lines: list[Ranked]) -> None:
    scored = [line for line in lines if line.score is not None]
    if not scored:
        return
    panels = [
        (
            category.value,
            [words.chart_label(line) for line in scored if line.category is category],
            [round(line.score or 0.0, 1) for line in scored if line.category is category],
        )
        for category in dict.fromkeys(line.category for line in scored)
    ]
    title = words.ranking_chart_title(label)
    png = await asyncio.to_thread(
        charts.attempt, charts.ranking_chart, title=title, panels=panels, unit="分"
    )
    if png is None:
        return
    await notifier.send_document(chat, data=png, filename=f"排名-{label}.png")


async def duplicates(
    message: Message, session: AsyncSession, notifier: Notifier, matcher: Matcher, builds: Builds
) -> None:
    """/duplicates: individual items of different people of one unit that read nearly the same."""
    chat = message.chat.id

    async def build() -> None:
        pairs = await builds.worker.run(lambda s: duplicate_pairs(s, analyse=matcher.analyse))
        await notifier.send(chat, duplicate_texts.render(pairs, threshold=DEFAULT_THRESHOLD))

    await builds.run(chat, "duplicates", build, action="typing")


async def import_assessment(
    message: Message,
    data: bytes,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    notifier: Notifier,
    ranking: RankingRules,
) -> None:
    """A workbook with a "年终考核" sheet (sent to the admin router's document handler)."""
    try:
        done = await import_assessments(
            session,
            data=data,
            results=[word for word, _ in ranking.scores],
            now=clock.now(),
            actor_person_id=person.person_id,
        )
    except AssessmentRejected as refused:
        await notifier.send(message.chat.id, words.assessment_rejected(refused.problems))
        return
    await notifier.send(message.chat.id, words.assessment_imported(done))


def build_router() -> Router:
    """The oversight views, guarded once for 管理员."""
    router = private_router("ranking", Role.ADMIN)
    router.message.register(units, Command("units"))
    router.message.register(ranking_menu, Command("ranking"))
    router.message.register(duplicates, Command("duplicates"))
    router.callback_query.register(show_ranking, RankPick.filter())
    return router
