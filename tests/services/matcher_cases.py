"""The sample district's items per holder, and the labelled sentences of the matcher tests."""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.services.ledger.builtin import SYSTEM_ITEMS
from bot.services.records.matcher import Candidate, Intent

DATA = Path(__file__).resolve().parent / "data"
DISTRICT = Path(__file__).resolve().parents[2] / "examples" / "district"
# written before the matcher existed; after its first version; aimed at the intent rules
LABELLED = ("matcher_sentences.tsv", "matcher_holdout.tsv", "matcher_stress.tsv")
OFF_LIST = "matcher_offlist.tsv"  # about nothing on the sender's list: never a proposal
OFFICIAL_ROLES = frozenset({"第一责任人", "班子成员", "纪检负责人"})
REPLIES = "replies.tsv"  # replies to the bot's messages, plans, dates, lists, near misses
# what a reply answers: messages naming items; messages a reply never records from; prompts
# whose reply is stored as text; an admin's notice
NAMING_KINDS = frozenset({"card", "reminder", "nudge"})
NEVER_RECORDS = frozenset({"confirmation", "records", "digest", "proposal"})
TEXT_PROMPTS = frozenset({"late_prompt", "fix_prompt"})
REPLY_KINDS = NAMING_KINDS | NEVER_RECORDS | TEXT_PROMPTS | {"notice"}
REPLY_SHAPES = ("reply", "stall", "plan", "past", "multi", "near", "done")
_SHAPE_LINE = re.compile(r"^# shape: (\w+)\s*$")


@dataclass(frozen=True)
class Case:
    """One labelled message: who sends it, the expected codes or !INTENT, the text."""

    holder: str
    expected: str
    text: str
    source: str

    @property
    def intent(self) -> Intent:
        return Intent[self.expected[1:]] if self.expected.startswith("!") else Intent.COMPLETION

    @property
    def codes(self) -> list[str]:
        return [] if self.expected.startswith(("!", "-")) else self.expected.split("+")


def read_cases(name: str) -> list[Case]:
    cases = []
    for line in (DATA / name).read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            holder, expected, text = line.split("\t", 2)
            cases.append(Case(holder, expected, text, name))
    return cases


@dataclass(frozen=True)
class Reply:
    """One labelled message of replies.tsv (its header explains the columns)."""

    holder: str
    replied_to: str  # "-", "confirmation", "card:M01", "reminder:M01+M02" …
    sent_on: date
    expected: str  # "M01+S01", "?", "?M02", "-", "!PLAN", "已阅", "text"
    happened_on: date | None  # the day recorded ("=" is sent_on), None when nothing is
    text: str
    shape: str  # the "# shape:" group it is written under
    line: int

    @property
    def kind(self) -> str | None:
        """What it replies to (REPLY_KINDS), None for a plain message."""
        return None if self.replied_to == "-" else self.replied_to.split(":")[0]

    @property
    def named(self) -> list[str]:
        """The items the replied-to card, reminder or 催办 names."""
        _, _, codes = self.replied_to.partition(":")
        return codes.split("+") if codes else []

    @property
    def intent(self) -> Intent | None:
        """A completion's or a non-completion's intent; None for ?, -, 已阅 and text."""
        if self.expected.startswith("!"):
            return Intent[self.expected[1:]]
        return Intent.COMPLETION if self.codes else None

    @property
    def codes(self) -> list[str]:
        """The items it must be recorded or proposed as sure on (empty: none)."""
        if self.expected in {"-", "text", "已阅"} or self.expected.startswith(("!", "?")):
            return []
        return self.expected.split("+")

    @property
    def unsure(self) -> bool:
        """May be proposed, never as sure, never recorded at once."""
        return self.expected.startswith("?")

    @property
    def offered(self) -> list[str]:
        """The items an unsure proposal must offer (?M02)."""
        return self.expected[1:].split("+") if self.unsure and len(self.expected) > 1 else []


def _reply(fields: list[str], shape: str, line: int) -> Reply:
    holder, replied_to, sent, expected, happened, text = fields
    sent_on = date.fromisoformat(sent)
    happened_on: date | None
    if happened == "=":
        happened_on = sent_on
    elif happened == "-":
        happened_on = None
    else:
        happened_on = date.fromisoformat(happened)
    text = text.replace("\\n", "\n")
    return Reply(holder, replied_to, sent_on, expected, happened_on, text, shape, line)


def read_replies(name: str = REPLIES) -> list[Reply]:
    """The rows of a replies set; a row before any "# shape:" line or not of 6 columns fails."""
    replies, shape = [], ""
    for number, line in enumerate((DATA / name).read_text("utf-8").splitlines(), 1):
        heading = _SHAPE_LINE.match(line)
        if heading:
            shape = heading.group(1)
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 6 or not shape:
            raise ValueError(f"{name}:{number}: 6 columns under a '# shape:' line: {line!r}")
        replies.append(_reply(fields, shape, number))
    return replies


def _rows(name: str) -> list[dict[str, str]]:
    with (DISTRICT / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def known_items() -> list[tuple[str, str]]:
    """(责任内容, 工作措施) of every sample item and of the built-in ones."""
    items = [(row["责任内容"], row["工作措施"]) for row in _rows("items.csv")]
    return items + [(item.content, item.measures) for item in SYSTEM_ITEMS]


@functools.cache
def holder_candidates(code: str) -> tuple[Candidate, ...]:
    """The items a sample person holds, as the import assigns them (see examples/district)."""
    people = _rows("people.csv")
    person = next(row for row in people if row["人员编码"] == code)
    roles = set(person["责任角色"].split("、"))
    unit_team = any(
        row["单位编码"] == person["单位编码"] and "第一责任人" in row["责任角色"] for row in people
    )
    held = []
    for row in _rows("items.csv"):
        scope = row["适用范围"]
        team = scope == "单位班子" and unit_team and bool(roles & {"第一责任人", "联络员"})
        if scope in roles or scope == code or team:
            held.append((row["事项编码"], row["责任内容"], row["工作措施"]))
    if roles & OFFICIAL_ROLES:
        held += [(item.code, item.content, item.measures) for item in SYSTEM_ITEMS]
    return tuple(
        Candidate(key=number, code=item, content=content, measures=measures)
        for number, (item, content, measures) in enumerate(held)
    )
