"""The day a sentence names (昨天, 上周五, 12月28日, 11.28 …), resolved against the sender's today."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable

__all__ = ["FUTURE_WINDOW", "named_day", "names_future", "past_day", "past_named"]

# a date without a year ahead of today by at most this is the coming one (党委会12月28日召开,
# sent on the 20th, is a plan), unless the sentence says it is done; otherwise the last one
FUTURE_WINDOW = datetime.timedelta(days=60)

# traditional characters of the words below (the matcher folds whole texts with OpenCC; this
# module stays usable on its own)
_FOLD = str.maketrans("週號後個禮這兩於", "周号后个礼这两于")
_NUMERALS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_NUMERALS |= {"七": 7, "八": 8, "九": 9, "十": 10, "天": 7, "日": 7, "末": 6}
_NUM = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
_RELATIVE = {"大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "昨晚": -1, "昨早": -1}
_RELATIVE |= {"今天": 0, "今日": 0, "今早": 0, "今晚": 0, "明天": 1, "明日": 1, "明早": 1}
_RELATIVE |= {"明晚": 1, "后天": 2, "大后天": 3}
# what follows a number that is an amount, not a date (3.5小时, 1-3月, 5号楼, 12/30人)
_UNITS = "万千百元人次个份名天小时年月季周期级层件条户家斤亩页篇项分秒%号楼线栋室"
_RELATIVE_PAST = re.compile(
    r"前天|昨[天日晚早]|(?<!每)上上?个?(?:周|星期|礼拜)[一二三四五六日天1-7]"
)
# days a sentence may plan for without naming them as a day (元旦前, 月底, 12月中旬): a plan
# when they are ahead, never the day something happened (国庆节前 is not 10月1日)
_HOLIDAYS = {"元旦": (1, 1), "五一": (5, 1), "劳动节": (5, 1), "六一": (6, 1), "七一": (7, 1)}
_HOLIDAYS |= {"建党节": (7, 1), "八一": (8, 1), "建军节": (8, 1), "国庆": (10, 1)}
_HOLIDAY = re.compile("|".join(_HOLIDAYS))
_PERIOD = re.compile(rf"(?<![\d.])({_NUM})\s*月\s*(上旬|中旬|下旬|初|中|底|末|份)")
_PERIOD_START = {"上旬": 1, "初": 1, "份": 1, "中旬": 11, "中": 11, "下旬": 21, "底": 25, "末": 25}
_MONTH_END = re.compile(r"(?<![\d一二三四五六七八九十])月[底末]|(?<!\d)年[底末]")
_DONE = re.compile(r"(?<![为除])了(?!解)|已")  # 开了, 已开 (but 了解, 为了, 除了)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("full", re.compile(r"(?<!\d)(\d{4})\s*([年./-])\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*[日号]?")),
    ("month", re.compile(rf"(?<![\d.])({_NUM})\s*月\s*({_NUM})\s*[日号]")),
    # 12月28召开 (no 日): digits only, not an amount (3月15个, 12月28人)
    ("month", re.compile(rf"(?<![\d.])({_NUM})\s*月\s*(\d{{1,2}})(?![\d日号{_UNITS}])")),
    # 于11.28召开: a Chinese character may come before, a letter, digit or mark may not
    ("numeric", re.compile(r"(?<![0-9A-Za-z_.:/-])(\d{1,2})([./-])(\d{1,2})(?![\d.:/-])")),
    ("relative", re.compile("|".join(sorted(_RELATIVE, key=len, reverse=True)))),
    (
        "weekday",
        re.compile(r"(?<!每)(上上|上|下下|下|本|这)?个?(?:周|星期|礼拜)([一二三四五六日天末1-7])"),
    ),
    ("of_month", re.compile(rf"(上上|上|本|这)个?月\s*({_NUM})\s*[日号]")),
    ("day", re.compile(r"(?<![\d月第.])(\d{1,2})\s*([日号])(?!会议室|[楼线文令院件室房门窗车馆])")),
)


def _number(text: str) -> int:
    """12, 十二, 二十八, 三十一 → the number (0 if it is none)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _NUMERALS.get(text, 0) if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    value = (_NUMERALS.get(tens, 0) if tens else 1) * 10
    return value + (_NUMERALS.get(ones, 0) if ones else 0)


