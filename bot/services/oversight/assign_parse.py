"""How an admin's typed 交办 reads: 事项内容 / 截止日期 [/ 来源], and why one cannot be used."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.services.errors import DomainError
from bot.services.plain_text import strip_controls

SOURCE_MARK = "交办来源："
DEFAULT_SOURCE = "管理员交办"
_SPLIT = re.compile(r"\s*[/／]\s*")
_FULL = re.compile(r"^(\d{4})[-.年](\d{1,2})[-.月](\d{1,2})日?$")
_SHORT = re.compile(r"^(\d{1,2})[-.月](\d{1,2})日?$")
MAX_CONTENT = 500


class AssignProblem(DomainError):
    """The typed task could not be used: `code` says why (texts word it), `value` what was typed."""

    def __init__(self, code: str, value: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.value = value


@dataclass(frozen=True)
class Task:
    """What the admin typed: the task, its deadline and where it came from."""

    content: str
    deadline: date
    source: str


def parse_task(text: str, *, today: date) -> Task:
    """事项内容 / 截止日期 [/ 来源]: the date as 2026-12-31 or 12-31 (the next such day). The
    content ends at the first "/" followed by a date, so it may itself contain a "/". Control
    characters are dropped (plain_text.strip_controls): the content becomes an item's."""
    text = strip_controls(text).strip()
    seps = list(_SPLIT.finditer(text))
    candidates = []
    for index, sep in enumerate(seps):
        end = seps[index + 1].start() if index + 1 < len(seps) else len(text)
        candidate = text[sep.end() : end].strip()
        candidates.append(candidate)
        try:
            deadline = _date(candidate, today)
        except AssignProblem:
            continue
        content = text[: sep.start()].strip()
        source = _SPLIT.sub(" / ", text[end:]).strip(" /") or DEFAULT_SOURCE
        if not content:
            raise AssignProblem("shape", text)
        if len(content) > MAX_CONTENT:
            raise AssignProblem("too_long", str(len(content)))
        if deadline < today:
            raise AssignProblem("past", candidate)
        return Task(content=content, deadline=deadline, source=source)
    if not candidates or not text[: seps[0].start()].strip():
        raise AssignProblem("shape", text)
    dated = [c for c in candidates if any(ch.isdigit() for ch in c)]
    raise AssignProblem("bad_date", (dated or candidates)[-1 if not dated else 0])


def _date(text: str, today: date) -> date:
    full, short = _FULL.match(text), _SHORT.match(text)
    try:
        if full:
            return date(int(full[1]), int(full[2]), int(full[3]))
        if short:
            day = date(today.year, int(short[1]), int(short[2]))
            return day if day >= today else date(today.year + 1, day.month, day.day)
    except ValueError:
        pass
    raise AssignProblem("bad_date", text)
