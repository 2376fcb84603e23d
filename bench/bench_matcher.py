"""Benchmark: the matcher's accuracy on the labelled sets (before and after a change) and its
start-up and time per message (sample holders, 300 open items)."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
# --before runs this script again on an older `bot` package: it must come first on the path
CODE_ROOT = os.environ.get("BENCH_MATCHER_CODE", str(ROOT))
for path in dict.fromkeys((CODE_ROOT, str(ROOT))):
    if path not in sys.path:
        sys.path.insert(0 if path == CODE_ROOT else 1, path)

from bot.services.records.matcher import Candidate, Intent, Matcher, Outcome  # noqa: E402
from tests.services.matcher_cases import (  # noqa: E402
    LABELLED,
    NAMING_KINDS,
    OFF_LIST,
    REPLY_SHAPES,
    holder_candidates,
    known_items,
    read_cases,
    read_replies,
)
from tests.services.records.replies_judge import JUDGED, judge  # noqa: E402


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def large_list(size: int) -> list[Candidate]:
    """`size` distinct open items: each sample 责任内容 with other items' 工作措施 in turn."""
    items = known_items()
    candidates: list[Candidate] = []
    shift = 1
    while len(candidates) < size:
        for number, (content, _) in enumerate(items):
            measures = items[(number + shift) % len(items)][1]
            candidates.append(
                Candidate(len(candidates), f"X{len(candidates):03d}", content, measures)
            )
            if len(candidates) == size:
                break
        shift += 7
    return candidates


def timed(calls: Sequence[Callable[[], object]], rounds: int) -> tuple[list[float], list[float]]:
    """Microseconds per call, wall clock and this thread's CPU time (which a busy machine's
    other processes do not inflate), every call `rounds` times after one warm-up pass."""
    for call in calls:
        call()
    wall, cpu = [], []
    for _ in range(rounds):
        for call in calls:
            started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
            call()
            cpu.append((time.thread_time_ns() - started_cpu) / 1000)
            wall.append((time.perf_counter_ns() - started) / 1000)
    return wall, cpu


class _Then:
    """A result of a matcher that predates `sure` and `happened_on`: a confident proposal then
    was what the sender was offered as the item (and a reply to a card recorded at once)."""

    def __init__(self, result: Any) -> None:
        self._result = result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._result, name)

    @property
    def parts(self) -> list[_Then]:
        return [_Then(part) for part in self._result.parts]

    @property
    def sure(self) -> bool:
        return getattr(self._result, "sure", self._result.outcome is Outcome.CONFIDENT)

    @property
    def happened_on(self) -> datetime.date | None:
        return getattr(self._result, "happened_on", None)


class _Compatible:
    """The matcher as the judge calls it, whatever its version accepts."""

    def __init__(self, matcher: Matcher) -> None:
        self._matcher = matcher
        self._new = "today" in Matcher.match.__code__.co_varnames

    def match(self, text: str, candidates: Sequence[Candidate], **when: Any) -> Any:
        if self._new:
            return self._matcher.match(text, candidates, **when)
        return _Then(self._matcher.match(text, candidates))


def accuracy(matcher: Matcher) -> dict[str, Any]:
    """Old sets: completions, top-1, proposed, wrong, splits, non-completions proposed, and
    completions offered one wrong item alone; replies.tsv: right rows per shape."""
    sets: dict[str, list[int]] = {}
    for name in LABELLED:
        cases = read_cases(name)
        single = [c for c in cases if c.intent is Intent.COMPLETION and len(c.codes) == 1]
        row = [len(single), 0, 0, 0, 0, 0, 0, 0, 0, 0]
        for case in single:
            candidates = holder_candidates(case.holder)
            result = matcher.match(case.text, candidates)
            row[1] += bool(result.ranked) and result.ranked[0][0].code == case.codes[0]
            row[2] += result.confident is not None
            row[3] += result.confident is not None and result.confident.code != case.codes[0]
            for other in candidates:
                if other.code != case.codes[0]:
                    row[8] += 1
                    row[9] += matcher.match(case.text, [other]).confident is not None
        for case in (c for c in cases if len(c.codes) > 1):
            parts = matcher.match(case.text, holder_candidates(case.holder)).parts
            row[4] += [p.confident.code for p in parts if p.confident] == case.codes
            row[5] += 1
        for case in (c for c in cases if c.intent is not Intent.COMPLETION):
            row[6] += 1
            outcome = matcher.match(case.text, holder_candidates(case.holder)).outcome
            row[7] += outcome is not Outcome.NOT_COMPLETION
        sets[name] = row
    off = read_cases(OFF_LIST)
    off_proposed = sum(
        matcher.match(c.text, holder_candidates(c.holder)).confident is not None for c in off
    )
    verdicts = [judge(cast(Matcher, _Compatible(matcher)), reply) for reply in JUDGED]
    shapes = Counter(verdict.reply.shape for verdict in verdicts)
    right = Counter(verdict.reply.shape for verdict in verdicts if verdict.right)
    return {
        "sets": sets,
        "off_list": [len(off), off_proposed],
        "shapes": {shape: [right[shape], shapes[shape]] for shape in REPLY_SHAPES},
    }


