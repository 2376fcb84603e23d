"""A 履责记实 as a 半年报告 line: dated by its day, third person, no time words, ending in 。."""

from __future__ import annotations

import re
from datetime import date

from bot.services.plain_text import strip_controls

_WEEKDAY = "[一二三四五六日天末1-7]"
_AMOUNT = "万千百元人次个份名天小时年月季周期级层件条户家斤亩页篇项分秒%号楼"
# what a sentence may open with that the line's date says better (traditional forms too)
_TIME = re.compile(
    "|".join(
        (
            r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号號]?",  # 2026年11月4日, 11月4日
            r"\d{4}[-./]\d{1,2}[-./]\d{1,2}",  # 2026-11-04
            rf"\d{{1,2}}[./]\d{{1,2}}(?![\d.{_AMOUNT}])",  # 11.4 (not 1.5万元)
            r"\d{1,2}\s*(?:[:：]\s*\d{2}|[点點时時](?:\s*\d{1,2}\s*分|半)?)(?:左右|许|許)?",  # 9:30
            r"大?前天|昨[天日晚早]|今[天日早晚晨]|当[天日]|當[天日]",
            rf"(?:上上|上|本|这|這)个?(?:周|週|星期|礼拜|禮拜){_WEEKDAY}?",
            rf"(?:周|週|星期|礼拜|禮拜){_WEEKDAY}",
            r"近日|日前|近期|最近|前几天|前幾天|这几天|這幾天|本月|这个月|這個月",
            r"上午|下午|中午|晚上|早上|早晨|傍晚|凌晨|晚间|晚間|夜间|夜間|午后|午後",
            r"刚刚|剛剛|刚才|剛才|方才|刚(?!性)|剛(?!性)",
        )
    )
)
# 我 / 我们 as the subject; 我镇、我局 … is how a unit names itself and stays
_SUBJECT = re.compile(
    r"(?:我们|我們|我)(?![镇鎮局委办辦区區县縣市乡鄉村部院所站校单單司街处處科室队隊])"
)
_WITH = re.compile(r"[和与與同跟及]")  # 我和… needs a subject: 本人和…
# the same subject opening a later clause (after ，；。): …事项，我们全体班子成员参加 — never
# 我们的 / 我的 (a possessive stays) nor 我镇 (the unit)
_CLAUSE_SUBJECT = re.compile(
    r"(?<=[，；。！？：])(?:我们|我們|我)"
    r"(?![镇鎮局委办辦区區县縣市乡鄉村部院所站校单單司街处處科室队隊的地得们們])"
)
_SEPARATORS = " \t\u3000，,、：:；;。."
_ENDINGS = " \t\u3000。.!！?？,，;；、~～…"
_SENTENCE_END = "。！？；!?;"
# ASCII marks between Chinese words (not inside 1,000 or 9:30)
_ASCII = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
_ASCII_MARK = re.compile(r"(?<!\d)[,;:!?]|[,;:!?](?!\d)")


def report_line(text: str, day: date) -> str:
    """`text` as the report says it: "11月4日，主持召开党委会专题研究党风廉政建设。" — the day
    from `day`, the opening time words (今天上午, 昨天, 刚才, 11月4日 …) and the first-person
    subject (我, 我们; 本人 before 和/与) dropped, the lines joined by ；, ending in 。."""
    head = f"{day.month}月{day.day}日"
    lines = [line.strip() for line in strip_controls(text).split("\n")]
    lines = [line for line in lines if line.strip(_ENDINGS)]
    if not lines:
        return f"{head}。"
    lines[0] = _opening(lines[0])
    said = ""
    for line in (line for line in lines if line.strip(_ENDINGS)):
        if said and said[-1] not in _SENTENCE_END:
            said += "；"
        said += _clauses(_marks(line))
    said = said.rstrip(_ENDINGS)
    return f"{head}，{said}。" if said else f"{head}。"


def _opening(line: str) -> str:
    """The first line without its opening time words and first-person subject."""
    while True:
        before = line
        line = line.lstrip(_SEPARATORS)
        found = _TIME.match(line)
        if found and found.end():
            line = line[found.end() :]
            continue
        found = _SUBJECT.match(line)
        if found:
            rest = line[found.end() :].lstrip(_SEPARATORS)
            line = f"本人{rest}" if _WITH.match(rest) else rest
            continue
        if line == before:
            return line


def _clauses(line: str) -> str:
    """A clause's opening 我 / 我们 dropped (本人 before 和/与), as the line's first one is."""
    return _CLAUSE_SUBJECT.sub(lambda found: "本人" if _WITH.match(line, found.end()) else "", line)


def _marks(line: str) -> str:
    """ASCII , ; : ! ? written between Chinese words as their full-width forms."""
    return _ASCII_MARK.sub(lambda m: _ASCII[m.group()], line)
