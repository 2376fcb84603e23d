"""The outstanding list with days overdue (scoped like /pending) and the notices with 已阅 counts."""

from __future__ import annotations

from aiohttp import web

from bot.services.ledger.outstanding import OutstandingItem, outstanding
from bot.services.notices.broadcast import NoticeRefused
from bot.services.notices.stats import detail, recent
from bot.services.oversight.pending import Pending, UnitRef, own_pending, unit_pending, unit_ref
from bot.texts import web as words
from bot.web.context import Refused, deps, number_in, page, path_id, viewer
from bot.web.scope import is_secretary, require_admin

DISTRICT_LIMIT = 500  # the admins' list: the longest-overdue rows first, then a note


async def pending(request: web.Request) -> web.Response:
    """GET /pending: an admin's whole district (overdue first), a 联络员's unit, an official's own."""
    wired = deps(request)
    me = viewer(request)
    now = wired.clock.now()
    mine: Pending | None = None
    district: list[OutstandingItem] = []
    units: dict[int, UnitRef] = {}
    async with wired.sessions() as session:
        if me.is_admin:
            district = await outstanding(session, now=now, zone=wired.zone)
            district.sort(key=lambda o: (-o.days_overdue, o.unit_id, o.item_code))

            for unit_id in {o.unit_id for o in district[:DISTRICT_LIMIT]}:
                ref = await unit_ref(session, unit_id=unit_id)
                if ref is not None:
                    units[unit_id] = ref
        elif is_secretary(me):
            ref = await unit_ref(session, unit_id=me.unit_id)
            assert ref is not None
            mine = await unit_pending(session, unit=ref, now=now, zone=wired.zone)
        else:
            mine = await own_pending(session, viewer=me, now=now, zone=wired.zone)
    if mine is not None:
        return page(request, "pending.html", title="未完成事项", pending=mine)
    return page(
        request,
        "pending.html",
        title="全区未完成事项",
        district=district[:DISTRICT_LIMIT],
        more=max(0, len(district) - DISTRICT_LIMIT),
        total=len(district),
        overdue=sum(1 for o in district if o.overdue),
        units=units,
    )


async def notices(request: web.Request) -> web.Response:
    """GET /notices?page=N: sent notices, newest first, with sent / 已阅 counts (admins)."""
    require_admin(viewer(request))
    text = request.query.get("page", "1")
    number = (number_in(text, 1, 9_999) or 1) - 1
    async with deps(request).sessions() as session:
        stats, older = await recent(session, page=number)
    return page(
        request,
        "notices.html",
        title="通知与已阅",
        stats=stats,
        older=older,
        page=number + 1,
        zone=deps(request).zone,
    )


async def notice(request: web.Request) -> web.Response:
    """GET /notices/{id}: one notice's counts and who has not read it, by unit (admins)."""
    require_admin(viewer(request))
    notice_id = path_id(request, "notice_id")
    try:
        async with deps(request).sessions() as session:
            found = await detail(session, notice_id=notice_id)
    except NoticeRefused:
        raise Refused(404, words.NOT_FOUND) from None
    return page(request, "notice.html", title=f"通知 #{notice_id}", detail=found)
