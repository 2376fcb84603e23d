"""Fold a text to one spelling, cut it into clauses of tokens, and count the terms it offers."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import jieba
import opencc

from bot.services.records.matching.lexicon import Lexicon, learned_words

# OpenCC's "t2s": traditional characters and phrases to simplified, as the lists are written
_OPENCC_CONFIG = "t2s"

# a clause ends at these (after folding: half-width , ; ! ? : and the ideographic 。 and …)
_CLAUSE_BREAK = re.compile(r"[,;!?:。…~\n\r\t]+")
DOMAIN_FREQ = 20_000  # about a common word's frequency in jieba's dictionary (total ≈ 6e7)
_HAS_WORD_CHAR = re.compile(r"[\w\u4e00-\u9fff]")
_DIGITS = re.compile(r"^[\d.]+$")
# dates and periods (10月15日, 三季度, 11月份, 2026年度): when, never what
_WHEN = re.compile(
    r"^[\d一二三四五六七八九十上下本今去明第]*(年度?|月份?|日|号|季度|周|半年)[初中底末内]?$"
)


@dataclass(frozen=True)
class Terms:
    """What one text offers to the ranking: words, synonym groups and character bigrams."""

    words: Counter[str]
    concepts: Counter[str]
    bigrams: Counter[str]
    phrases: frozenset[str]  # the synonym phrases found: their words are scored as groups
    light: frozenset[str]  # bigrams of generic words or across two words (织开 in 组织|开展)


@dataclass(frozen=True)
class Analysis:
    """One folded text: its clauses as tokens (for intent), whether it asks, and its terms."""

    folded: str
    clauses: tuple[tuple[str, ...], ...]
    asks: bool  # a question mark anywhere
    terms: Terms


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def is_symbol(token: str) -> bool:
    """Punctuation, spaces and emoji: a token that carries no word."""
    return _HAS_WORD_CHAR.search(token) is None


@functools.cache
def _main_dictionary() -> tuple[dict[str, int], int]:
    """jieba's main dictionary, read once per process (≈ 0.6 s); every tokenizer gets a copy."""
    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" lines are not news to users
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return dict(tokenizer.FREQ), int(tokenizer.total)


def _fresh_tokenizer() -> jieba.Tokenizer:
    """A private tokenizer holding its own copy of the main dictionary (jieba's global one is
    never touched; words added to one tokenizer never reach another)."""
    freq, total = _main_dictionary()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(freq), total, True
    return tokenizer


class Analyser:
    """Owns one OpenCC converter and one `jieba.Tokenizer` (never jieba's global one), loaded
    with the domain words and the quoted terms of `learn_from` (the item texts in use)."""

    def __init__(self, lexicon: Lexicon, *, learn_from: Iterable[str] = ()) -> None:
        self._converter = opencc.OpenCC(_OPENCC_CONFIG)
        self._lexicon = lexicon
        self._light = lexicon.stopwords | lexicon.generic
        self._tokenizer = _fresh_tokenizer()
        # added to this tokenizer only: phrases at the smallest frequency that keeps them whole
        # when cut alone; domain words at least DOMAIN_FREQ, so that they also win against a
        # neighbour (责任书|签 rather than 责任|书签)
        for phrase in lexicon.phrases:
            self._tokenizer.suggest_freq(phrase, tune=True)
        learned = learned_words(self.fold(text) for text in learn_from)
        for word in sorted(set(lexicon.domain_words).union(learned)):
            self._tokenizer.add_word(word, max(DOMAIN_FREQ, self._tokenizer.suggest_freq(word)))
        phrases = sorted(lexicon.synonyms, key=lambda phrase: (-len(phrase), phrase))
        self._phrase = re.compile("|".join(re.escape(phrase) for phrase in phrases) or "(?!)")

    def fold(self, text: str) -> str:
        """NFKC (full-width letters, digits and punctuation to half-width), t2s, lower case."""
        return str(self._converter.convert(unicodedata.normalize("NFKC", text))).lower()

    def knows(self, word: str) -> bool:
        """Whether this tokenizer's dictionary holds the word (for tests and diagnostics)."""
        return bool(self._tokenizer.FREQ.get(word, 0))

    def tokens(self, clause: str) -> list[str]:
        """Dictionary-driven segmentation (no HMM guessing), deterministic."""
        return [token for token in self._tokenizer.cut(clause, HMM=False) if not token.isspace()]

    def analyse(self, text: str) -> Analysis:
        """Clauses and terms of a text."""
        folded = self.fold(text)
        clauses = tuple(
            tuple(self.tokens(part)) for part in _CLAUSE_BREAK.split(folded) if part.strip()
        )
        return Analysis(
            folded=folded,
            clauses=clauses,
            asks="?" in folded,
            terms=self.terms(folded, clauses),
        )

    def terms(self, folded: str, clauses: tuple[tuple[str, ...], ...]) -> Terms:
        """Words (with their dictionary sub-words, as jieba's search mode), groups, bigrams."""
        freq = self._tokenizer.FREQ
        stop = self._lexicon.stopwords
        words: Counter[str] = Counter()
        for clause in clauses:
            for token in clause:
                if is_symbol(token) or _DIGITS.match(token) or _WHEN.match(token):
                    continue
                if len(token) > 1 and token not in stop:  # single characters: the bigrams' job
                    words[token] += 1
                for size in (2, 3):
                    if len(token) > size:
                        for start in range(len(token) - size + 1):
                            part = token[start : start + size]
                            if freq.get(part) and part not in stop:
                                words[part] += 1
        concepts: Counter[str] = Counter()
        phrases = set()
        for match in self._phrase.finditer(folded):
            phrases.add(match.group(0))
            concepts.update(self._lexicon.synonyms[match.group(0)])
        bigrams: Counter[str] = Counter()
        heavy: set[str] = set()
        for clause in clauses:
            previous = ""
            for token in clause:
                # inside a word: 警示 in 警示教育片 (but 组织 of 组织 is light)
                light = token in self._light
                for start in range(len(token) - 1):
                    bigram = token[start : start + 2]
                    if _is_han(bigram[0]) and _is_han(bigram[1]):
                        bigrams[bigram] += 1
                        if not light:
                            heavy.add(bigram)
                # across two words: light (织开 in 组织|开展), unless both are characters jieba
                # left alone, a likely typo or unknown word (连|政 in 党风连政建设)
                if previous and _is_han(previous[-1]) and _is_han(token[0]):
                    bigram = previous[-1] + token[0]
                    bigrams[bigram] += 1
                    if len(previous) == 1 and len(token) == 1:
                        heavy.add(bigram)
                previous = token
        return Terms(
            words=words,
            concepts=concepts,
            bigrams=bigrams,
            phrases=frozenset(phrases),
            light=frozenset(bigrams.keys() - heavy),
        )
