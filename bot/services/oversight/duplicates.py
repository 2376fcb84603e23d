"""Copied lists (照抄): individual items of different people in one unit whose texts are nearly the same.

南通 sent lists back because three members of one leading group held the same 个性清单 word for
word. Two 个性 items (责任内容 and 工作措施 together) of two different people of one unit are a
suspected copy when the cosine similarity of their word counts reaches the threshold. Words
are the matcher's own tokens (its jieba tokenizer after NFKC and traditional-to-simplified
folding), so punctuation, full-width forms and traditional characters make no difference; one
changed word among n leaves (n−1)/n.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import not_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.oversight.assign import assigned_items
from bot.services.records.matching.analyse import Analysis, is_symbol
from storage.models import Item, ListKind, Person, ScopeKind, Unit

DEFAULT_THRESHOLD = 0.8  # README: 照抄检查

Analyse = Callable[[str], Analysis]


@dataclass(frozen=True)
class HeldText:
    """One individual item as the check sees it: whose, in which unit, and its words."""

    item_code: str
    person_code: str
    person_name: str
    unit_code: str
    unit_name: str
    content: str
    measures: str = ""


@dataclass(frozen=True)
class DuplicatePair:
    """Two items of two people of one unit that read nearly the same."""

    first: HeldText
    second: HeldText
    similarity: float


def words(analyse: Analyse, text: str) -> Counter[str]:
    """The text's tokens as counts (punctuation and spaces dropped)."""
    analysis = analyse(text)
    return Counter(token for clause in analysis.clauses for token in clause if not is_symbol(token))


def similarity(first: Counter[str], second: Counter[str]) -> float:
    """Cosine of two word-count vectors: 1 for the same words, 0 for none shared."""
    dot = sum(count * second[word] for word, count in first.items())
    if not dot:
        return 0.0
    norm = math.sqrt(sum(v * v for v in first.values()) * sum(v * v for v in second.values()))
    return dot / norm


def find_pairs(
    texts: Iterable[HeldText], *, analyse: Analyse, threshold: float = DEFAULT_THRESHOLD
) -> list[DuplicatePair]:
    """Every pair within a unit, of different people, at or above the threshold (most alike first)."""
    by_unit: dict[str, list[tuple[HeldText, Counter[str]]]] = {}
    for text in texts:
        bag = words(analyse, f"{text.content} {text.measures}")
        by_unit.setdefault(text.unit_code, []).append((text, bag))
    pairs = []
    for unit_code in sorted(by_unit):
        members = sorted(by_unit[unit_code], key=lambda entry: entry[0].item_code)
        for (a, bag_a), (b, bag_b) in itertools.combinations(members, 2):
            if a.person_code == b.person_code:
                continue
            score = similarity(bag_a, bag_b)
            if score >= threshold:
                pairs.append(DuplicatePair(a, b, score))
    pairs.sort(key=lambda p: (p.first.unit_code, -p.similarity, p.first.item_code))
    return pairs


async def individual_texts(session: AsyncSession) -> list[HeldText]:
    """Every active imported 个性 item held by one active person, with its holder's unit
    (tasks an admin assigned with /assign are no one's 个性清单)."""
    rows = (
        await session.exec(
            select(Item, Person, col(Unit.code), col(Unit.name))
            .join(Person, col(Person.id) == col(Item.scope_person_id))
            .join(Unit, col(Unit.id) == col(Person.unit_id))
            .where(
                col(Item.active).is_(True),
                col(Item.list_kind) == ListKind.INDIVIDUAL,
                col(Item.scope_kind) == ScopeKind.PERSON,
                col(Item.system).is_(None),
                not_(assigned_items()),
                col(Person.active).is_(True),
            )
        )
    ).all()
    return [
        HeldText(item.code, person.code, person.name, u_code, u_name, item.content, item.measures)
        for item, person, u_code, u_name in rows
    ]


async def duplicate_pairs(
    session: AsyncSession, *, analyse: Analyse, threshold: float = DEFAULT_THRESHOLD
) -> list[DuplicatePair]:
    """The suspected copies in the directory as it stands (for /duplicates and the import report);
    the texts are read here, the words cut and compared in a worker thread (CPU-bound)."""
    texts = await individual_texts(session)
    return await asyncio.to_thread(find_pairs, texts, analyse=analyse, threshold=threshold)


def groups(pairs: Sequence[DuplicatePair]) -> list[list[HeldText]]:
    """Pairs joined into groups of items that copy one another (A≈B, B≈C: one group of three)."""
    parent: dict[str, str] = {}
    held: dict[str, HeldText] = {}

    def root(code: str) -> str:
        while parent[code] != code:
            parent[code] = parent[parent[code]]
            code = parent[code]
        return code

    for pair in pairs:
        for text in (pair.first, pair.second):
            held.setdefault(text.item_code, text)
            parent.setdefault(text.item_code, text.item_code)
        parent[root(pair.first.item_code)] = root(pair.second.item_code)
    found: dict[str, list[HeldText]] = {}
    for code in sorted(held):
        found.setdefault(root(code), []).append(held[code])
    return sorted(found.values(), key=lambda group: (group[0].unit_code, group[0].item_code))
