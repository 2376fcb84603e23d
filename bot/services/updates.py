"""Each Telegram update is handled once: its claim commits with the handler's effect; old claims pruned."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import ColumnElement, delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.identity import Viewer, viewer_from, viewer_query
from storage.models import FailedBind, ProcessedUpdate

KEEP_CLAIMS = timedelta(days=7)


class Handled(Enum):
    """What the claims say of an update: new, handled to its end, or cut short after its effect
    committed (its reply may never have gone out)."""

    NEW = "new"
    FINISHED = "finished"
    CUT_SHORT = "cut short"


def _handled(finished: bool | None) -> Handled:
    if finished is None:
        return Handled.NEW
    return Handled.FINISHED if finished else Handled.CUT_SHORT


async def was_handled(session: AsyncSession, *, update_id: int) -> bool:
    """True when a committed claim says this update was handled before (a second delivery)."""
    return await handled_state(session, update_id=update_id) is not Handled.NEW


async def handled_state(session: AsyncSession, *, update_id: int) -> Handled:
    """What the committed claims say of this update."""
    found = await session.exec(select(ProcessedUpdate.finished).where(_this(update_id)))
    return _handled(found.first())


def _this(update_id: int) -> ColumnElement[bool]:
    return col(ProcessedUpdate.update_id) == update_id


async def first_look(
    session: AsyncSession, *, update_id: int, telegram_id: int | None
) -> tuple[Handled, Viewer | None]:
    """Whether the update was handled before (`handled_state`) and who sent it (`viewer_for`),
    in one query for a bound sender: every update asks both, so one round trip instead of
    three. A stranger (no row) costs a second query for the claim."""
    if telegram_id is not None:
        claimed = (
            select(ProcessedUpdate.finished)
            .where(_this(update_id))
            .scalar_subquery()
            .label("handled")
        )
        rows = (await session.exec(viewer_query(telegram_id, claimed))).all()
        if rows:
            return _handled(rows[0][3]), viewer_from(rows)
    return await handled_state(session, update_id=update_id), None


def stage_claim(session: AsyncSession, *, update_id: int, now: datetime) -> ProcessedUpdate:
    """Add the update's claim to the session (no flush, no commit), not yet finished.

    It commits in the same transaction as whatever the handler writes, so a handler that fails
    leaves no claim and a redelivery is handled; one that succeeded drops every redelivery.
    Two workers handling one update at once: the second commit fails on the primary key. The
    session middleware marks it finished when the handling ends (`finish_claim`)."""
    claim = ProcessedUpdate(update_id=update_id, received_at=now, finished=False)
    session.add(claim)
    return claim


def finish_claim(claim: ProcessedUpdate) -> None:
    """The handling ended: committed with the claim (an INSERT), or as an UPDATE when the
    claim was committed before the reply went out."""
    claim.finished = True


async def take_cut_short(session: AsyncSession, *, update_id: int) -> bool:
    """Mark a cut-short update finished; True for the one caller that did (commits): only it
    tells the sender, however many redeliveries arrive at once."""
    done = await session.exec(
        update(ProcessedUpdate)
        .where(_this(update_id), col(ProcessedUpdate.finished).is_(False))
        .values(finished=True)
    )
    await session.commit()
    return bool(done.rowcount)


async def prune_claims(session: AsyncSession, *, now: datetime) -> int:
    """Forget update claims older than a week and failed bind attempts older than a day."""
    claims = await session.exec(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.received_at) < now - KEEP_CLAIMS)
    )
    await session.exec(delete(FailedBind).where(col(FailedBind.at) < now - timedelta(days=1)))
    await session.commit()
    return int(claims.rowcount or 0)
