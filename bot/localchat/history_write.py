"""Writing the demo history: self-checks, reports and records in time order, reminder steps, the notice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.localchat import history_texts as words
from bot.localchat.history_plan import Due, Planned, Planner
from bot.services.calendar.workdays import WorkCalendar
from bot.services.records.writing import add_record
from bot.services.reminders.ladder import PROMPT, LadderRules, prompt_day, step_day
from storage.models import (
    AuditEntry,
    DraftState,
    Notice,
    NoticeReceipt,
    Outbox,
    OutboxState,
    Person,
    PersonRole,
    Record,
    ReminderStep,
    Report,
    Role,
    SelfCheck,
    SelfCheckAnswer,
)

MARKER = "demo:"  # origin prefix of the history's own records: present → the history is loaded
NOTICE_AUDIENCE = f"role:{Role.FIRST.value},{Role.DISCIPLINE.value}"


async def write(session: AsyncSession, rows: list[Planned]) -> None:
    """The planned rows, in time order: self-checks (with answers) and reports first, then the
    records: plain ones in batches (no demo row exists yet, so add_record's once-check is moot;
    the same audit entries are written), corrections and undos through records.add_record."""
    sheets: dict[int, SelfCheck | Report] = {}
    for row in rows:
        if row.kind == "selfcheck":
            sheets[id(row)] = SelfCheck(
                person_id=row.author,
                period_key=row.due.key,
                state=DraftState.SUBMITTED,
                position=len(row.answers),
                created_at=row.at - timedelta(minutes=20),
                updated_at=row.at,
                submitted_at=row.at,
            )
        elif row.kind == "report":
            sheets[id(row)] = Report(
                person_id=row.author,
                period_key=row.due.key,
                state=DraftState.SUBMITTED,
                closing=words.CLOSING,
                body=row.body,
                created_at=row.at - timedelta(hours=1),
                submitted_at=row.at,
            )
    session.add_all(sheets.values())
    await session.flush()
    chats = dict((await session.exec(select(Person.id, Person.telegram_id))).all())
    plain: list[Record] = []
    for n, row in enumerate(rows, 1):
        origin = f"{MARKER}{n}"
        if row.kind == "selfcheck":
            sheet_id = _id(sheets[id(row)].id)
            session.add_all(
                SelfCheckAnswer(
                    selfcheck_id=sheet_id,
                    due_item_id=due,
                    status=status,
                    note=note,
                    answered_at=row.at - timedelta(minutes=10),
                )
                for due, status, note in row.answers
            )
            origin, row.text = f"selfcheck:{sheet_id}", "提交季度自查（第1版）"
        elif row.kind == "report":
            origin, row.text = f"report:{sheets[id(row)].id}", "提交半年报告（第1版）"
        if row.kind not in ("fix", "undo"):
            plain.append(_plain(row, origin=origin, chat=chats.get(row.author)))
            continue
        await _audited(session, plain)
        assert row.target is not None and row.target.record is not None
        target = _id(row.target.record.id)
        fix = row.kind == "fix"
        added = await add_record(
            session,
            origin=f"{row.kind}:{target}",
            due_item_id=row.due.id,
            author_id=row.author,
            unit_id=row.due.unit_id,
            text=row.text,
            happened_on=row.happened,
            now=row.at,
            late_reason=row.late_reason,
            file_id=row.photo,
            file_kind="photo" if row.photo else None,
            source_chat_id=chats.get(row.author),
            corrects_id=target if fix else None,
            voids_id=None if fix else target,
        )
        row.record = added.record
    await _audited(session, plain)


def _plain(row: Planned, *, origin: str, chat: int | None) -> Record:
    record = Record(
        origin=origin,
        due_item_id=row.due.id,
        author_id=row.author,
        unit_id=row.due.unit_id,
        text=row.text,
        happened_on=row.happened,
        recorded_at=row.at,
        late_reason=row.late_reason,
        file_id=row.photo,
        file_kind="photo" if row.photo else None,
        source_chat_id=chat,
    )
    row.record = record
    return record


async def _audited(session: AsyncSession, plain: list[Record]) -> None:
    """Write the plain records gathered so far with the audit entry add_record would make."""
    if not plain:
        return
    session.add_all(plain)
    await session.flush()
    session.add_all(
        AuditEntry(
            at=r.recorded_at,
            actor_person_id=r.author_id,
            action="record.add",
            detail=f"record={r.id} due_item={r.due_item_id} origin={r.origin}",
        )
        for r in plain
    )
    plain.clear()


async def remember_steps(
    session: AsyncSession, *, dues: list[Due], today: date, calendar: WorkCalendar, zone: ZoneInfo
) -> None:
    """The reminder steps the bot 'sent' before today for what is still open, so the first
    reminder run of the demo sends today's steps, not a year of folded ones."""
    rules, rows = LadderRules(), []
    taken = set((await session.exec(select(ReminderStep.due_item_id, ReminderStep.step))).all())
    for due in dues:
        days = [(step.name, step_day(step, due.due, calendar)) for step in rules.steps]
        if due.system is not None:
            days.append(
                (
                    PROMPT,
                    prompt_day(
                        rules,
                        system=due.system,
                        period_start=due.start,
                        period_end=due.end,
                        calendar=calendar,
                    ),
                )
            )
        for name, day in days:
            if day < today and (due.id, name) not in taken:
                at = datetime.combine(day, rules.send_at, zone).astimezone(UTC)
                rows.append(
                    {
                        "due_item_id": due.id,
                        "step": name,
                        "sent_on": day,
                        "outbox_key": f"{MARKER}reminder:{due.id}:{name}",
                        "created_at": at,
                    }
                )
    if rows:
        await session.exec(insert(ReminderStep), params=rows)


