"""The matcher's word lists, read from package data: domain words, stop words, synonym groups."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

_DATA_PACKAGE = "bot.services.records"
_DATA_FOLDER = "data"
_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,12}$")
# quoted terms in item texts (“三重一大”, “一岗双责”) are the list's own vocabulary
_QUOTED = re.compile(r"[“\"「『']([\u4e00-\u9fff]{2,8})[”\"」』']")


@dataclass(frozen=True)
class Lexicon:
    """Everything the matcher knows about words before it sees a message."""

    domain_words: tuple[str, ...]  # go into the matcher's own jieba dictionary, kept whole
    phrases: tuple[str, ...]  # synonym phrases, added to the dictionary at their natural weight
    stopwords: frozenset[str]  # never scored
    generic: frozenset[str]  # scored lightly: officialese that fits every item
    synonyms: dict[str, tuple[str, ...]]  # phrase → the names of the groups it belongs to


def read_data(name: str) -> list[str]:
    """The non-empty, non-comment lines of one file under bot/services/records/data/."""
    text = resources.files(_DATA_PACKAGE).joinpath(_DATA_FOLDER, name).read_text("utf-8")
    lines = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def read_sections(name: str) -> dict[str, frozenset[str]]:
    """A data file of word lists: `[name]` starts a section, words are separated by spaces."""
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in read_data(name):
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), set())
        elif current is not None:
            current.update(_fold(word) for word in line.split())
        else:
            raise ValueError(f"{name}: words before the first [section]: {line}")
    return {section: frozenset(words) for section, words in sections.items()}


def _fold(word: str) -> str:
    """Full-width to half-width and lower case (the data files are in simplified characters)."""
    return unicodedata.normalize("NFKC", word).lower()


def learned_words(texts: Iterable[str]) -> list[str]:
    """Words taken from (folded) item texts: the terms they put in quotation marks."""
    found: set[str] = set()
    for text in texts:
        found.update(match.group(1) for match in _QUOTED.finditer(text))
    return sorted(found)


def load_lexicon() -> Lexicon:
    """Read the data files under bot/services/records/data/."""
    synonyms: dict[str, list[str]] = {}
    for line in read_data("synonyms.txt"):
        members = [_fold(word) for word in line.split()]
        group = members[0]
        for phrase in members:
            groups = synonyms.setdefault(phrase, [])
            if group not in groups:
                groups.append(group)
    stopwords = frozenset(
        _fold(word) for line in read_data("stopwords.txt") for word in line.split()
    )
    generic = frozenset(_fold(word) for line in read_data("generic.txt") for word in line.split())
    words = {_fold(line) for line in read_data("domain_words.txt")}
    phrases = {phrase for phrase in synonyms if _HAN_WORD.match(phrase) and "了" not in phrase}
    return Lexicon(
        domain_words=tuple(sorted(words)),
        phrases=tuple(sorted(phrases - words)),
        stopwords=stopwords,
        generic=generic,
        synonyms={phrase: tuple(groups) for phrase, groups in synonyms.items()},
    )
