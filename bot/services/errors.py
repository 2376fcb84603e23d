"""The small tree of domain errors; the error router turns each into a Chinese reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class DomainError(Exception):
    """A request the domain refuses; `str(err)` is never shown, texts.py renders it."""


class InviteError(DomainError):
    """Base of every refused invite code."""


class InviteUnknown(InviteError):
    """No such code."""


class InviteExpired(InviteError):
    """The code is older than its lifetime."""


class InviteUsed(InviteError):
    """The code was redeemed already."""


class InviteForInactive(InviteError):
    """The code's person was deactivated by a later import."""


class AccountBoundElsewhere(InviteError):
    """This Telegram account is already bound to another person."""

    def __init__(self, person_name: str) -> None:
        super().__init__(person_name)
        self.person_name = person_name


class TooManyAttempts(InviteError):
    """Five wrong codes within the hour: wait."""

    def __init__(self, wait_minutes: int) -> None:
        super().__init__(wait_minutes)
        self.wait_minutes = wait_minutes


class UnknownPerson(DomainError):
    """A person code that is not in the directory."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes


class ImportRejected(DomainError):
    """The import found problems; nothing was written. Carries the report."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(frozen=True, kw_only=True)
class ImportProblem:
    """One problem in a cell, row, column or file of an import (rows count as in Excel: header = 1).

    `code` names the problem (texts words it); `value` is the offending text, `detail` any
    extra fact the wording needs (e.g. the row a duplicate code was first seen on).
    """

    source: str
    code: str
    row: int | None = None
    column: str | None = None
    value: str = ""
    detail: str = ""


class CloseProblem(StrEnum):
    """Why an admin's /close was refused (texts words each one)."""

    UNKNOWN_HOLDER = "unknown_holder"
    UNKNOWN_ITEM = "unknown_item"
    BAD_PERIOD = "bad_period"
    NOT_HELD = "not_held"
    NO_DUE_ITEM = "no_due_item"
    NO_REASON = "no_reason"
    ALREADY_DONE = "already_done"
    ALREADY_CLOSED = "already_closed"


class CloseRefused(DomainError):
    """A due item could not be closed: `problem` says why; `value` is the code or text at fault."""

    def __init__(
        self, problem: CloseProblem, *, value: str = "", holder: str = "", detail: str = ""
    ) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.value = value
        self.holder = holder
        self.detail = detail


@dataclass(frozen=True, kw_only=True)
class CalendarProblem:
    """One problem in a working-day override file: its line, its column (name and position) and
    `code` (texts words it); `value` is the offending text, `detail` any extra fact."""

    code: str
    line: int | None = None
    column: str | None = None
    column_number: int | None = None
    value: str = ""
    detail: str = ""


class CalendarRejected(DomainError):
    """The override file has problems; nothing was applied. Carries the report."""

    def __init__(self, problems: list[CalendarProblem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


class LeaveProblem(StrEnum):
    """Why a /leave was refused (texts words each one)."""

    NOT_ALLOWED = "not_allowed"  # neither 管理员 nor 联络员
    UNKNOWN_PERSON = "unknown_person"
    NOT_IN_UNIT = "not_in_unit"  # a 联络员 named someone outside their unit (or nobody at all)
    INACTIVE = "inactive"
    UNKNOWN_ACTING = "unknown_acting"
    ACTING_NOT_IN_UNIT = "acting_not_in_unit"
    ACTING_INACTIVE = "acting_inactive"
    SAME_PERSON = "same_person"
    BAD_DATE = "bad_date"
    BAD_ORDER = "bad_order"
    TOO_LONG = "too_long"
    ENDED = "ended"
    OVERLAP = "overlap"
    CYCLE = "cycle"  # the acting person's own stand-in (or theirs) is the person going away
    NO_LEAVE = "no_leave"


class LeaveRefused(DomainError):
    """A leave could not be set or cancelled: `problem` says why; `value` is the code or text at
    fault, `unit` the 联络员's own unit, `starts_on`/`ends_on` the period concerned (for OVERLAP:
    the leave already registered)."""

    def __init__(
        self,
        problem: LeaveProblem,
        *,
        value: str = "",
        unit: str = "",
        starts_on: date | None = None,
        ends_on: date | None = None,
    ) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.value = value
        self.unit = unit
        self.starts_on = starts_on
        self.ends_on = ends_on


class RecordProblem(StrEnum):
    """Why a record, an undo or a correction was refused (texts words each)."""

    NO_ITEMS = "no_items"  # the sender holds no items to record
    EMPTY = "empty"  # nothing but spaces, emoji or punctuation
    TOO_LONG = "too_long"  # detail: the length
    NOT_YOURS = "not_yours"  # the items named are not the sender's
    STALE = "stale"  # the proposal or record was decided already, or is gone
    CANCELLED = "cancelled"  # 确认 on a proposal 取消 already (maybe by a press at the same moment)
    FOREIGN = "foreign"  # someone else's proposal or record
    UNDO_EXPIRED = "undo_expired"  # detail: minutes
    ALREADY_UNDONE = "already_undone"
    ALREADY_CORRECTED = "already_corrected"
    NO_CHOICE = "no_choice"  # 确认 before an item was chosen
    SYSTEM_ITEM = "system_item"  # detail: the command (/selfcheck, /report) that records it
    SYSTEM_RECORD = "system_record"  # 更正 of a ZC/BG record's text or item; detail: the command
    NO_GROUP_UNIT = "no_group_unit"  # /bindgroup by an admin without a unit code
    UNKNOWN_UNIT = "unknown_unit"  # detail: the code
    NOT_FOR_ITEM = "not_for_item"  # a completion that fits none of the items replied to
    BEFORE_PERIOD = "before_period"  # detail: the period's first day (a date before it)
    FUTURE_DATE = "future_date"  # a date after today
    BAD_DATE = "bad_date"  # no date found in the reply to a date prompt


class RecordRefused(DomainError):
    """A record, undo, correction or group link the domain refuses."""

    def __init__(self, problem: RecordProblem, detail: str = "") -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.detail = detail


class Stale(StrEnum):
    """Why a press or a reply in a 季度自查 or 半年报告 draft changed nothing."""

    GONE = "gone"  # no such draft of this person
    SUBMITTED = "submitted"
    CANCELLED = "cancelled"
    MOVED = "moved"  # the step was answered already (an old message, a double press)
    SHIFTED = "shifted"  # the step asks about another item than the button named (list changed)
    UNFINISHED = "unfinished"  # submit before every item was answered


class DraftStale(DomainError):
    """A stale, doubled or forged button (or a reply to an old prompt) of a self-check or a
    report draft: nothing changed."""

    def __init__(self, why: Stale) -> None:
        super().__init__(why.value)
        self.why = why
