"""Near misses: a sentence sharing words with an item yet about someone else's act or another topic."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.records.matching.lexicon import read_sections

__all__ = ["RIVAL_SHARE", "near_miss", "rivalled"]

_WORDS = read_sections("fit_words.txt")
ATTEND = _WORDS["attend"]  # 参加, 列席, 收看: present, not doing it
ORGANISE = _WORDS["organise"]  # 组织干部参加…: the sender organises
OBJECT = _WORDS["object"]  # 区纪委与我开展了廉政谈话, 被约谈: someone else does it to the sender
TOPICS = _WORDS["topics"]  # 安全生产, 招商引资: another field of work
# another item of the district scoring this much more than the best candidate: the sentence is
# about that item (参加了镇党委会… offered only the 一岗双责 report), never sure on this one
RIVAL_SHARE = 1.15


def _grams(clause: Sequence[str]) -> list[tuple[int, str]]:
    """Tokens and two or three adjacent tokens joined, with the position they start at."""
    return [
        (start, "".join(clause[start : start + size]))
        for size in (1, 2, 3)
        for start in range(len(clause) - size + 1)
    ]


def near_miss(clauses: Sequence[Sequence[str]], folded: str, item: str) -> str | None:
    """Why the sentence is not about the (folded) item text although it shares words with it:
    "object" (someone else acts on the sender), "attend" (present only), "topic" (another
    field), or None."""
    for clause in clauses:
        for start, gram in _grams(clause):
            if gram in OBJECT:
                return "object"
            organised = any(token in ORGANISE for token in clause[:start])
            if gram in ATTEND and gram not in item and not organised:
                return "attend"
    if any(topic in folded and topic not in item for topic in TOPICS):
        return "topic"
    return None


def rivalled(district: Sequence[float], own: int) -> bool:
    """Whether another item of the district's list outscores the best candidate (at position
    `own` of that list) by RIVAL_SHARE."""
    best_other = max((score for n, score in enumerate(district) if n != own), default=0.0)
    return best_other > RIVAL_SHARE * district[own]
