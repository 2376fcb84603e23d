"""Who may see what, checked on the server for every page: admin everything, 联络员 their unit,
an official their own items and records."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.identity import Viewer
from bot.services.directory.web_access import person_by_code
from bot.services.ledger.span import unit_by_code
from bot.services.oversight.pending import may_see_unit
from bot.texts import web as words
from bot.web.context import Refused
from storage.models import Role, Unit


def is_secretary(viewer: Viewer) -> bool:
    return Role.SECRETARY in viewer.roles


def require_admin(viewer: Viewer) -> None:
    """District-wide pages (ranking, notices): admins only."""
    if not viewer.is_admin:
        raise Refused(403, words.ADMIN_ONLY)


async def unit_in_scope(session: AsyncSession, viewer: Viewer, code: str) -> Unit:
    """The unit named in the URL if the viewer may see it: 404 unknown, 403 another unit's."""
    unit = await unit_by_code(session, code=code)
    if unit is None or unit.id is None:
        raise Refused(404, words.NOT_FOUND)
    if not may_see_unit(viewer, unit.id):
        if is_secretary(viewer):
            raise Refused(403, words.other_unit(viewer.unit_name))
        raise Refused(403, words.OTHER_PERSON)
    return unit


def may_see_person(viewer: Viewer, unit_id: int, person_id: int) -> bool:
    """Admins anyone; a 联络员 their unit's people; everyone themselves."""
    return person_id == viewer.person_id or may_see_unit(viewer, unit_id)


async def person_in_scope(session: AsyncSession, viewer: Viewer, code: str) -> Viewer:
    """The person named in the URL if the viewer may see their records: 404 / 403 otherwise."""
    target = await person_by_code(session, code=code)
    if target is None:
        raise Refused(404, words.NOT_FOUND)
    if not may_see_person(viewer, target.unit_id, target.person_id):
        if is_secretary(viewer):
            raise Refused(403, words.other_unit(viewer.unit_name))
        raise Refused(403, words.OTHER_PERSON)
    return target


def home_path(viewer: Viewer, base: str) -> str:
    """Where the home page sends someone: the district, their unit, or their own page."""
    if viewer.is_admin:
        return f"{base}/district"
    if is_secretary(viewer):
        return f"{base}/units/{viewer.unit_code}"
    return f"{base}/people/{viewer.code}"
