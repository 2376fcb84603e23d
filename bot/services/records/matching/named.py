"""A reply to a message naming items (a card, a reminder, a 催办): which of them the text records."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence

from bot.services.records.matching.analyse import Analysis
from bot.services.records.matching.lexicon import read_sections
from bot.services.records.matching.result import Candidate, MatchResult

__all__ = ["among_named"]

# 都完成了, 两项都做了: every item the replied-to message names
ALL_OF_THEM = read_sections("intent_words.txt")["all_of_them"]
LEAD = 2.0  # among several named items, the best must score this many times the next named one


def _says_all(analysis: Analysis) -> bool:
    return any(token in ALL_OF_THEM for clause in analysis.clauses for token in clause)


def among_named(
    result: MatchResult, analysis: Analysis, candidates: Sequence[Candidate], named: Collection[int]
) -> MatchResult:
    """The result of a completion replying to a message that names the items `named` (keys).

    A confident item the message does not name is only offered (the sender meant another item
    of the list); a near miss stays unsure; a text about no other item is about the named one,
    the best-fitting named one, or all of them (都完成了), else it offers the named ones."""
    if result.parts:
        parts = [among_named(part, analysis, candidates, named) for part in result.parts]
        return dataclasses.replace(result, parts=parts)
    if result.confident is not None:
        if result.confident.key in named:
            return result
        return dataclasses.replace(result, confident=None)
    if result.near_miss is not None and result.near_miss != "rival":
        return result
    if result.ranked and result.ranked[0][0].key not in named:
        return result  # it hints at another item: offered, never chosen for the sender
    mine = [candidate for candidate in candidates if candidate.key in named]
    scores = {candidate.key: score for candidate, score in result.ranked}
    ordered = sorted(mine, key=lambda candidate: -scores.get(candidate.key, 0.0))
    if len(ordered) == 1:
        return dataclasses.replace(result, confident=ordered[0])
    if not ordered:
        return result
    first, second = (scores.get(candidate.key, 0.0) for candidate in ordered[:2])
    if first > 0 and first >= LEAD * second:
        return dataclasses.replace(result, confident=ordered[0])
    if _says_all(analysis):
        parts = [
            dataclasses.replace(result, confident=candidate, ranked=[(candidate, 0.0)])
            for candidate in ordered
        ]
        return dataclasses.replace(result, parts=parts)
    return dataclasses.replace(result, ranked=[(candidate, 0.0) for candidate in ordered])
