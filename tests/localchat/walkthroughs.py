"""The README's demo walkthroughs as data: each block's steps and the text each step must show."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_FENCE = re.compile(r"^( *)```(\S*)\s*$")
_HEADING = re.compile(r"^#{2,4} (.+)$")
PROMPT = re.compile(r"^(?:（未选身份）|\S+ \S+|陌生人 \d+)> (.*)$")
_ASIDE = re.compile(r"\([^()]*\)")  # ASCII parentheses: the README's explanation, not bot text
_NUMBER = re.compile(r"(?<![A-Za-z])N(?![A-Za-z])")


@dataclass(frozen=True)
class Step:
    """One typed line and the pieces of bot text the README says it shows (in that order)."""

    line: str
    shows: tuple[str, ...]


@dataclass(frozen=True)
class Walkthrough:
    """A fenced block of the README that starts with `:as`: its section and its steps."""

    section: str
    steps: tuple[Step, ...]


def walkthroughs(readme: Path) -> list[Walkthrough]:
    """Every walkthrough block of the README, in order.

    The notation: a step is `typed line → what the bot shows`; an indented line goes on with
    the step above; pieces of bot text are separated by `…`, and words in ASCII parentheses
    `( )` explain and are not checked; `N` stands for any number."""
    found: list[Walkthrough] = []
    section, block, plain, indent = "", list[str](), False, 0
    inside = False
    for raw in readme.read_text(encoding="utf-8").splitlines():
        fence = _FENCE.match(raw)
        if fence:
            if inside and plain and block and block[0].startswith(":as"):
                found.append(Walkthrough(section, _steps(block)))
            inside, plain, block = not inside, fence.group(2) == "", []
            indent = len(fence.group(1))
        elif inside:
            block.append(raw[indent:])
        elif heading := _HEADING.match(raw):
            section = heading.group(1)
    return found


def _steps(lines: list[str]) -> tuple[Step, ...]:
    steps: list[tuple[str, str]] = []
    for raw in lines:
        if not raw.strip():
            continue
        if raw[0].isspace():
            line, said = steps[-1]
            steps[-1] = (line, f"{said} … {raw.strip().lstrip('→').strip()}")
            continue
        line, _, said = raw.partition("→")
        steps.append((line.strip(), said.strip()))
    return tuple(Step(line, _pieces(said)) for line, said in steps)


def _pieces(said: str) -> tuple[str, ...]:
    while _ASIDE.search(said):
        said = _ASIDE.sub(" ", said)
    return tuple(piece.strip() for piece in said.split("…") if piece.strip())


def pattern(piece: str) -> re.Pattern[str]:
    """A piece of bot text as a pattern: spaces and a message number's colon are loose."""
    tokens = [_NUMBER.sub(r"\\d+", re.escape(token)) for token in piece.split()]
    return re.compile(r"[:：）]*\s*".join(tokens))


def by_step(transcript: str, steps: tuple[Step, ...]) -> list[str]:
    """The transcript cut at each step's echoed input: what the chat printed after each line."""
    lines = transcript.splitlines()
    starts: list[int] = []
    at = 0
    for step in steps:
        while True:
            if at >= len(lines):
                raise AssertionError(f"the transcript never echoes {step.line!r}")
            echo = PROMPT.match(lines[at])
            at += 1
            if echo and echo.group(1) == step.line:
                starts.append(at)
                break
    ends = [*(start - 1 for start in starts[1:]), len(lines)]
    return ["\n".join(lines[start:end]) for start, end in zip(starts, ends, strict=True)]


def missing(output: str, shows: tuple[str, ...]) -> str | None:
    """The first piece not found in `output` after the one before it, or None."""
    at = 0
    for piece in shows:
        found = pattern(piece).search(output, at)
        if found is None:
            return piece
        at = found.end()
    return None
