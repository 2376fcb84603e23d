"""Plain-Chinese questions about what is outstanding: "谁还没交季度自查" → a Question, else None.

The matcher's own tokenizer cuts the text; a small intent table (word groups, each with where in
a clause it must stand) says whether it asks about outstanding items or this quarter's progress;
then the item, the person or "我" it names decide the kind. Sentences that match no row are not
questions here, and fall through to the record matcher.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.services.records.matcher import Candidate, Matcher


class Kind(StrEnum):
    """What a question asks."""

    UNIT_PENDING = "unit_pending"  # 我们单位还有哪些没完成
    OWN_PENDING = "own_pending"  # 我还有哪些没完成
    WHO_MISSING_ITEM = "who_missing_item"  # 谁还没交季度自查
    PERSON_PENDING = "person_pending"  # 张三还差什么
    QUARTER_PROGRESS = "quarter_progress"  # 本季度完成得怎么样


@dataclass(frozen=True)
class Question:
    """A question found in a message; `name` set and `person_ids` empty: nobody by that name."""

    kind: Kind
    items: tuple[str, ...] = ()  # item codes named (narrows any kind)
    name: str | None = None
    person_ids: tuple[int, ...] = ()
    own: bool = False  # asks about the sender ("我")
    unit_code: str | None = None  # a unit named (admins ask about any unit)
    unit_name: str = ""  # how the text named it


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The word groups of the intent table (tokens as the matcher cuts and folds them).
ASK_WHICH = _words("哪些 哪个 哪几 哪几个 哪几项 哪位 哪些人 谁 什么 啥 哪 几项 几个 多少 哪儿")
MISSING = _words(
    "没 没有 未 尚未 还没 还没有 还未 欠 还欠 差 还差 缺 漏 待办 未完成 没完成 没交 未交 逾期 超期 拖欠"
)
FINAL_ASK = _words("吗 么 没 没有 呢 没呢")
DONE = _words("完成 交 提交 上交 报 报送 填 填报 交齐 做完 完成率")
ALREADY = _words("了 都 已 已经 全 全部")  # 都交了吗 asks whether it is done; 要报送吗 asks how
PROGRESS_ASK = _words("怎么样 如何 咋样 怎样 多少 几成")
PROGRESS_NOUN = _words("完成 进度 进展 完成率 情况 完成情况 落实 落实情况")
BLOCK = _words("为什么 为何 什么时候 何时 怎么办 怎么 哪里 能否 可否 要不要 需不需要")
TRAILING = _words("? 项 个 呢 啊 呀 了 啦 吧")
# (meaning, ((group, where), …)): where "any" (anywhere), "inner" (not a clause's final
# 没/没有, which only ask), "final" (the clause's last word, trailing particles aside)
INTENT_TABLE: tuple[tuple[str, tuple[tuple[frozenset[str], str], ...]], ...] = (
    ("progress", ((PROGRESS_ASK, "final"), (PROGRESS_NOUN, "any"))),
    ("pending", ((ASK_WHICH, "any"), (MISSING, "inner"))),
    ("pending", ((FINAL_ASK, "final"), (DONE, "any"), (ALREADY, "any"))),
)
SELF = _words("我 我的 本人 自己 俺")
# words around a subject that name no one: pronouns, the unit, periods, particles, the verbs
FUNCTION = SELF | _words(
    "我们 咱们 咱 大家 单位 本单位 我们单位 全单位 同志 人 人员 事项 工作 任务 清单 还 还有 有 "
    "都 的 是 了 得 现在 目前 已经 一下 请问 查 看看 本季度 季度 这个 这 本 本月 今年 年度 "
    "上半年 下半年 截至 到 为止 一共 总共 共 的话 和"
)
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡杜叶程苏魏"
    "吕丁沈姚卢姜崔谭陆汪范廖贾夏韦邹孟熊秦邱尹薛闫段雷侯史陶黎贺顾毛郝龚邵钱严覃武戴莫孔汤"
    "康施牛樊葛邢齐乔伍庞颜倪庄聂鲁岳翟殷詹欧耿焦俞柳祝阮柯梅童凌裴霍涂苗谷盛翁冉骆蓝辛靳柴"
    "鲍喻祁蒲滕屈饶艾尤穆卓缪褚娄窦戚岑宫费卜冷晏席柏瞿桂佟臧闵邬卞栾隋刁巫寇桑郎甄仲敖巩佘"
)
_CODE = re.compile(r"[a-z]{1,3}\d{1,5}")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def _clause_views(clauses: Sequence[Sequence[str]]) -> dict[str, set[str]]:
    views: dict[str, set[str]] = {"any": set(), "inner": set(), "final": set()}
    for clause in clauses:
        words = [w for w in clause if w.strip()]
        end = len(words)
        while end > 0 and words[end - 1] in TRAILING:
            end -= 1
        if end == 0:
            continue
        views["any"].update(words)
        views["final"].add(words[end - 1])
        last_asks = words[end - 1] in FINAL_ASK
        views["inner"].update(words[: end - 1] if last_asks else words[:end])
        views["inner"].update(words[end:])
    return views


def meaning(matcher: Matcher, text: str) -> str | None:
    """ "pending" or "progress" when the intent table finds a question about them (no database)."""
    views = _clause_views(matcher.analyse(text).clauses)
    if views["any"] & BLOCK:
        return None
    for found, groups in INTENT_TABLE:
        if all(views[where] & group for group, where in groups):
            return found
    return None


def parse_question(
    matcher: Matcher,
    text: str,
    *,
    names: Mapping[str, Sequence[int]],
    items: Sequence[tuple[str, str]] = (),
    units: Sequence[tuple[str, str]] = (),
) -> Question | None:
    """The question `text` asks, or None. `names`: people's names → ids (the sender's unit, or
    the district for admins); `items`: (code, 责任内容) held there; `units`: (code, name)."""
    found = meaning(matcher, text)
    if found is None:
        return None
    folded = matcher.analyse(text).folded
    unit_code = named_unit(folded, units)
    for _code, unit_name in sorted(units, key=lambda unit: len(unit[1]), reverse=True):
        if unit_name:
            folded = folded.replace(unit_name, " ")
    name = next((n for n in sorted(names, key=len, reverse=True) if n and n in folded), None)
    rest = folded.replace(name, " ") if name else folded
    tokens = [w for clause in matcher.analyse(rest).clauses for w in clause]
    own = bool(SELF & set(tokens)) and name is None
    codes = _item_codes(matcher, rest, tokens, items)
    if name is None and not own:
        name = _unknown_name(matcher, tokens, codes)
    ids = tuple(names.get(name, ())) if name else ()
    if found == "progress":
        kind = Kind.QUARTER_PROGRESS
    elif name is not None:
        kind = Kind.PERSON_PENDING
    elif own:
        kind = Kind.OWN_PENDING
    else:
        kind = Kind.WHO_MISSING_ITEM if codes else Kind.UNIT_PENDING
    unit_name = next((n or c for c, n in units if c == unit_code), "")
    return Question(kind, tuple(codes), name, ids, own, unit_code, unit_name)


def named_unit(folded: str, units: Sequence[tuple[str, str]]) -> str | None:
    """The code of the unit the text names: the longest name found wins (区委组织部 over 区委),
    then the longest code; None when it names none."""
    by_name = [(len(name), code) for code, name in units if name and name in folded]
    by_code = [(len(code), code) for code, _name in units if code and code.lower() in folded]
    found = max(by_name, default=None) or max(by_code, default=None)
    return None if found is None else found[1]


def _subject(tokens: Sequence[str]) -> list[str]:
    """The words before the question's first marker: who or what it is about."""
    markers = ASK_WHICH | MISSING | DONE | PROGRESS_ASK | PROGRESS_NOUN | FINAL_ASK
    words = []
    for token in tokens:
        if token in markers or token in ("还", "还有", "都", "有"):
            break
        words.append(token)
    return words


