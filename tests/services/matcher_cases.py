"""The sample district's items per holder, and the labelled sentences of the matcher tests."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from bot.services.ledger.builtin import SYSTEM_ITEMS
from bot.services.records.matcher import Candidate, Intent

DATA = Path(__file__).resolve().parent / "data"
DISTRICT = Path(__file__).resolve().parents[2] / "examples" / "district"
# written before the matcher existed; after its first version; aimed at the intent rules
LABELLED = ("matcher_sentences.tsv", "matcher_holdout.tsv", "matcher_stress.tsv")
OFF_LIST = "matcher_offlist.tsv"  # about nothing on the sender's list: never a proposal
OFFICIAL_ROLES = frozenset({"第一责任人", "班子成员", "纪检负责人"})


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