def _day(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _recent_or_coming(
    options: list[datetime.date], today: datetime.date, done: bool
) -> datetime.date | None:
    """Today if it is one; else the coming one if it is near and the sentence is not marked
    done; else the last one."""
    if today in options:
        return today
    coming = [day for day in options if today < day <= today + FUTURE_WINDOW]
    if coming and not done:
        return min(coming)
    past = [day for day in options if day <= today]
    return max(past) if past else None


def _full(match: re.Match[str], today: datetime.date, done: bool) -> datetime.date | None:
    return _day(int(match.group(1)), int(match.group(3)), int(match.group(4)))


def _this_or_last(month: int, day: int, today: datetime.date, done: bool) -> datetime.date | None:
    years = (today.year - 1, today.year, today.year + 1)
    options = [found for year in years if (found := _day(year, month, day)) is not None]
    return _recent_or_coming(options, today, done)


def _month(match: re.Match[str], today: datetime.date, done: bool) -> datetime.date | None:
    return _this_or_last(_number(match.group(1)), _number(match.group(2)), today, done)


def _numeric(match: re.Match[str], today: datetime.date, done: bool) -> datetime.date | None:
    rest = match.string[match.end() : match.end() + 1]
    if rest and rest in _UNITS:
        return None  # 3.5小时, 1-3月
    if match.group(2) == "." and len(match.group(3)) == 1 and not rest:
        return None  # a decimal at the end (得分9.5) rather than 11.28
    return _this_or_last(int(match.group(1)), int(match.group(3)), today, done)


def _relative(match: re.Match[str], today: datetime.date, done: bool) -> datetime.date | None:
    return today + datetime.timedelta(days=_RELATIVE[match.group(0)])


def _weekday(match: re.Match[str], today: datetime.date, done: bool) -> datetime.date | None:
    which, name = match.group(1) or "", match.group(2)
    weekday = _NUMERALS[name] if name in _NUMERALS else int(name)
    if not 1 <= weekday <= 7:
        return None
    monday = today - datetime.timedelta(days=today.weekday())
    weeks = {"上上": -2, "上": -1, "下": 1, "下下": 2, "本": 0, "这": 0}
    if which:
        return monday + datetime.timedelta(weeks=weeks[which], days=weekday - 1)
    ahead = (weekday - 1 - today.weekday()) % 7  # a bare 周五: the coming one, unless done
    if done and ahead:
        ahead -= 7
    return today + datetime.timedelta(days=ahead)


def _month_day(match: re.Match[str], today: datetime.date, done: bool) -> datetime.date | None:
    day = int(match.group(1))
    options = []
    for shift in (-1, 0, 1):
        year, month = divmod(today.year * 12 + today.month - 1 + shift, 12)
        found = _day(year, month + 1, day)
        if found is not None:
            options.append(found)
    return _recent_or_coming(options, today, done)


def _of_month(match: re.Match[str], today: datetime.date, done: bool) -> datetime.date | None:
    shift = {"上上": -2, "上": -1}.get(match.group(1), 0)
    year, month = divmod(today.year * 12 + today.month - 1 + shift, 12)
    return _day(year, month + 1, _number(match.group(2)))


_RESOLVE: dict[str, Callable[[re.Match[str], datetime.date, bool], datetime.date | None]] = {
    "full": _full,
    "month": _month,
    "numeric": _numeric,
    "relative": _relative,
    "weekday": _weekday,
    "of_month": _of_month,
    "day": _month_day,
}


def named_day(text: str, *, today: datetime.date) -> datetime.date | None:
    """The day the text names, the earliest mention in it first; None if it names none.

    A month and day without a year is the last such day up to today, or the coming one when it
    is at most FUTURE_WINDOW ahead and the sentence carries no 了/已; a bare weekday (周五) is
    the coming one (today included) unless the sentence carries 了/已, then the last one. The
    day may lie after today: the caller decides what a future day means (a plan)."""
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD)
    done = _DONE.search(folded) is not None
    found: list[tuple[int, datetime.date]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(folded):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue  # 28日 inside 12月28日 already read
            day = _RESOLVE[kind](match, today, done)
            if day is not None:
                found.append((match.start(), day))
                taken.append(match.span())
    return min(found)[1] if found else None


def past_named(text: str, *, today: datetime.date | None) -> bool:
    """Whether the text names a day before today (昨天, 上周五, 11月3日 …); without `today`,
    only a day named relative to it (昨天, 前天, 上周五)."""
    if today is None:
        folded = unicodedata.normalize("NFKC", text).translate(_FOLD)
        return _RELATIVE_PAST.search(folded) is not None
    day = named_day(text, today=today)
    return day is not None and day < today


def names_future(text: str, *, today: datetime.date, done: bool = False) -> bool:
    """Whether the text names a day after today, or (unless it is `done` or says 了/已) a
    holiday, a month's part or the month's or year's end ahead within FUTURE_WINDOW (元旦前,
    12月中旬, 月底)."""
    day = named_day(text, today=today)
    if day is not None and day > today:
        return True
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD)
    if done or _DONE.search(folded):
        return False
    ahead: list[datetime.date | None] = []
    for match in _HOLIDAY.finditer(folded):
        ahead.append(_this_or_last(*_HOLIDAYS[match.group(0)], today, False))
    for match in _PERIOD.finditer(folded):
        start = _PERIOD_START[match.group(2)]
        ahead.append(_this_or_last(_number(match.group(1)), start, today, False))
    for match in _MONTH_END.finditer(folded):
        month = 12 if match.group(0)[0] == "年" else today.month
        following = datetime.date(today.year + month // 12, month % 12 + 1, 1)
        ahead.append(following - datetime.timedelta(days=1))
    return any(day is not None and today < day <= today + FUTURE_WINDOW for day in ahead)


def past_day(text: str, today: datetime.date | None) -> datetime.date | None:
    """The day the text names if it is not after today (None without `today`)."""
    if today is None:
        return None
    day = named_day(text, today=today)
    return day if day is not None and day <= today else None
