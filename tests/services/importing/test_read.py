"""Reading import sources: CSV folders (UTF-8 or GBK), XLSX workbooks, and file-level problems."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from bot.services.errors import ImportProblem, ImportRejected
from bot.services.importing.read import RawTables, read_directory, read_workbook
from tests.services.helpers import DISTRICT, district, read_rows, workbook_bytes, write_rows


def _problems(call: object) -> list[ImportProblem]:
    assert callable(call)
    with pytest.raises(ImportRejected) as caught:
        call()
    return caught.value.problems


def _codes(problems: list[ImportProblem]) -> set[tuple[str, str, str | None]]:
    return {(p.source, p.code, p.column) for p in problems}


def test_sample_district_reads() -> None:
    tables = read_directory(DISTRICT)
    assert (len(tables.units.rows), len(tables.people.rows), len(tables.items.rows)) == (12, 40, 40)
    assert tables.people.source == "people.csv"
    first = tables.people.rows[0]
    assert first.number == 2
    assert first.cells["人员编码"] == "P0001"
    assert tables.items.rows[-1].cells["协办单位"] == ""


def test_gbk_csv_is_accepted(tmp_path: Path) -> None:
    folder = district(tmp_path)
    for file in ("units.csv", "people.csv", "items.csv"):
        headers, rows = read_rows(folder, file)
        write_rows(folder, file, headers, rows, encoding="gbk")
    assert (folder / "people.csv").read_bytes()[:2] != "人".encode()
    assert read_directory(folder) == read_directory(DISTRICT)


def test_undecodable_csv_is_a_problem(tmp_path: Path) -> None:
    folder = district(tmp_path)
    (folder / "units.csv").write_bytes(b"\xff\xfe\x00\x81\x30\xff" * 50)
    problems = _problems(lambda: read_directory(folder))
    assert ("units.csv", "undecodable", None) in _codes(problems)


def test_blank_rows_and_whitespace_are_dropped(tmp_path: Path) -> None:
    folder = district(tmp_path)
    text = (folder / "units.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines.insert(3, ",,,")
    lines[1] = " U00 , 区纪委监委 ,,"
    (folder / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tables = read_directory(folder)
    assert len(tables.units.rows) == 12
    assert tables.units.rows[0].cells["单位编码"] == "U00"
    assert tables.units.rows[0].cells["单位名称"] == "区纪委监委"
    assert tables.units.rows[2].number == 5  # the blank line 4 still counts, as in Excel


def test_missing_files_and_wrong_headers_all_reported(tmp_path: Path) -> None:
    folder = district(tmp_path)
    (folder / "items.csv").unlink()
    headers, rows = read_rows(folder, "units.csv")
    renamed = ["单位代码" if h == "单位编码" else h for h in headers]
    for row in rows:
        row["单位代码"] = row.pop("单位编码")
    write_rows(folder, "units.csv", renamed, rows)
    (folder / "people.csv").write_text("", encoding="utf-8")
    problems = _problems(lambda: read_directory(folder))
    assert _codes(problems) == {
        ("items.csv", "missing_file", None),
        ("units.csv", "missing_column", "单位编码"),
        ("people.csv", "empty_file", None),
    }
    missing = next(p for p in problems if p.code == "missing_column")
    assert missing.row == 1


def test_header_only_file_is_a_problem(tmp_path: Path) -> None:
    folder = district(tmp_path)
    (folder / "items.csv").write_text(",".join(read_rows(folder, "items.csv")[0]) + "\n")
    problems = _problems(lambda: read_directory(folder))
    assert _codes(problems) == {("items.csv", "no_rows", None)}


def test_duplicate_header_is_a_problem(tmp_path: Path) -> None:
    folder = district(tmp_path)
    (folder / "units.csv").write_text(
        "单位编码,单位名称,类别,上级单位编码,单位名称\nU00,纪委,,,x\n"
    )
    problems = _problems(lambda: read_directory(folder))
    assert [(p.code, p.value) for p in problems] == [("duplicate_column", "单位名称")]


def test_workbook_reads_like_the_csvs(tmp_path: Path) -> None:
    data = workbook_bytes(DISTRICT, tmp_path, {})
    from_book = read_workbook(data)
    from_csv = read_directory(DISTRICT)
    assert from_book.units.source == "单位"
    for name in ("units", "people", "items"):
        book_table = getattr(from_book, name)
        csv_table = getattr(from_csv, name)
        assert book_table.headers == csv_table.headers
        assert [(r.number, r.cells) for r in book_table.rows] == [
            (r.number, r.cells) for r in csv_table.rows
        ]
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    assert isinstance(read_directory(path), RawTables)


def test_workbook_cells_numbers_and_dates(tmp_path: Path) -> None:
    cells = {
        ("人员", "P0101", "Telegram用户ID"): 123456789.0,
        ("人员", "P0102", "Telegram用户ID"): 987654321,
        ("责任清单", "C02", "完成时限"): datetime(2026, 3, 31),  # noqa: DTZ001  (Excel dates are naive)
        ("责任清单", "C03", "完成时限"): date(2026, 3, 31),
    }
    folder = district(tmp_path)
    headers, rows = read_rows(folder, "people.csv")
    write_rows(folder, "people.csv", [*headers, "Telegram用户ID"], rows)
    tables = read_workbook(workbook_bytes(folder, tmp_path, cells))
    people = {r.cells["人员编码"]: r for r in tables.people.rows}
    assert people["P0101"].cells["Telegram用户ID"] == "123456789"
    assert people["P0102"].cells["Telegram用户ID"] == "987654321"
    assert people["P0103"].cells["Telegram用户ID"] == ""
    items = {r.cells["事项编码"]: r for r in tables.items.rows}
    assert items["C02"].cells["完成时限"] == "2026-03-31"
    assert items["C02"].date_columns == frozenset({"完成时限"})
    assert items["C03"].cells["完成时限"] == "2026-03-31"
    assert items["C04"].date_columns == frozenset()


def test_workbook_without_needed_sheets(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    assert book.active is not None
    book.active.title = "Sheet1"
    book.create_sheet("单位").append(["单位编码", "单位名称", "类别", "上级单位编码"])
    path = tmp_path / "partial.xlsx"
    book.save(path)
    problems = _problems(lambda: read_workbook(path.read_bytes()))
    assert {(p.code, p.value) for p in problems} == {
        ("no_rows", ""),
        ("missing_sheet", "人员"),
        ("missing_sheet", "责任清单"),
    }
    assert next(p for p in problems if p.code == "missing_sheet").detail == "Sheet1、单位"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        bytes(range(256)) * 20,
        "单位编码,单位名称\nU00,纪委\n".encode(),  # a .txt or .csv renamed to .xlsx
        b"PK\x03\x04 truncated zip",
    ],
    ids=["empty", "random", "text", "truncated-zip"],
)
def test_not_a_workbook(data: bytes) -> None:
    problems = _problems(lambda: read_workbook(data))
    assert [(p.source, p.code) for p in problems] == [("工作簿", "not_workbook")]


def test_zip_that_is_not_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    problems = _problems(lambda: read_workbook(path.read_bytes()))
    assert [p.code for p in problems] == ["not_workbook"]


def test_renamed_text_file_in_folder_mode(tmp_path: Path) -> None:
    path = tmp_path / "district.xlsx"
    path.write_text("这不是工作簿", encoding="utf-8")
    problems = _problems(lambda: read_directory(path))
    assert [p.code for p in problems] == ["not_workbook"]


def test_missing_folder(tmp_path: Path) -> None:
    problems = _problems(lambda: read_directory(tmp_path / "nowhere"))
    assert [p.code for p in problems] == ["missing_file"]
