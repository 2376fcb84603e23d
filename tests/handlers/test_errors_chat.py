"""The error router: whatever fails, the user hears about it, even after a button was answered."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from bot import texts
from handlers import report as report_handlers
from storage.models import DraftState, Report
from tests.handlers.conftest import District
from tests.handlers.test_selfcheck_chat import last_buttons


async def test_an_error_after_the_button_was_answered_reaches_the_user_as_a_message(
    district: District, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """提交 answers its button, then builds the .docx: a failure there used to try to answer the
    button again (Telegram refuses a second answer), so the holder was told nothing."""
    d, tg = district, district.tg("P0101")

    def broken(**_: object) -> bytes:
        raise RuntimeError("the document could not be built")

    monkeypatch.setattr(report_handlers, "build_docx", broken)
    draft = last_buttons(await d.chat.send_text(tg, "/report"))
    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        sent = await d.chat.press(tg, draft.message_id or 0, "提交")
    answers = [s for s in sent if s.method == "answerCallbackQuery"]
    assert len(answers) == 1  # the handler's own; nothing may answer twice
    told = [s for s in sent if s.method == "sendMessage" and s.chat_id == tg]
    assert [s.plain for s in told] == [texts.plain(texts.ERROR)]
    assert any(r.exc_info is not None for r in caplog.records if r.name == "handlers.errors")
    async with d.app.sessions() as session:  # nothing was handed in: 提交 can be pressed again
        report = (await session.exec(select(Report))).one()
    assert report.state is DraftState.DRAFT
    monkeypatch.undo()
    again = await d.chat.press(tg, draft.message_id or 0, "提交")
    assert [s for s in again if s.method == "sendDocument"]
