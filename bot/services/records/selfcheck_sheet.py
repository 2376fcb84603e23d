"""A 季度自查 as the chat shows it (Sheet), and what a press needs of it: still open, at its step."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.services.calendar.periods import Period
from bot.services.errors import DraftStale, Stale
from bot.services.ledger.holder_period import HolderItem
from bot.services.ledger.selfcheck_answers import Answer
from storage.models import DraftState


@dataclass(frozen=True)
class Sheet:
    """A self-check as the chat shows it: its row, the quarter's items and the answers so far."""

    id: int
    period: Period
    version: int
    state: DraftState
    position: int
    items: list[HolderItem]
    answers: dict[int, Answer] = field(default_factory=dict)  # due item id → answer
    fresh: bool = True  # False: a doubled submit found it submitted already

    @property
    def current(self) -> HolderItem | None:
        return self.items[self.position] if self.position < len(self.items) else None

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if self.answer(item).status == status)

    def answer(self, item: HolderItem) -> Answer:
        return self.answers.get(item.due_item_id, Answer("", ""))


def still_open(sheet: Sheet) -> None:
    """Stale (submitted or cancelled) unless the sheet is an open draft."""
    if sheet.state is DraftState.SUBMITTED:
        raise DraftStale(Stale.SUBMITTED)
    if sheet.state is DraftState.CANCELLED:
        raise DraftStale(Stale.CANCELLED)


def still_at(sheet: Sheet, index: int, due_item_id: int) -> None:
    """Stale unless the sheet is an open draft whose current step is `index`, still asking about
    the due item `due_item_id`."""
    still_open(sheet)
    if index != sheet.position or sheet.current is None:
        raise DraftStale(Stale.MOVED)
    names(sheet, index, due_item_id)


def names(sheet: Sheet, index: int, due_item_id: int) -> None:
    """Stale.SHIFTED unless step `index` is the due item `due_item_id` (0: the review, after the
    last item): a button carries the item it showed, never only a position."""
    at = sheet.items[index].due_item_id if 0 <= index < len(sheet.items) else 0
    if at != due_item_id:
        raise DraftStale(Stale.SHIFTED)
