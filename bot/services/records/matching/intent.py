"""What a message is: a completed thing, a plan, a negation, a question or an acknowledgement."""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Sequence
from enum import StrEnum

from bot.services.records.matching.analyse import Analysis, is_symbol
from bot.services.records.matching.dates import names_future, past_named
from bot.services.records.matching.lexicon import read_sections


class Intent(StrEnum):
    """Only COMPLETION may ever become a proposal."""

    COMPLETION = "completion"
    PLAN = "plan"
    NEGATION = "negation"
    QUESTION = "question"
    ACK = "ack"


# The rule table: the word lists are data (data/intent_words.txt). Tokens are folded
# (simplified, lower case) and cut by the matcher's own tokenizer without HMM guessing; a pair
# is two adjacent tokens joined (改|到 → 改到), since the cut may split a marker. A weak marker
# counts only in a clause without a completion cue.
_WORDS = read_sections("intent_words.txt")
COMPLETION_CUES = _WORDS["completion_cues"]
DONE_BEFORE = _WORDS["done_before"]  # what a deadline yields to
ACK_WORDS = _WORDS["ack_words"]
# questions
QUESTION_ANYWHERE = _WORDS["question_anywhere"]
QUESTION_FINAL = _WORDS["question_final"]
QUESTION_LAST_WORDS = _WORDS["question_last_words"]  # 讲几次 asks, 找了几个…谈心 tells
QUESTION_WORDS = _WORDS["question_words"]
A_NOT_A = re.compile(r"(\w)[不没]\1")  # 能不能, 开没开, 算不算
QUESTION_WEAK = _WORDS["question_weak"]  # 研究如何落实 is a statement: a question clause-first
INSPECT_VERBS = _WORDS["inspect_verbs"]  # …检查各村是否公开: an embedded 是否
# negations
NEGATION_WORDS = _WORDS["negation_words"]
NEGATION_PREFIXES = tuple(sorted(_WORDS["negation_prefixes"]))  # 没开, 未开展 …
NOT_NEGATION = _WORDS["not_negation"]
NOT_VERBS = _WORDS["not_verbs"]  # 不|开 (不力, 不少于, 不定期 are words of their own)
CALLED_OFF = _WORDS["called_off"]
FINDINGS = _WORDS["findings"]  # 未发现问题, 没有一人缺席: about the findings, not the act
FOUND_VERBS = _WORDS["found_verbs"]  # 发现2个村未公开
# plans
PLAN_STRONG = _WORDS["plan_strong"]
PLAN_WEAK = _WORDS["plan_weak"]
PLAN_WEAK_PREFIXES = tuple(sorted(_WORDS["plan_weak_prefixes"]))
DEADLINE = re.compile(
    r"(下班|月底|月末|年底|年末|周[一二三四五六日末]|星期[一二三四五六日天]|\d+[日号])前"
)
REQUEST = _WORDS["request"]  # 请|于 …
SPEECH_VERBS = _WORDS["speech_verbs"]  # 提醒大家要…: reported speech, not a plan
FOLLOW_UP = _WORDS["follow_up"]
NEXT_AFTER_XIA = _WORDS["next_after_xia"]
WEEKDAYS = _WORDS["weekdays"]
# 计划 and 准备 are also nouns (工作计划, 准备工作, 计划已印发); 将 is also 把 (将名单公示)
PLAN_NOUN_BEFORE = _WORDS["plan_noun_before"]
PLAN_NOUN_AFTER = COMPLETION_CUES | _WORDS["plan_noun_after"]
WILL_AFTER_JIANG = _WORDS["will_after_jiang"]
# stalls, work in progress, promises, absence (回头再说, 在做了, 会按时完成的, 出差了): plans
STALL = _WORDS["stall"]
IN_TIME = re.compile(r"(本|这|今|这个)(周|星期|礼拜|月|季度|季|年)内|[\d一二两三几]+(天|日|周)内")
# refusals (不是我负责的, 作废): negations; confusion (看不懂, 发错了吧): questions back
REFUSAL = _WORDS["refusal"]
CONFUSED = _WORDS["confused"]
NOISE = _WORDS["noise"]  # 测试, 1: acknowledgements
DONE_WORDS = _WORDS["done_words"]
_LATIN_OR_DIGITS = re.compile(r"^[0-9a-z.]{1,8}$")


def _pairs(clause: Sequence[str]) -> list[str]:
    return [first + second for first, second in itertools.pairwise(clause)]


def _asks(clause: Sequence[str]) -> bool:
    words = [token for token in clause if not is_symbol(token)]
    if not words:
        return False
    last = words[-1]
    if last in QUESTION_FINAL and not (last == "没" and len(words) > 1 and words[-2] != "了"):
        return True  # …吗, …不, 开了没 (but 还没 is a negation)
    if last == "没有" and len(words) > 1 and words[-2] == "了":
        return True
    if last in QUESTION_LAST_WORDS:
        return True
    if words[0] in QUESTION_WEAK or A_NOT_A.search("".join(words)):
        return True
    for i, token in enumerate(words):
        if token in QUESTION_ANYWHERE or token in QUESTION_WORDS:
            return True
        if token == "是否" and not any(word in INSPECT_VERBS for word in words[:i]):
            return True
    return False