async def notice(
    session: AsyncSession, *, today: date, now: datetime, zone: ZoneInfo, calendar: WorkCalendar
) -> tuple[int, int]:
    """One notice from the first 管理员 to every 第一责任人 and 纪检负责人 about eight working days
    ago, delivered (outbox rows sent); about half pressed 已阅. Returns (receipts, acknowledged)."""
    admins = await _people_with(session, Role.ADMIN)
    if not admins:
        return 0, 0
    planner = Planner(today=today, now=now, zone=zone, calendar=calendar, seed=today.year + 1)
    sent = planner.instant(calendar.add_working_days(today, -8))
    item = Notice(
        author_id=admins[0][0],
        text=words.NOTICE,
        audience=NOTICE_AUDIENCE,
        created_at=sent - timedelta(minutes=15),
        kind="notice",
        state=DraftState.SUBMITTED,
        sent_at=sent,
    )
    session.add(item)
    await session.flush()
    people = sorted(
        {*await _people_with(session, Role.FIRST), *await _people_with(session, Role.DISCIPLINE)}
    )
    bound = [(person, chat) for person, chat in people if chat is not None]
    copies = [
        Outbox(
            dedupe_key=f"notice:{item.id}:{person_id}",
            kind="notice",
            priority=2,
            state=OutboxState.SENT,
            chat_id=chat,
            person_id=person_id,
            text=f"【通知】\n{words.NOTICE}",
            not_before=sent,
            created_at=sent,
            claimed_at=sent,
            sent_at=sent + timedelta(seconds=n),
            attempts=1,
        )
        for n, (person_id, chat) in enumerate(bound)
    ]
    session.add_all(copies)
    await session.flush()
    acknowledged = 0
    for (person_id, _chat), copy in zip(bound, copies, strict=True):
        read = planner.rng.random() < 0.5
        at = min(sent + timedelta(hours=planner.rng.randint(1, 72)), now) if read else None
        acknowledged += read
        session.add(
            NoticeReceipt(
                notice_id=_id(item.id), person_id=person_id, outbox_id=copy.id, acknowledged_at=at
            )
        )
    await session.flush()
    return len(bound), acknowledged


async def _people_with(session: AsyncSession, role: Role) -> list[tuple[int, int | None]]:
    rows = await session.exec(
        select(Person.id, Person.telegram_id)
        .join(PersonRole, col(PersonRole.person_id) == col(Person.id))
        .where(col(PersonRole.role) == role, col(Person.active).is_(True))
        .order_by(col(Person.code))
    )
    return [(_id(person_id), telegram_id) for person_id, telegram_id in rows.all()]


def _id(value: int | None) -> int:
    assert value is not None
    return value
