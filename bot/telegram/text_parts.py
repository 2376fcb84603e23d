"""Long texts in Telegram-sized parts: cut between groups, then entries, never in a tag."""

from __future__ import annotations

LIMIT = 4096
GROUP_BREAK = "\n\n"
CONTINUED = "（续）"
HEADER_MAX = 300  # UTF-16 units: a longer bold first line is not repeated on a continued part
INDENTS = (" ", "\u3000", "\t")


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (🔴 and rare CJK characters count two)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """Cut HTML text into parts of at most `limit` UTF-16 units, never inside a group or entry.

    The renderers' convention: groups (a unit, a person, a list) are separated by a blank line;
    a group whose first line is bold (<b>…</b>, which escaped user text never is) has that line
    as its header; an entry is a line and the indented lines under it (" ", "　"). A part holds
    whole groups; a group longer than the limit fills the part begun and is cut between
    entries, each continued part starting with the header and （续）. Only an entry longer than a part is cut at line ends,
    and a line longer than a part between characters, never inside a tag, an entity or a
    surrogate pair. Tags are counted too, so a part is within Telegram's limit either way.
    """
    if units(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for group in text.split(GROUP_BREAK):
        candidate = f"{current}{GROUP_BREAK}{group}" if current else group
        if units(candidate) <= limit:
            current = candidate
            continue
        if units(group) <= limit:  # a whole group starts the next part
            parts.append(current)
            current = group
            continue
        pieces = _split_group(group, limit, current)  # cut anyway: it fills this part first
        parts.extend(pieces[:-1])
        current = pieces[-1]
    if current or not parts:
        parts.append(current)
    return parts


def _header(line: str) -> str | None:
    """The group's header when its first line is one: bold, and short enough to repeat."""
    if "<b>" in line and "</b>" in line and units(line) + units(CONTINUED) <= HEADER_MAX:
        return line
    return None


def _entries(lines: list[str]) -> list[str]:
    """Lines with the indented lines under them joined: an entry is never cut from its details."""
    entries: list[str] = []
    for line in lines:
        if entries and line.startswith(INDENTS):
            entries[-1] += "\n" + line
        else:
            entries.append(line)
    return entries


def _split_group(group: str, limit: int, before: str = "") -> list[str]:
    """One over-long group in parts cut between entries, the header repeated with （续）; it
    starts in the part being filled (`before`) when its header and first entry fit there."""
    lines = group.split("\n")
    header = _header(lines[0])
    entries = _entries(lines[1:] if header is not None else lines)
    if header is not None:  # the header never stands alone: it goes with the first entry
        entries = [f"{header}\n{entries[0]}", *entries[1:]] if entries else [header]
    parts: list[str] = []
    current, joint = before, GROUP_BREAK
    for index, entry in enumerate(entries):
        candidate = f"{current}{joint}{entry}" if current else entry
        joint = "\n"
        if units(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        current = f"{header}{CONTINUED}" if header is not None and index else ""
        candidate = f"{current}\n{entry}" if current else entry
        if units(candidate) <= limit:
            current = candidate
            continue
        pieces = _by_lines(candidate, limit)  # one entry longer than a part
        parts.extend(pieces[:-1])
        current = pieces[-1]
    parts.append(current)
    return parts


def _by_lines(text: str, limit: int) -> list[str]:
    """Cut at line ends; a single over-long line between characters."""
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
