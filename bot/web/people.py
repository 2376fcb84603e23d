"""A person's page: their 履责记实 (evidence thumbnails, correction chains) and what they still owe;
the evidence files themselves."""

from __future__ import annotations

from aiohttp import web

from bot.services.oversight.pending import own_pending
from bot.services.records.listing import evidence_of, record_view, records_page
from bot.texts import web as words
from bot.web.context import Refused, attachment, deps, number_in, page, path_id, viewer
from bot.web.scope import may_see_person, person_in_scope

PAGE_SIZE = 20
MAGIC = ((b"\x89PNG", "image/png"), (b"\xff\xd8", "image/jpeg"), (b"GIF8", "image/gif"))


async def person_page(request: web.Request) -> web.Response:
    """GET /people/{code}?page=N: the person's records, newest first, and their outstanding items."""
    wired = deps(request)
    text = request.query.get("page", "1")
    number = (number_in(text, 1, 99_999) or 1) - 1
    async with wired.sessions() as session:
        target = await person_in_scope(session, viewer(request), request.match_info["code"])
        records = await records_page(session, viewer=target, page=number, size=PAGE_SIZE)
        pending = await own_pending(session, viewer=target, now=wired.clock.now(), zone=wired.zone)
    return page(
        request,
        "person.html",
        title=f"{target.name}（{target.unit_name}）",
        target=target,
        records=records,
        pending=pending,
        zone=wired.zone,
        roles=words.role_names(target),
    )


async def evidence(request: web.Request) -> web.Response:
    """GET /files/{record_id}: a record's photo or file, to whoever may see the record."""
    wired = deps(request)
    record_id = path_id(request, "record_id", words.NO_FILE)
    me = viewer(request)
    async with wired.sessions() as session:
        found = await evidence_of(session, record_id=record_id)
        if found is None:
            raise Refused(404, words.NO_FILE)
        # one's own record, a record on one's items (records.listing decides), or in one's scope
        if not may_see_person(me, found.unit_id, found.author_id) and (
            await record_view(session, viewer=me, record_id=found.record_id) is None
        ):
            raise Refused(403, words.OTHER_PERSON)
    data = await wired.files.fetch(found.file_id) if wired.files is not None else None
    if data is None:
        raise Refused(404, words.NO_FILE)
    if found.file_kind == "photo":
        kind = next((name for magic, name in MAGIC if data.startswith(magic)), "image/jpeg")
        return web.Response(body=data, content_type=kind)
    return attachment(data, f"附件-{found.record_id}.bin", "application/octet-stream")
