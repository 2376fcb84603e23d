"""Judging the matcher on one row of replies.tsv (shared by the tests and bench/bench_matcher.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from bot.services.ledger.builtin import RESERVED_CODES
from bot.services.records.matcher import Matcher, MatchResult, Outcome
from tests.services.matcher_cases import NAMING_KINDS, Reply, holder_candidates, read_replies

# Rows replying to a confirmation, a /records page, a digest, a proposal, a notice or a prompt
# are the service's business (proposals.py): the matcher is judged on plain messages and on
# replies to a card, a reminder or a 催办 (the items they name passed as `named`).
JUDGED = [reply for reply in read_replies() if reply.kind in (None, *NAMING_KINDS)]


@dataclass(frozen=True)
class Verdict:
    """One judged row: right or not, and the result it was judged on."""

    reply: Reply
    result: MatchResult
    right: bool


def _day_right(reply: Reply, day: datetime.date | None) -> bool:
    if reply.happened_on == reply.sent_on:
        return day in (None, reply.sent_on)
    return day == reply.happened_on


def judge(matcher: Matcher, reply: Reply) -> Verdict:
    """Match one row against its holder's list, on its day, with the items it replies to.

    !INTENT: not a completion. -: no confident proposal, nothing sure. ?, ?X: nothing sure (X
    offered). X, X+Y: exactly those items sure, each on the expected day. A proposal of 季度自查
    or 半年报告 counts as none: the service refuses it (they are handed in by their own flows)."""
    candidates = holder_candidates(reply.holder)
    named = [candidate.key for candidate in candidates if candidate.code in reply.named]
    result = matcher.match(reply.text, candidates, today=reply.sent_on, named=named)
    parts = result.parts if result.outcome is Outcome.SPLIT else [result]
    proposed = [
        part
        for part in parts
        if part.outcome is Outcome.CONFIDENT
        and part.confident is not None
        and part.confident.code not in RESERVED_CODES
    ]
    sure = [part for part in proposed if part.sure]
    offered = {candidate.code for part in parts for candidate, _ in part.ranked}
    if reply.expected.startswith("!"):
        right = result.outcome is Outcome.NOT_COMPLETION
    elif reply.expected == "-":
        right = not proposed
    elif reply.unsure:
        right = not sure and set(reply.offered) <= offered
    else:
        codes = sorted(part.confident.code for part in sure if part.confident)
        right = codes == sorted(reply.codes)
        right = right and all(_day_right(reply, part.happened_on) for part in sure)
    return Verdict(reply, result, right)