def _content_words(tokens: Sequence[str]) -> list[str]:
    markers = ASK_WHICH | MISSING | DONE | PROGRESS_ASK | PROGRESS_NOUN | FINAL_ASK | FUNCTION
    return [t for t in tokens if len(t) > 1 and _HAN.match(t) and t not in markers]


def _item_codes(
    matcher: Matcher, folded: str, tokens: Sequence[str], items: Sequence[tuple[str, str]]
) -> list[str]:
    """Items the question names: by code (C01), by words of their 责任内容, else by the matcher."""
    by_code = {code.lower(): code for code, _content in items}
    named = [by_code[c] for c in _CODE.findall(folded) if c in by_code]
    if named:
        return sorted(set(named))
    words = _content_words(_subject(tokens)) or _content_words(tokens)
    if not words or not items:
        return []
    contents = [(code, matcher.analyse(content).folded) for code, content in items]
    whole = "".join(words)
    found = [code for code, content in contents if whole in content]
    found = found or [code for code, content in contents if all(w in content for w in words)]
    if found:
        return found
    candidates = [Candidate(n, code, content) for n, (code, content) in enumerate(items)]
    result = matcher.match("已完成" + whole, candidates)
    return [result.confident.code] if result.confident is not None else []


def _unknown_name(matcher: Matcher, tokens: Sequence[str], codes: Sequence[str]) -> str | None:
    """A name-like subject nobody has (张三还差什么): two to four Han characters, a common
    surname first, not an item's words."""
    words = [w for w in _subject(tokens) if w not in FUNCTION]
    span = "".join(words)
    if codes or not 2 <= len(span) <= 4 or not _HAN.match(span) or span[0] not in SURNAMES:
        return None
    return span
