"""Fold a message or an item text to one spelling: half-width, simplified characters, lower case."""

from __future__ import annotations

import unicodedata

import opencc

# OpenCC's "t2s": traditional characters (and phrases) to simplified, as used in mainland lists
_OPENCC_CONFIG = "t2s"


class Normaliser:
    """Owns one OpenCC converter; `fold` is deterministic and keeps the text's length order."""

    def __init__(self) -> None:
        self._converter = opencc.OpenCC(_OPENCC_CONFIG)

    def fold(self, text: str) -> str:
        """NFKC (full-width letters, digits and punctuation to half-width), then t2s, then lower."""
        return str(self._converter.convert(unicodedata.normalize("NFKC", text))).lower()
