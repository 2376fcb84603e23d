"""Telegram in: one router per role plus common, fallback and errors (built per Dispatcher).

Handlers receive their dependencies by parameter name. The whole vocabulary:

| name      | type                          | set by                      |
| --------- | ----------------------------- | --------------------------- |
| bot       | aiogram.Bot                   | aiogram                     |
| session   | AsyncSession (one per update) | DbSessionMiddleware         |
| person    | Viewer or None (unbound)      | IdentityMiddleware          |
| clock     | bot.clock.Clock               | Dispatcher workflow data    |
| notifier  | bot.telegram.notifier.Notifier           | Dispatcher workflow data    |
| zone      | zoneinfo.ZoneInfo             | Dispatcher workflow data    |
| matcher   | bot.services.records.matcher.Matcher  | Dispatcher workflow data    |
| rules     | bot.services.reminders.ladder.LadderRules | Dispatcher workflow data (the reminder ladder) |
| ranking   | bot.services.oversight.ranking.RankingRules | Dispatcher workflow data |
| sessions  | async_sessionmaker            | Dispatcher workflow data (middleware only) |
| builds    | bot.telegram.building.Builds  | Dispatcher workflow data (heavy views: one at a time per chat) |
| web_url   | str (WEB_URL)                 | Dispatcher workflow data (/web's links) |
"""

from __future__ import annotations

from aiogram import Dispatcher

from handlers import (
    acknowledge,
    admin,
    asking,
    assign,
    common,
    errors,
    exports,
    fallback,
    flows,
    groups,
    incoming,
    interviews,
    items_admin,
    leave,
    notice_buttons,
    notice_list,
    notices,
    nudge,
    official,
    pending,
    progress,
    proposals,
    ranking,
    recording,
    records,
    report,
    secretary,
    selfcheck,
    unit_picker,
    web,
)
from handlers.filters import on_the_loop
from handlers.middlewares import DbSessionMiddleware, IdentityMiddleware


def setup(dispatcher: Dispatcher) -> None:
    """Install the middlewares and routers, in the order they must see updates."""
    dispatcher.update.outer_middleware(DbSessionMiddleware())
    dispatcher.update.outer_middleware(IdentityMiddleware())
    dispatcher.include_routers(
        errors.build_router(),
        common.build_router(),
        web.build_router(),  # /web for every bound person
        acknowledge.build_router(),
        notices.build_router(),  # before admin: a document replying to a draft prompt is a notice's
        notice_buttons.build_router(),  # the draft's buttons, where notices' router had them
        admin.build_router(),
        assign.build_router(),  # before records/recording: replies to its 交办 prompt
        notice_list.build_router(),
        interviews.build_router(),
        ranking.build_router(),
        items_admin.build_router(),
        leave.build_router(),
        secretary.build_router(),
        asking.build_router(),  # questions about what is outstanding, before recording
        pending.build_router(),
        unit_picker.build_router(),  # admins' unit picker for /pending and /nudge
        nudge.build_router(),
        exports.build_router(),  # /progress /export /publicize: 联络员 and admins
        progress.build_router(),  # officials' own /progress; /export, /publicize refused
        official.build_router(),
        flows.build_router(),
        selfcheck.build_router(),
        report.build_router(),
        groups.build_router(),
        incoming.build_router(),  # edits; forwarded messages are never recorded
        records.build_router(),  # before recording: replies to a 更正/逾期说明 prompt
        proposals.build_router(),
        recording.build_router(),  # replies to the bot, plain sentences, photos and files
        fallback.build_router(),
    )
    on_the_loop(dispatcher)
