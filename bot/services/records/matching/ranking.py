"""BM25F over a holder's candidate items: three channels (words, synonym groups, bigrams)."""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.services.records.matching.analyse import Terms

# BM25 saturation and length normalisation; items are short, so length matters less than usual
K1 = 1.2
B = 0.5
# a term in 工作措施 (measures) counts this much of one in 责任内容 (content): measures say how,
# and officials often write the how ("观看警示教育片"), but the content names the item
CONTENT_WEIGHT = 1.0
MEASURES_WEIGHT = 0.6
# channels: jieba words; synonym groups (党组会 finds 党委（党组）会议); character bigrams, the
# backoff that still scores a word jieba cut otherwise, a typo's intact half, a rare variant
WORD_WEIGHT = 1.0
CONCEPT_WEIGHT = 1.2
BIGRAM_WEIGHT = 0.3
GENERIC_WEIGHT = 0.3  # a word of data/generic.txt (组织, 开展, 工作 …) counts this much
CHANNELS = ("words", "concepts", "bigrams")
_IDF_CACHE = 50_000  # per index; a bound, so that a flood of odd messages cannot grow it
CHANNEL_WEIGHTS = {"words": WORD_WEIGHT, "concepts": CONCEPT_WEIGHT, "bigrams": BIGRAM_WEIGHT}


@dataclass(frozen=True)
class Query:
    """A message's distinct terms per channel with their weights (generic words weigh less);
    `grouped` are words and bigrams inside a synonym phrase, which their group speaks for."""

    channels: dict[str, dict[str, float]]
    grouped: frozenset[str]

    @classmethod
    def of(cls, terms: Terms, generic: frozenset[str]) -> Query:
        channels = {
            name: {
                term: GENERIC_WEIGHT if term in generic else 1.0 for term in getattr(terms, name)
            }
            for name in ("words", "concepts")
        }
        channels["bigrams"] = {
            term: GENERIC_WEIGHT if term in terms.light else 1.0 for term in terms.bigrams
        }
        grouped = frozenset(
            term
            for name in ("words", "bigrams")
            for term in channels[name]
            if any(term in phrase for phrase in terms.phrases)
        )
        return cls(channels=channels, grouped=grouped)


@dataclass(frozen=True)
class Document:
    """One candidate's terms per channel, content and measures merged by their weights."""

    channels: dict[str, dict[str, float]]
    lengths: dict[str, float]

    @classmethod
    def of(cls, content: Terms, measures: Terms) -> Document:
        channels: dict[str, dict[str, float]] = {}
        for name in CHANNELS:
            merged: dict[str, float] = {}
            for terms, weight in ((content, CONTENT_WEIGHT), (measures, MEASURES_WEIGHT)):
                counts: Counter[str] = getattr(terms, name)
                for term, count in counts.items():
                    merged[term] = merged.get(term, 0.0) + weight * count
            channels[name] = merged
        lengths = {name: sum(terms.values()) for name, terms in channels.items()}
        return cls(channels=channels, lengths=lengths)


@dataclass(frozen=True)
class Background:
    """Document frequencies over every item known at start-up: how specific a term is to one
    item of the district's whole list, steadier than counting within one holder's dozen."""

    size: int
    frequencies: dict[str, Counter[str]]

    @classmethod
    def of(cls, documents: Iterable[Document]) -> Background:
        frequencies: dict[str, Counter[str]] = {name: Counter() for name in CHANNELS}
        size = 0
        for document in documents:
            size += 1
            for name in CHANNELS:
                frequencies[name].update(document.channels[name].keys())
        return cls(size=size, frequencies=frequencies)


EMPTY = Background(size=0, frequencies={name: Counter() for name in CHANNELS})


class Index:
    """Postings and statistics of one candidate set; built once per set and reused.

    A term's document frequency counts the background items plus the candidates that are not
    among them (`known[i]` says which are), so an item never counts twice."""

    def __init__(
        self,
        documents: Sequence[Document],
        known: Sequence[bool] = (),
        background: Background = EMPTY,
    ) -> None:
        self.size = len(documents)
        self._postings: dict[str, dict[str, list[tuple[int, float]]]] = {}
        self._fresh: dict[str, Counter[str]] = {}
        self._background = background
        self._idf: dict[tuple[str, str], float] = {}
        known = list(known) or [False] * len(documents)
        self._total = background.size + known.count(False)
        for name in CHANNELS:
            lengths = [document.lengths[name] for document in documents]
            average = (sum(lengths) / len(lengths)) if lengths else 0.0
            postings: dict[str, list[tuple[int, float]]] = {}
            fresh: Counter[str] = Counter()
            for number, document in enumerate(documents):
                # BM25's saturated term frequency, computed once per set
                norm = K1 * (1 - B + B * (lengths[number] / average if average else 0.0))
                for term, tf in document.channels[name].items():
                    postings.setdefault(term, []).append((number, tf * (K1 + 1) / (tf + norm)))
                if not known[number]:
                    fresh.update(document.channels[name].keys())
            self._postings[name] = postings
            self._fresh[name] = fresh

    def idf(self, channel: str, term: str) -> float:
        """Robertson–Spärck Jones with Lucene's +1: never negative, 0 for an unknown term."""
        key = (channel, term)
        idf = self._idf.get(key)
        if idf is None:
            n = self._fresh[channel][term] + self._background.frequencies[channel][term]
            idf = math.log(1 + (self._total - n + 0.5) / (n + 0.5)) if n else 0.0
            if len(self._idf) < _IDF_CACHE:
                self._idf[key] = idf
        return idf

    def score(self, query: Query) -> list[float]:
        """Each candidate's score for the query's distinct terms (weighted) per channel."""
        scores = [0.0] * self.size
        for name, terms in query.channels.items():
            postings = self._postings[name]
            for term, weight in terms.items():
                hits = postings.get(term)
                if not hits:
                    continue
                idf = CHANNEL_WEIGHTS[name] * weight * self.idf(name, term)
                for number, saturated in hits:
                    scores[number] += idf * saturated
        return scores

    def anchored(self, query: Query) -> list[bool]:
        """Per candidate: whether it holds a query word or synonym group of full weight."""
        found = [False] * self.size
        for name in ("words", "concepts"):
            postings = self._postings[name]
            for term, weight in query.channels[name].items():
                if weight >= 1.0:
                    for number, _ in postings.get(term, ()):
                        found[number] = True
        return found

    def potential(self, query: Query) -> float:
        """What an item holding every query term once would score, a term no item knows
        counting as one held by a single item (unless its synonym group already speaks for
        it): the denominator of a match's coverage."""
        unknown = math.log(1 + (self._total - 0.5) / 1.5)
        total = 0.0
        for name, terms in query.channels.items():
            for term, weight in terms.items():
                idf = self.idf(name, term)
                if not idf and term not in query.grouped:
                    idf = unknown
                total += CHANNEL_WEIGHTS[name] * weight * idf
        return total


def best_positions(scores: Sequence[float], open_: Sequence[bool], limit: int) -> list[int]:
    """The best `limit` positions, best first; on a tie open items first, then the caller's
    order. Only the few near the top are sorted in full."""
    top = heapq.nlargest(limit, range(len(scores)), key=scores.__getitem__)
    floor = scores[top[-1]] - 1e-9 if top else 0.0
    near = [n for n, score in enumerate(scores) if score >= floor] if top else []
    near.sort(key=lambda n: (-round(scores[n], 9), not open_[n], n))
    return near[:limit]
