"""What an official typed, as a record keeps it: no controls, trimmed, not empty or wordless, not over-long."""

from __future__ import annotations

import unicodedata

from bot.services.errors import RecordProblem, RecordRefused
from bot.services.plain_text import strip_controls

MAX_TEXT = 1000  # characters of one record; longer messages are refused, never cut


def clean_text(text: str | None, *, allow_empty: bool = False) -> str:
    """The sentence as stored (verbatim but for control characters, plain_text.strip_controls, and
    trimmed); refuses empty, wordless and over-long text. Records, corrections and 逾期说明."""
    text = strip_controls(text or "").strip()
    if not text:
        if allow_empty:
            return ""
        raise RecordRefused(RecordProblem.EMPTY)
    if len(text) > MAX_TEXT:
        raise RecordRefused(RecordProblem.TOO_LONG, str(len(text)))
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        raise RecordRefused(RecordProblem.EMPTY)
    return text


def evidence_text(kind: str | None) -> str:
    """The text of a record made from a photo or file sent without a caption."""
    return {"photo": "（照片材料）", "document": "（文件材料）"}.get(kind or "", "（无文字）")
