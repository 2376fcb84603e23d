"""Text as people type it, made safe to keep: control characters out, line breaks kept as \\n."""

from __future__ import annotations

import re
import unicodedata

# \r\n and a lone \r (old files), NEL and the Unicode line and paragraph separators are line breaks
_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
_KEPT = frozenset("\n\t")


def strip_controls(text: str) -> str:
    """`text` without control characters (Unicode category Cc) except \\n and \\t; the other
    line breaks (\\r\\n, \\r, NEL, U+2028, U+2029) become \\n. Used wherever typed or imported
    text enters the database: a bell or an escape code in a record would otherwise break every
    document built from it (python-docx refuses it) and show as garbage in the chat."""
    text = _BREAKS.sub("\n", text)
    if text.isprintable():  # the common case: nothing to remove (\n and \t are not printable)
        return text
    return "".join(ch for ch in text if ch in _KEPT or unicodedata.category(ch) != "Cc")


# what Windows, macOS or a shell refuses or misreads in a file name (and \ / that make a path)
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\s]+')


def file_safe(name: str) -> str:
    """`name` fit to be a file name anywhere: control characters out, each run of \\ / : * ? " <
    > | or white space one "_", no leading or trailing dots and "_"; "_" when nothing is left."""
    name = _UNSAFE_IN_NAMES.sub("_", strip_controls(name))
    return name.strip("._") or "_"
