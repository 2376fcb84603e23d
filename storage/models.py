"""Every table of the bot (SQLModel): directory, lists, due items, records, delivery, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An instant: aware in Python, UTC in the database (timestamptz on PostgreSQL)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware instant")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(enum: type[StrEnum]) -> Any:
    """Store an enum as its member name in a VARCHAR (no database enum type to migrate)."""
    return sa.Enum(enum, native_enum=False, length=32, create_constraint=False)


def _ref(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return Field(
        default=None if nullable else ..., foreign_key=target, nullable=nullable, index=index
    )


class Role(StrEnum):
    """责任角色: the value is the word the import file uses."""

    FIRST = "第一责任人"
    MEMBER = "班子成员"
    DISCIPLINE = "纪检负责人"
    SECRETARY = "联络员"
    ADMIN = "管理员"


OFFICIAL_ROLES = frozenset({Role.FIRST, Role.MEMBER, Role.DISCIPLINE})


class Category(StrEnum):
    """类别 of a unit; assessment and rankings are within a category."""

    TOWN = "镇街类"
    GOVERNMENT = "政府行政部门类"
    COORDINATION = "统筹协调部门类"
    PARTY_SERVICE = "党群服务部门类"


class ListKind(StrEnum):
    """清单: common (issued from above) or individual."""

    COMMON = "共性"
    INDIVIDUAL = "个性"


class DutyType(StrEnum):
    """责任类型: the party committee's main responsibility or the supervision one."""

    MAIN = "主体责任"
    SUPERVISION = "监督责任"


class Frequency(StrEnum):
    """频次 of an item: how often a new due item starts."""

    ONCE = "一次性"
    MONTHLY = "每月"
    QUARTERLY = "每季度"
    HALF_YEARLY = "每半年"
    YEARLY = "每年"


class ScopeKind(StrEnum):
    """适用范围 kinds: every holder of a role, each unit's leading group, or one person;
    OFFICIALS (never imported) is every official, for the built-in 季度自查 and 半年报告."""

    ROLE = "role"
    UNIT_TEAM = "unit_team"
    PERSON = "person"
    OFFICIALS = "officials"


