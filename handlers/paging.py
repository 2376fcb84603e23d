"""The one pager of long answers: its button data, its « 上一页 / 下一页 » row, the owner check,
the page turned in place."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.services.directory.identity import Viewer
from bot.telegram.notifier import Notifier
from bot.texts import paging as words


class PageCb(CallbackData, prefix="pg"):
    """A page of a long answer: which view, whose, its argument (e.g. a holder code), which page."""

    view: str  # my, unit, close
    owner: int  # the person id the answer was made for
    arg: str = ""
    page: int = 0


def page_row(
    view: str, owner: int, page: int, pages: int, arg: str = ""
) -> list[InlineKeyboardButton]:
    """« 上一页 and 下一页 » where there is such a page (empty for a one-page answer)."""
    return [
        InlineKeyboardButton(
            text=label, callback_data=PageCb(view=view, owner=owner, arg=arg, page=to).pack()
        )
        for label, to in ((words.PREVIOUS, page - 1), (words.NEXT, page + 1))
        if 0 <= to < pages
    ]


async def refused(query: CallbackQuery, data: PageCb, person: Viewer) -> bool:
    """Whether the presser is not the one the pages were made for (then they are told so)."""
    if data.owner == person.person_id:
        return False
    await query.answer(words.NOT_YOUR_PAGE, show_alert=True)
    return True


async def answer_turn(query: CallbackQuery, asked: int, shown: int) -> None:
    """Answer the press: quietly, or saying a stale or forged page number was clamped."""
    if asked == shown:
        await query.answer()
    else:
        await query.answer(words.page_gone(shown), show_alert=True)


async def show_turned(
    query: CallbackQuery, notifier: Notifier, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Put the turned page in the message whose button was pressed (its old buttons go with
    it); a message Telegram no longer gives us gets the page as a new one."""
    if isinstance(query.message, Message):
        message = query.message
        await notifier.edit(message.chat.id, message.message_id, text, reply_markup=markup)
        return
    await notifier.send(query.from_user.id, text, reply_markup=markup)
