"""The matcher: one plain sentence → its intent and the holder's item it records, and how sure."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import operator
import re
from collections import OrderedDict
from collections.abc import Collection, Iterable, Sequence

from bot.services.records.matching.analyse import Analyser, Analysis
from bot.services.records.matching.dates import past_day
from bot.services.records.matching.fit import near_miss, rivalled
from bot.services.records.matching.intent import Intent, classify, list_intent, marked
from bot.services.records.matching.layout import Listing, listing
from bot.services.records.matching.lexicon import load_lexicon
from bot.services.records.matching.named import among_named
from bot.services.records.matching.ranking import (
    Background,
    Document,
    Index,
    Query,
    best_positions,
)
from bot.services.records.matching.result import Candidate, MatchResult, Outcome

__all__ = ["Candidate", "Intent", "MatchResult", "Matcher", "Outcome"]

# Scores are BM25F sums (see matching/ranking.py); a sentence naming one item's own words and
# groups scores about 4–15 on a holder's list of a dozen items.
MIN_SCORE = 1.0  # below this nothing in the list is about the sentence: no candidates at all
CONFIDENT_SCORE = 2.5  # a proposal needs at least this …
CONFIDENT_MARGIN = 0.25  # … to lead the second by this share of its own score …
CONFIDENT_COVERAGE = 0.3  # … to explain this share of the sentence's weight …
# … to share with the sentence a word or synonym group that is not generic (组织开展了植树活动
# shares only 组织, 开展, 活动 with 组织开展警示教育活动: no proposal), and to be no near miss
# (matching/fit.py: someone else's act, another topic, another item of the district)
UNSURE_SHARE = 0.35  # the unsure reply lists candidates scoring at least this share of the best
MAX_RANKED = 3
CODE_BONUS = 50.0  # the sentence names the item's code (C01, 【C01】): that is the item
# two completed things in one message: "…；…", "…。…", "…，还/并/另外/此外/同时/又/也…", the
# word maybe after up to three characters ("…，下午还…"); split only where each part is sure
_SPLIT = re.compile(
    r"[;；。]+|[,，]\s*(?=[^,，;；。]{0,3}?(?:还|還|并|並|另外|此外|同时|同時|又|另|也))"
)
_TEXTS = operator.attrgetter("content", "measures")
_DOC_CACHE = 4096
_INDEX_CACHE = 256


class Matcher:
    """Built once at start-up; `classify` and `match` are pure functions of their arguments."""

    def __init__(self, *, known_items: Iterable[tuple[str, str]] = ()) -> None:
        """`known_items`: (责任内容, 工作措施) of every item at start-up. Their quoted terms join
        the dictionary and their statistics say how specific a word is (and which item of the
        district a sentence is about); without them the matcher still works, counting within
        each candidate set alone."""
        self.version: object = None
        self.learn(known_items)

    def learn(self, known_items: Iterable[tuple[str, str]], *, version: object = None) -> None:
        """Know exactly these items (an import while running added or changed some); `version`
        is the caller's mark of what it learnt (see records/catalog.py)."""
        self.version = version
        known = sorted(set(known_items))
        lexicon = load_lexicon()
        self._generic = lexicon.generic
        self._analyser = Analyser(lexicon, learn_from=(f"{c} {m}" for c, m in known))
        self._documents: OrderedDict[tuple[str, str], Document] = OrderedDict()
        self._indexes: OrderedDict[tuple[tuple[str, str], ...], Index] = OrderedDict()
        self._known = frozenset(known)
        documents = [self._build_document(*item) for item in known]
        self._background = Background.of(documents)
        self._district = Index(documents, [True] * len(documents), self._background)
        self._district_position = {item: n for n, item in enumerate(known)}

    def in_dictionary(self, word: str) -> bool:
        """Whether the matcher's own tokenizer holds `word`."""
        return self._analyser.knows(word)

    def analyse(self, text: str) -> Analysis:
        """Folded text, clauses of tokens and terms (for diagnostics and tests)."""
        return self._analyser.analyse(text)

    def classify(self, text: str, *, today: datetime.date | None = None) -> Intent:
        """Completion, plan, negation, question or acknowledgement (see matching/intent.py);
        `today` is the sender's local date (a sentence naming a later day is a plan). A list
        (matching/layout.py) is a completion when any of its items is."""
        items = listing(text)
        if items is not None:
            return list_intent([classify(self.analyse(item), today=today) for item in items.items])
        return classify(self.analyse(text), today=today)

    def match(
        self,
        text: str,
        candidates: Sequence[Candidate],
        *,
        today: datetime.date | None = None,
        named: Collection[int] = (),
    ) -> MatchResult:
        """Rank `candidates` for `text`; only a completion is ever matched. `today`: the
        sender's local date; `named`: keys of the candidates that the message the text replies
        to names (an item's card, a reminder, a 催办) — a text about none of the list's items
        (已开, 两项都完成了) is about them, a text about another item is only offered."""
        items = listing(text)
        if items is not None:
            return self._match_list(text, items, candidates, today, frozenset(named))
        return self._match_text(text, candidates, today, frozenset(named))

    def _match_text(
        self,
        text: str,
        candidates: Sequence[Candidate],
        today: datetime.date | None,
        named: frozenset[int],
        context: MatchResult | None = None,
    ) -> MatchResult:
        """One sentence (or a list's item, `context` holding its heading and siblings' tense)."""
        analysis = self.analyse(text)
        tense = context is not None and context.marked
        intent = classify(analysis, today=today, done=tense)
        done = tense or marked(analysis, today=today)
        day = past_day(analysis.folded, today) or (context.happened_on if context else None)
        if intent is not Intent.COMPLETION or not candidates:
            return MatchResult(text=text, intent=intent, marked=done, happened_on=day)
        index = self._index(candidates)
        whole = self._rank(text, analysis, candidates, index)
        whole = dataclasses.replace(whole, marked=done, happened_on=day)
        parts = [
            dataclasses.replace(part, marked=done, happened_on=past_day(part.text, today) or day)
            for part in self._split(text, candidates, index)
        ]
        if parts:
            whole = dataclasses.replace(whole, parts=parts)
        if named:
            return among_named(whole, analysis, candidates, named)
        return whole

    def _match_list(
        self,
        text: str,
        items: Listing,
        candidates: Sequence[Candidate],
        today: datetime.date | None,
        named: frozenset[int],
    ) -> MatchResult:
        """Each item of a list on its own; an item without a sign of being done takes its
        heading's or its siblings' (本季度已完成：…, 1.开了党委会 2.签订责任书), and the
        heading's day. Items about the same item become one part; none is dropped."""
        heading = self.analyse(items.heading)
        context = MatchResult(
            text=items.heading,
            intent=Intent.ACK,
            marked=bool(items.heading) and marked(heading, today=today),
            happened_on=past_day(heading.folded, today),
        )
        first = [self._match_text(item, candidates, today, named, context) for item in items.items]
        tense = context.marked or any(p.marked for p in first if p.intent is Intent.COMPLETION)
        if tense and not context.marked:  # again, knowing the tense (1.元旦前开展… 2.报送了…)
            context = dataclasses.replace(context, marked=True)
            first = [
                self._match_text(item, candidates, today, named, context) for item in items.items
            ]
        parts: list[MatchResult] = []
        for result in first:
            for each in result.parts or [result]:
                part = dataclasses.replace(each, marked=each.marked or tense)
                same = [p for p in parts if p.confident and p.confident == part.confident]
                if same and part.outcome is Outcome.CONFIDENT:
                    joined = f"{same[0].text}；{part.text}"
                    parts[parts.index(same[0])] = dataclasses.replace(same[0], text=joined)
                else:
                    parts.append(part)
        intent = list_intent([part.intent for part in parts])
        if intent is not Intent.COMPLETION:
            return MatchResult(text=text, intent=intent, happened_on=context.happened_on)
        done = any(part.marked for part in parts)
        return MatchResult(
            text=text, intent=intent, parts=parts, marked=done, happened_on=context.happened_on
        )

    def _rank(
        self, text: str, analysis: Analysis, candidates: Sequence[Candidate], index: Index
    ) -> MatchResult:
        query = Query.of(analysis.terms, self._generic)
        scores = index.score(query)
        potential = index.potential(query)
        anchored = index.anchored(query)
        for number, candidate in enumerate(candidates):
            if candidate.code.lower() in analysis.terms.words:
                scores[number] += CODE_BONUS
                potential += CODE_BONUS
        order = best_positions(scores, [c.open for c in candidates], MAX_RANKED + 1)
        best = scores[order[0]]
        second = scores[order[1]] if len(order) > 1 else 0.0
        margin = (best - second) / best if best > 0 else 0.0
        coverage = best / potential if potential > 0 else 0.0
        top = candidates[order[0]]
        miss = None
        if MIN_SCORE <= best < CODE_BONUS:
            miss = self._near_miss(analysis, query, top)
        leads = best >= CONFIDENT_SCORE and margin >= CONFIDENT_MARGIN  # relative to the rest
        fits = coverage >= CONFIDENT_COVERAGE and anchored[order[0]] and miss is None  # absolute
        confident = top if best >= CODE_BONUS or (leads and fits) else None
        ranked = []
        if best >= MIN_SCORE:
            ranked = [
                (candidates[n], scores[n])
                for n in order[:MAX_RANKED]
                if scores[n] >= MIN_SCORE and scores[n] >= UNSURE_SHARE * best
            ]
        return MatchResult(
            text=text,
            intent=Intent.COMPLETION,
            confident=confident,
            ranked=ranked,
            score=best,
            margin=margin,
            coverage=coverage,
            near_miss=miss,
        )

    def _near_miss(self, analysis: Analysis, query: Query, best: Candidate) -> str | None:
        """Why the best candidate is not what the sentence is about (matching/fit.py)."""
        item = self._analyser.fold(f"{best.content} {best.measures}")
        reason = near_miss(analysis.clauses, analysis.folded, item)
        position = self._district_position.get((best.content, best.measures))
        if reason is None and position is not None:
            reason = "rival" if rivalled(self._district.score(query), position) else None
        return reason

    def _split(self, text: str, candidates: Sequence[Candidate], index: Index) -> list[MatchResult]:
        """Parts of a message that each confidently record a different item, else []."""
        pieces = [piece.strip(" ,，") for piece in _SPLIT.split(text)]
        pieces = [piece for piece in pieces if piece]
        if len(pieces) < 2:
            return []
        rank = functools.partial(self._rank_text, candidates=candidates, index=index)
        groups: list[list[str]] = []
        results: list[MatchResult | None] = []  # None: the group grew, rank it again when needed
        for piece in pieces:
            result = rank(piece)
            if groups:
                previous = results[-1] or rank("，".join(groups[-1]))
                results[-1] = previous
                if result.confident is None or previous.confident in (None, result.confident):
                    groups[-1].append(piece)
                    results[-1] = None
                    continue
            groups.append([piece])
            results.append(result)
        if len(groups) < 2:
            return []
        final = [
            result or rank("，".join(group)) for group, result in zip(groups, results, strict=True)
        ]
        keys = {result.confident.key for result in final if result.confident is not None}
        return final if len(keys) == len(final) else []

    def _rank_text(
        self, text: str, *, candidates: Sequence[Candidate], index: Index
    ) -> MatchResult:
        return self._rank(text, self.analyse(text), candidates, index)

    def _document(self, candidate: Candidate) -> Document:
        key = (candidate.content, candidate.measures)
        document = self._documents.get(key)
        if document is None:
            document = self._build_document(*key)
            self._documents[key] = document
            if len(self._documents) > _DOC_CACHE:
                self._documents.popitem(last=False)
        else:
            self._documents.move_to_end(key)
        return document

    def _build_document(self, content: str, measures: str) -> Document:
        return Document.of(self.analyse(content).terms, self.analyse(measures).terms)

    def _index(self, candidates: Sequence[Candidate]) -> Index:
        key = tuple(map(_TEXTS, candidates))
        index = self._indexes.get(key)
        if index is None:
            index = Index(
                [self._document(candidate) for candidate in candidates],
                [item in self._known for item in key],
                self._background,
            )
            self._indexes[key] = index
            if len(self._indexes) > _INDEX_CACHE:
                self._indexes.popitem(last=False)
        else:
            self._indexes.move_to_end(key)
        return index