class Unit(SQLModel, table=True):
    """单位: a town/street, department or mass organisation."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=100)
    category: Category | None = Field(default=None, sa_type=_enum(Category), nullable=True)
    parent_id: int | None = _ref("unit.id", nullable=True)
    group_chat_id: int | None = Field(default=None, sa_type=sa.BigInteger, nullable=True)
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Person(SQLModel, table=True):
    """人员: an official, secretary or admin; bound to one Telegram account."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=50)
    unit_id: int = _ref("unit.id")
    position: str = Field(default="", max_length=200)
    telegram_id: int | None = Field(default=None, sa_type=sa.BigInteger, nullable=True, unique=True)
    bound_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    # Telegram answered 403 (blocked the bot, account deleted); cleared when they write again
    unreachable_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class PersonRole(SQLModel, table=True):
    """One 责任角色 of one person (a person may hold several)."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    role: Role = Field(sa_type=_enum(Role), primary_key=True)


class Item(SQLModel, table=True):
    """责任清单 item: every column of the import format."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    list_kind: ListKind = Field(sa_type=_enum(ListKind))
    duty_type: DutyType = Field(sa_type=_enum(DutyType))
    scope_kind: ScopeKind = Field(sa_type=_enum(ScopeKind))
    scope_role: Role | None = Field(default=None, sa_type=_enum(Role), nullable=True)
    scope_person_id: int | None = _ref("person.id", nullable=True)
    content: str = Field(sa_type=sa.Text)
    measures: str = Field(default="", sa_type=sa.Text)
    timeline: str = Field(default="", max_length=200)
    frequency: Frequency = Field(sa_type=_enum(Frequency))
    deadline: str | None = Field(default=None, max_length=10, nullable=True)
    lead: str = Field(default="", max_length=100)
    owner_unit_id: int | None = _ref("unit.id", nullable=True)
    co_unit_codes: str = Field(default="", max_length=500)
    # None for imported items; "selfcheck" (季度自查) or "report" (半年报告) for the built-in ones
    system: str | None = Field(default=None, max_length=16, nullable=True)
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Holding(SQLModel, table=True):
    """Who holds an item: one person, or (person_id empty) a unit's leading group as a whole."""

    __table_args__ = (
        sa.Index(
            "uq_holding_person",
            "item_id",
            "person_id",
            unique=True,
            sqlite_where=sa.text("person_id IS NOT NULL"),
            postgresql_where=sa.text("person_id IS NOT NULL"),
        ),
        sa.Index(
            "uq_holding_unit_team",
            "item_id",
            "unit_id",
            unique=True,
            sqlite_where=sa.text("person_id IS NULL"),
            postgresql_where=sa.text("person_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id")
    unit_id: int = _ref("unit.id")
    person_id: int | None = _ref("person.id", nullable=True)
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)


class DueItem(SQLModel, table=True):
    """One item for one holder in one period; open until recorded, or closed by an admin."""

    __table_args__ = (sa.UniqueConstraint("holding_id", "period_key"),)

    id: int | None = Field(default=None, primary_key=True)
    holding_id: int = Field(foreign_key="holding.id")
    period_key: str = Field(max_length=16)
    period_start: date
    period_end: date
    due_date: date = Field(index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    # the closing admin's person id; no foreign key, so SQLite can drop the column on downgrade
    closed_by: int | None = Field(default=None, nullable=True)
    closed_reason: str | None = Field(default=None, sa_type=sa.Text, nullable=True)


class Record(SQLModel, table=True):
    """履责记实: append-only; a correction is a new row whose corrects_id points at the old."""

    # almost every row has neither: partial indexes hold only the rows that point somewhere, so
    # "is this record corrected / undone?" is a lookup, never a walk over every NULL
    __table_args__ = (
        sa.Index(
            "ix_record_corrects_id",
            "corrects_id",
            sqlite_where=sa.text("corrects_id IS NOT NULL"),
            postgresql_where=sa.text("corrects_id IS NOT NULL"),
        ),
        sa.Index(
            "ix_record_voids_id",
            "voids_id",
            sqlite_where=sa.text("voids_id IS NOT NULL"),
            postgresql_where=sa.text("voids_id IS NOT NULL"),
        ),
        # an edited message finds the records made from it
        sa.Index("ix_record_source", "source_chat_id", "source_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    due_item_id: int | None = _ref("dueitem.id", nullable=True)
    author_id: int = _ref("person.id")
    unit_id: int = _ref("unit.id")
    text: str = Field(sa_type=sa.Text)
    happened_on: date
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    corrects_id: int | None = Field(default=None, foreign_key="record.id", nullable=True)
    late_reason: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    source_chat_id: int | None = Field(default=None, sa_type=sa.BigInteger, nullable=True)
    source_message_id: int | None = Field(default=None, sa_type=sa.BigInteger, nullable=True)
    # an undo (撤销) is a row that voids an earlier one; no foreign key (SQLite drops it on downgrade)
    voids_id: int | None = Field(default=None, nullable=True)
    file_id: str | None = Field(default=None, max_length=200, nullable=True)  # Telegram evidence
    file_kind: str | None = Field(default=None, max_length=16, nullable=True)  # photo / document
    # what made the row ("proposal:12", "undo:7", "selfcheck:3" …): unique, so it happens once
    origin: str | None = Field(default=None, max_length=200, nullable=True, unique=True, index=True)


class ProposalState(StrEnum):
    """open → confirmed or cancelled (a stale button finds it decided)."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Proposal(SQLModel, table=True):
    """A sentence (or photo) waiting for its author's 确认 / 改选 / 取消: button state in the database."""

    # an edited message finds the proposals made from it
    __table_args__ = (sa.Index("ix_proposal_chat_message", "chat_id", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _ref("person.id")
    chat_id: int = Field(sa_type=sa.BigInteger)
    message_id: int | None = Field(default=None, sa_type=sa.BigInteger, nullable=True)
    text: str = Field(sa_type=sa.Text)
    happened_on: date
    # due item ids offered, best first, comma-separated; chosen_id is the one proposed
    candidates: str = Field(default="", max_length=500)
    chosen_id: int | None = Field(default=None, nullable=True)
    batch: int = 0  # the parts of one two-in-one message share their first part's id (0: alone)
    file_id: str | None = Field(default=None, max_length=200, nullable=True)
    file_kind: str | None = Field(default=None, max_length=16, nullable=True)
    corrects_id: int | None = Field(default=None, nullable=True)  # a correction of this record
    state: ProposalState = Field(default=ProposalState.OPEN, sa_type=_enum(ProposalState))
    record_id: int | None = Field(default=None, nullable=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class ReplyKind(StrEnum):
    """What a reply to one of the bot's messages means (a message absent from the table takes none)."""

    REMINDER = "reminder"  # a reminder naming due items: a completion of one of them
    NUDGE = "nudge"  # a 催办 naming due items: the same
    ITEM_CARD = "item_card"  # one due item's card: a completion of it
    LATE_NOTE = "late_note"  # a late record's confirmation: its 逾期说明 (ref: the record)
    CORRECTION = "correction"  # 更正文字 prompt: the record's new text (ref: the record)
    RECORD_DATE = "record_date"  # 更正日期 prompt: the record's new date (ref: the record)
    PROPOSAL_DATE = "proposal_date"  # 改日期 prompt: the proposal's date (ref: the proposal)
    NOTICE = "notice"  # a notice's copy: 收到 / 已阅 marks it read (ref: the receipt)
    SELFCHECK_NOTE = "selfcheck_note"  # 写说明 prompt: the step's note (ref: the self-check)
    REPORT_CLOSING = "report_closing"  # 写结束语 prompt: the closing (ref: the report)
    ASSIGN_TASK = "assign_task"  # 交办 prompt: the task typed (ref: the assign draft)


class ReplyMeaning(SQLModel, table=True):
    """One bot message that invites a reply, and what a reply to it means: stored when it is
    sent (chat_id, message_id) or queued (outbox_id; its telegram_message_id comes on send);
    never read back from the message's text."""

    __tablename__ = "reply_meaning"
    __table_args__ = (
        sa.UniqueConstraint("chat_id", "message_id"),
        sa.UniqueConstraint("outbox_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=sa.BigInteger)
    message_id: int | None = Field(default=None, sa_type=sa.BigInteger, nullable=True)
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id", nullable=True)
    kind: ReplyKind = Field(sa_type=_enum(ReplyKind))
    person_id: int = _ref("person.id", index=False)  # whose reply it invites
    due_item_ids: str = Field(default="", sa_type=sa.Text)  # comma-separated, in order named
    ref_id: int | None = Field(default=None, nullable=True)  # record / proposal / receipt id
    created_at: datetime = Field(sa_type=UTCDateTime)


class DraftState(StrEnum):
    """A self-check or report: being filled in, handed in, or given up."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CANCELLED = "cancelled"


class AssignDraft(SQLModel, table=True):
    """A 交办 prompt: unit and holder chosen, the task not typed yet. The first good reply moves
    it from draft to submitted (a conditional UPDATE) and makes the item; later replies do not."""

    __tablename__ = "assign_draft"

    id: int | None = Field(default=None, primary_key=True)
    actor_person_id: int = _ref("person.id", index=False)  # the admin who chose
    unit_id: int = _ref("unit.id", index=False)
    person_id: int = _ref("person.id", index=False)  # the holder
    created_at: datetime = Field(sa_type=UTCDateTime)
    state: DraftState = Field(default=DraftState.DRAFT, sa_type=_enum(DraftState))
    item_code: str | None = Field(default=None, max_length=32, nullable=True)  # once made


class LeavePick(SQLModel, table=True):
    """A /leave that named someone two people share: its buttons register one leave at most (the
    first press sets used_at by a conditional UPDATE; later presses find it used)."""

    __tablename__ = "leave_pick"

    id: int | None = Field(default=None, primary_key=True)
    actor_person_id: int = _ref("person.id", index=False)  # who typed the /leave
    created_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class SelfCheck(SQLModel, table=True):
    """季度自查 of one person for one quarter; a second one is a new version, the latest counts."""

    __table_args__ = (sa.UniqueConstraint("person_id", "period_key", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _ref("person.id")
    period_key: str = Field(max_length=16)
    version: int = 1
    state: DraftState = Field(default=DraftState.DRAFT, sa_type=_enum(DraftState))
    position: int = 0  # the next item to ask about
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class SelfCheckAnswer(SQLModel, table=True):
    """One item's answer in a self-check: 已完成 / 推进中 / 未开展 and a short note."""

    __table_args__ = (sa.UniqueConstraint("selfcheck_id", "due_item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    selfcheck_id: int = _ref("selfcheck.id")
    due_item_id: int = Field(foreign_key="dueitem.id")
    status: str = Field(max_length=16)  # done / progress / none
    note: str = Field(default="", sa_type=sa.Text)
    answered_at: datetime = Field(sa_type=UTCDateTime)


class Report(SQLModel, table=True):
    """半年报告 of one person for one half-year: the compiled body and the closing paragraph."""

    __table_args__ = (sa.UniqueConstraint("person_id", "period_key", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _ref("person.id")
    period_key: str = Field(max_length=16)
    version: int = 1
    state: DraftState = Field(default=DraftState.DRAFT, sa_type=_enum(DraftState))
    closing: str = Field(default="", sa_type=sa.Text)
    body: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class Invite(SQLModel, table=True):
    """A one-time bind code; only its SHA-256 is kept."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _ref("person.id")
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    used_by_telegram_id: int | None = Field(default=None, sa_type=sa.BigInteger, nullable=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class FailedBind(SQLModel, table=True):
    """A wrong, expired or used code sent by a Telegram account (for the hourly limit)."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=sa.BigInteger, index=True)
    at: datetime = Field(sa_type=UTCDateTime)


class OutboxState(StrEnum):
    """pending → sending → sent, or failed (with the reason kept), or dropped as moot."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"  # not sent: moot by delivery (every item it named was recorded)


class Outbox(SQLModel, table=True):
    """A message waiting for the one paced sender; dedupe_key makes each send happen once."""

    __table_args__ = (
        sa.Index("ix_outbox_state_not_before", "state", "not_before"),
        # a reply names the message it answers: its meaning is found through this
        sa.Index("ix_outbox_chat_message", "chat_id", "telegram_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    kind: str = Field(default="system", max_length=32)
    priority: int = 5  # 0 first
    state: OutboxState = Field(default=OutboxState.PENDING, sa_type=_enum(OutboxState))
    chat_id: int = Field(sa_type=sa.BigInteger)
    person_id: int | None = _ref("person.id", nullable=True)
    text: str = Field(sa_type=sa.Text)
    reply_markup: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    not_before: datetime = Field(sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    telegram_message_id: int | None = Field(default=None, sa_type=sa.BigInteger, nullable=True)
    # a document or photo sent with `text` as its caption (notices with an attachment)
    file_id: str | None = Field(default=None, max_length=200, nullable=True)
    file_kind: str | None = Field(default=None, max_length=16, nullable=True)


class ReminderStep(SQLModel, table=True):
    """One ladder step sent for one due item: the reminders' exactly-once memory."""

    __table_args__ = (sa.UniqueConstraint("due_item_id", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    due_item_id: int = _ref("dueitem.id")
    step: str = Field(max_length=8)
    sent_on: date
    outbox_key: str = Field(max_length=200, index=True)  # the message that carried (or told of) it
    created_at: datetime = Field(sa_type=UTCDateTime)


class CalendarOverride(SQLModel, table=True):
    """An admin's working-day override: a local closure, or a year's newly published schedule."""

    day: date = Field(primary_key=True)
    working: bool
    note: str = Field(default="", max_length=200)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    actor_person_id: int | None = Field(default=None, nullable=True)


class CalendarYear(SQLModel, table=True):
    """A year whose whole published schedule admins imported (`calendar import FILE --year`)."""

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    source: str = Field(default="", max_length=200)
    imported_at: datetime = Field(sa_type=UTCDateTime)
    actor_person_id: int | None = Field(default=None, nullable=True)


class Leave(SQLModel, table=True):
    """A person away from starts_on to ends_on; an acting person gets their reminders."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _ref("person.id")
    starts_on: date
    ends_on: date
    acting_person_id: int | None = _ref("person.id", nullable=True)
    created_by: int | None = Field(default=None, nullable=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class Notice(SQLModel, table=True):
    """通知: an admin's notice to a set of people; drafted, then sent once (state moves once)."""

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = _ref("person.id")
    text: str = Field(sa_type=sa.Text)
    audience: str = Field(default="all", max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)
    kind: str = Field(default="notice", max_length=16)  # notice / formal (约谈提醒)
    state: DraftState = Field(default=DraftState.SUBMITTED, sa_type=_enum(DraftState))
    file_id: str | None = Field(default=None, max_length=200, nullable=True)
    file_kind: str | None = Field(default=None, max_length=16, nullable=True)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class NoticeReceipt(SQLModel, table=True):
    """One person's copy of a notice: delivered, then acknowledged."""

    __table_args__ = (sa.UniqueConstraint("notice_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = _ref("notice.id")
    person_id: int = _ref("person.id")
    outbox_id: int | None = _ref("outbox.id", nullable=True)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class Assessment(SQLModel, table=True):
    """年终考核 result of one unit for one year, imported by an admin (the "+1" of the ranking)."""

    __table_args__ = (sa.UniqueConstraint("unit_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = _ref("unit.id")
    year: int
    result: str = Field(default="", max_length=32)  # 好 / 较好 / 一般 / 差
    score: float | None = Field(default=None, nullable=True)
    imported_at: datetime = Field(sa_type=UTCDateTime)


class AuditEntry(SQLModel, table=True):
    """Who did what and when: imports, binds, invites (kept permanently)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor_person_id: int | None = _ref("person.id", nullable=True)
    actor_telegram_id: int | None = Field(default=None, sa_type=sa.BigInteger, nullable=True)
    action: str = Field(max_length=64)
    detail: str = Field(default="", sa_type=sa.Text)


class ProcessedUpdate(SQLModel, table=True):
    """A Telegram update claimed by a worker: a second delivery of it is dropped.

    `finished` is false while its handling has committed its effect but not yet ended (its
    reply on the way): a redelivery of such an update was cut short (a crash) and is told so."""

    update_id: int = Field(
        sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)
    finished: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})


class WebLogin(SQLModel, table=True):
    """A one-time link into the web view (/web): only its SHA-256 is kept; valid once, briefly."""

    __tablename__ = "web_login"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _ref("person.id")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class WebSession(SQLModel, table=True):
    """A browser signed in by a WebLogin: a random cookie token (hashed), the person, an expiry."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _ref("person.id")
    login_id: int = _ref("web_login.id")
    # the account the person was bound to at sign-in: unbinding or re-binding ends the session
    telegram_id: int = Field(sa_type=sa.BigInteger)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
