"""Benchmark: the matcher's start-up and its time per message (sample holders, 300 open items)."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.services.records.matcher import Candidate, Matcher  # noqa: E402
from tests.services.matcher_cases import (  # noqa: E402
    LABELLED,
    OFF_LIST,
    holder_candidates,
    known_items,
    read_cases,
)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--builds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--large", type=int, default=300)
    args = parser.parse_args()

    builds = []
    matcher = None
    for _ in range(args.builds):
        started = time.perf_counter()
        matcher = Matcher(known_items=known_items())
        builds.append((time.perf_counter() - started) * 1000)
    assert matcher is not None
    cases = [case for name in (*LABELLED, OFF_LIST) for case in read_cases(name)]
    sample = [
        (lambda case=case: matcher.match(case.text, holder_candidates(case.holder)))
        for case in cases
    ]
    big = large_list(args.large)
    started = time.perf_counter()
    matcher.match("组织观看警示教育片", big)
    index_ms = (time.perf_counter() - started) * 1000
    large = [(lambda case=case: matcher.match(case.text, big)) for case in cases]

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


if __name__ == "__main__":
    main()
