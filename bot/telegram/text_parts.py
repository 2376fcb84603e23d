"""Long texts in Telegram-sized parts: counted in UTF-16 units, cut at line ends, never in a tag."""

from __future__ import annotations

LIMIT = 4096


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (🔴 and rare CJK characters count two)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """Cut HTML text into parts of at most `limit` UTF-16 units, at line ends where possible.

    A single over-long line is cut between characters, never inside a tag, an entity or a
    surrogate pair. Tags are counted too, so a part is within Telegram's limit either way.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if units(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while units(line) > limit:
            cut = _safe_cut(line, _fitting(line, limit))
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current or not parts:
        parts.append(current)
    return parts


def _fitting(line: str, limit: int) -> int:
    """How many characters of `line` fit in `limit` UTF-16 units."""
    used = 0
    for index, char in enumerate(line):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(line)


def _safe_cut(line: str, limit: int) -> int:
    """The largest cut ≤ limit (characters) that is not inside <…> or &…;."""
    cut = limit
    open_tag, close_tag = line.rfind("<", 0, cut), line.rfind(">", 0, cut)
    if open_tag > close_tag:
        cut = open_tag
    amp, semi = line.rfind("&", 0, cut), line.rfind(";", 0, cut)
    if amp > semi and cut - amp <= 10:
        cut = amp
    return cut if cut > 0 else limit