def accuracy_at(revision: str) -> dict[str, Any]:
    """accuracy() of the `bot` package at a git revision, run in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision, "bot"], check=True, capture_output=True
        ).stdout
        tar = Path(folder) / "bot.tar"
        tar.write_bytes(archive)
        with tarfile.open(tar) as extracted:
            extracted.extractall(folder, filter="data")
        env = {**os.environ, "BENCH_MATCHER_CODE": folder}
        done = subprocess.run(
            [sys.executable, __file__, "--accuracy-json"], env=env, check=True, capture_output=True
        )
    return cast(dict[str, Any], json.loads(done.stdout))


def _pair(before: dict[str, Any] | None, after: dict[str, Any], *keys: Any) -> str:
    def get(found: Any) -> Any:
        for key in keys:
            found = found[key]
        return found

    return f"{get(before)} → {get(after)}" if before else str(get(after))


def report_accuracy(after: dict[str, Any], before: dict[str, Any] | None, label: str) -> None:
    print(f"\nAccuracy ({label})")
    print(
        "| set | completions | top-1 right | proposed | wrong proposals | two-in-one split "
        "right | non-completions proposed | one wrong item alone: proposed |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in LABELLED:
        n = after["sets"][name]
        print(
            f"| `{name}` | {n[0]} | {_pair(before, after, 'sets', name, 1)} | "
            f"{_pair(before, after, 'sets', name, 2)} | {_pair(before, after, 'sets', name, 3)} | "
            f"{_pair(before, after, 'sets', name, 4)} / {n[5]} | "
            f"{_pair(before, after, 'sets', name, 7)} of {n[6]} | "
            f"{_pair(before, after, 'sets', name, 9)} of {n[8]} |"
        )
    print(f"off-list proposed: {_pair(before, after, 'off_list', 1)} of {after['off_list'][0]}")
    print("\n| replies.tsv shape | rows judged | right |")
    print("| --- | ---: | ---: |")
    for shape in REPLY_SHAPES:
        total = after["shapes"][shape][1]
        print(f"| {shape} | {total} | {_pair(before, after, 'shapes', shape, 0)} |")
    right = sum(r for r, _ in after["shapes"].values())
    total = sum(t for _, t in after["shapes"].values())
    was = f"{sum(r for r, _ in before['shapes'].values())} → " if before else ""
    print(f"| all | {total} | {was}{right} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--builds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--large", type=int, default=300)
    parser.add_argument("--before", help="a git revision to compare the accuracy with")
    parser.add_argument("--accuracy-json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.accuracy_json:
        json.dump(accuracy(Matcher(known_items=known_items())), sys.stdout)
        return

    builds = []
    matcher = None
    for _ in range(args.builds):
        started = time.perf_counter()
        matcher = Matcher(known_items=known_items())
        builds.append((time.perf_counter() - started) * 1000)
    assert matcher is not None
    cases = [(c.holder, c.text) for name in (*LABELLED, OFF_LIST) for c in read_cases(name)]
    cases += [(r.holder, r.text) for r in read_replies() if r.kind in (None, *NAMING_KINDS)]
    sample = [
        (lambda holder=holder, text=text: matcher.match(text, holder_candidates(holder)))
        for holder, text in cases
    ]
    big = large_list(args.large)
    started = time.perf_counter()
    matcher.match("组织观看警示教育片", big)
    index_ms = (time.perf_counter() - started) * 1000
    large = [(lambda text=text: matcher.match(text, big)) for _, text in cases]

    print(f"matcher build (ms), median of {args.builds}: {statistics.median(builds):.0f}")
    print(f"first message against a new list of {args.large} items (ms): {index_ms:.1f}")
    print(f"{len(cases)} messages x {args.rounds} rounds, after one warm-up round")
    print(
        "| candidates | messages | p50 (µs) | p99 (µs) | max (µs) | CPU p50 (µs) | CPU p99 (µs) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, calls in (
        ("sample holder's list (2–14 items)", sample),
        (f"{args.large} open items", large),
    ):
        wall, cpu = timed(calls, args.rounds)
        print(
            f"| {label} | {len(wall)} | {percentile(wall, 0.5):.0f} | "
            f"{percentile(wall, 0.99):.0f} | {max(wall):.0f} | "
            f"{percentile(cpu, 0.5):.0f} | {percentile(cpu, 0.99):.0f} |"
        )

    before = accuracy_at(args.before) if args.before else None
    report_accuracy(accuracy(matcher), before, f"{args.before} → this tree" if before else "")


if __name__ == "__main__":
    main()