def _negates(clause: Sequence[str]) -> bool:
    pairs = _pairs(clause)
    for i, token in enumerate(clause):
        if token in CALLED_OFF or (i < len(pairs) and pairs[i] in CALLED_OFF | NEGATION_WORDS):
            return True  # 推迟; 改|到, 还|差 (the cut may split a marker)
        if token == "不" and i + 1 < len(clause) and clause[i + 1] in NOT_VERBS:
            return True  # 不|开 (but 不力, 不少于, 不定期 are words of their own)
        negation = token in NEGATION_WORDS or (
            token.startswith(NEGATION_PREFIXES) and token not in NOT_NEGATION
        )
        if not negation:
            continue
        following = clause[i + 1 : i + 5]
        if following and following[0] in FINDINGS:
            continue  # 未发现问题
        if "的" in following:
            continue  # 约谈了未按期整改的村书记: the negation describes someone, not the act
        if any(word in FOUND_VERBS for word in clause[:i]):
            continue  # 检查中发现2个村未按时公开: a finding reported, the check was done
        return True
    return False


def _has(clause: Sequence[str], words: frozenset[str]) -> bool:
    """A token or two or three adjacent tokens joined (不是|我, 不|归|我) is among `words`."""
    return any(
        "".join(clause[start : start + size]) in words
        for size in (1, 2, 3)
        for start in range(len(clause) - size + 1)
    )


def _plans(clause: Sequence[str]) -> bool:
    done = any(token in COMPLETION_CUES for token in clause)
    if any(pair in PLAN_STRONG for pair in _pairs(clause)) or _has(clause, STALL):
        return True  # 定|在, 安排|在; 回头再说, 过|两天, 在|做
    joined = "".join(clause)
    if (DEADLINE.search(joined) or IN_TIME.search(joined)) and not any(
        token in DONE_BEFORE for token in clause
    ):
        return True  # 周五前把责任书签了, 本周内召开… (but 已于月底前完成)
    for i, token in enumerate(clause):
        before = clause[i - 1] if i > 0 else ""
        after = clause[i + 1] if i + 1 < len(clause) else ""
        if token in PLAN_STRONG:
            return True
        verbal = after and before not in PLAN_NOUN_BEFORE and after not in PLAN_NOUN_AFTER
        if token in {"计划", "准备"} and verbal:
            return True
        if token == "将" and after in WILL_AFTER_JIANG:
            return True
        if token == "请" and i == 0 and after in REQUEST:
            return True
        if token == "下" and (after in NEXT_AFTER_XIA or after in WEEKDAYS):
            return True
        if token == "会" and after and before in {"", "我", "我们", "都", "也", "就", "收到"}:
            return True  # 会按时完成的 (but 开了|会: the meeting)
        weak = token in PLAN_WEAK or token + after in PLAN_WEAK
        if done or not (weak or token.startswith(PLAN_WEAK_PREFIXES)):
            continue
        if not any(word in SPEECH_VERBS for word in clause[:i]):
            return True
    return False


def _acknowledges(clause: Sequence[str]) -> bool:
    words = [token for token in clause if not is_symbol(token)]
    if "".join(words) in ACK_WORDS | NOISE:
        return True  # 没|问题, 测试|一下
    return all(
        token in ACK_WORDS or token in NOISE or _LATIN_OR_DIGITS.match(token) for token in words
    )


def _follows_up(clause: Sequence[str]) -> bool:
    words = [token for token in clause if not is_symbol(token)]
    return bool(words) and (words[0] in FOLLOW_UP or "".join(words[:2]) in FOLLOW_UP)


def _kind(clause: Sequence[str]) -> Intent:
    if _asks(clause) or _has(clause, CONFUSED):
        return Intent.QUESTION
    if _negates(clause) or _has(clause, REFUSAL):
        return Intent.NEGATION
    if _plans(clause):
        return Intent.PLAN
    return Intent.COMPLETION


def classify(
    analysis: Analysis, *, today: datetime.date | None = None, done: bool = False
) -> Intent:
    """Apply the rule table clause by clause; a clear marker anywhere wins over completion,
    except a closing "下一步…" after something done (report boilerplate, not a plan). With the
    sender's `today`, a sentence naming a later day is a plan (党委会12月28日召开); a holiday
    or a month's end ahead (元旦前…) only when the sentence is not `done` (by its context)."""
    if analysis.asks:
        return Intent.QUESTION
    found: set[Intent] = set()
    for clause in analysis.clauses:
        if _acknowledges(clause):
            continue
        kind = _kind(clause)
        if kind is Intent.PLAN and Intent.COMPLETION in found and _follows_up(clause):
            continue
        found.add(kind)
    if (
        Intent.COMPLETION in found
        and today
        and names_future(analysis.folded, today=today, done=done)
    ):
        found.add(Intent.PLAN)
    for intent in (Intent.QUESTION, Intent.NEGATION, Intent.PLAN, Intent.COMPLETION):
        if intent in found:
            return intent
    return Intent.ACK


def marked(analysis: Analysis, *, today: datetime.date | None = None) -> bool:
    """Whether the text carries a sign that something was done: a completion cue (了, 已, 开完),
    a completed result (完成, 办结, 签完) or, with the sender's `today`, a past day it names."""
    for clause in analysis.clauses:
        if _has(clause, COMPLETION_CUES | DONE_WORDS):
            return True  # 开了, 已完成, 开|完
        if any(
            token.endswith("完") and (len(token) > 1 or n > 0) for n, token in enumerate(clause)
        ):
            return True  # 签完, 讲完, 听|完
    return past_named(analysis.folded, today=today)


def list_intent(intents: Sequence[Intent]) -> Intent:
    """A list's intent from its items': a completion when any item is one (1.开了党委会
    2.下周讲党课), else the first kind found by the usual order; ACK when all acknowledge."""
    for intent in (Intent.COMPLETION, Intent.QUESTION, Intent.NEGATION, Intent.PLAN):
        if intent in intents:
            return intent
    return Intent.ACK
