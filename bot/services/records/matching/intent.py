"""What a message is: a completed thing, a plan, a negation, a question or an acknowledgement."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from enum import StrEnum

from bot.services.records.matching.analyse import Analysis, is_symbol


class Intent(StrEnum):
    """Only COMPLETION may ever become a proposal."""

    COMPLETION = "completion"
    PLAN = "plan"
    NEGATION = "negation"
    QUESTION = "question"
    ACK = "ack"


# The rule table. Tokens are folded (simplified, lower case) and cut by the matcher's own
# tokenizer without HMM guessing; a pair is two adjacent tokens joined (改|到 → 改到), since
# the cut may split a marker. A weak marker counts only in a clause without a completion cue.
COMPLETION_CUES = frozenset(
    {"了", "已", "已经", "已于", "完毕", "过", "办结", "开完", "开过", "好了"}
)  # fmt: skip
DONE_BEFORE = frozenset({"已", "已经", "已于", "完毕", "办结"})  # what a deadline yields to
ACK_WORDS = frozenset(
    {"收到", "好", "好的", "的", "明白", "明白了", "了", "知道", "知道了", "谢谢", "感谢", "多谢",
     "辛苦", "辛苦了", "嗯", "嗯嗯", "哦", "噢", "ok", "okay", "好嘞", "行", "可以", "没问题",
     "是", "是的", "对", "马上", "落实", "马上落实", "立即", "抓紧", "照办", "提醒", "您", "你",
     "啦", "哈", "哈哈", "收悉", "已阅", "阅", "谢", "领导", "清楚", "办", "马上办", "照做", "按",
     "要求", "按要求", "办理", "我", "来", "我来", "安排", "通知", "已", "一定", "遵照", "执行"}
)  # fmt: skip
# questions
QUESTION_ANYWHERE = frozenset({"吗"})
QUESTION_FINAL = frozenset({"吗", "么", "呢", "嘛", "否", "不", "没"})
# "讲几次" asks, "找了几个班子成员谈心" tells: these ask only at the end of a clause
QUESTION_LAST_WORDS = frozenset(
    {"几次", "几个", "几天", "几号", "几点", "多少", "多久", "多长时间"}
)
QUESTION_WORDS = frozenset(
    {"什么", "什么时候", "何时", "哪里", "哪儿", "哪些", "哪个", "哪天", "为什么", "为何", "怎么", "怎么办", "怎样", "咋", "啥", "能否", "可否", "有没有", "是不是",
     "要不要", "能不能", "可不可以", "需不需要", "算不算", "对不对", "行不行", "好不好", "哪",
     "请问", "请教", "咨询", "问一下", "想问"}
)  # fmt: skip
A_NOT_A = re.compile(r"(\w)[不没]\1")  # 能不能, 开没开, 算不算
QUESTION_WEAK = frozenset({"如何"})  # "研究如何落实" is a statement: a question only clause-first
# …检查各村是否公开: an embedded 是否, not a question
INSPECT_VERBS = frozenset(
    {"检查", "核查", "查看", "了解", "督查", "抽查", "核实", "排查", "对照", "看", "查", "审核",
     "评估", "督促", "确认", "调查", "检验", "考核", "询问", "掌握"}
)  # fmt: skip
# negations
NEGATION_WORDS = frozenset(
    {"没", "没有", "未", "尚未", "还没", "还未", "还没有", "暂未", "未能", "没能", "从未", "不曾",
     "并未", "暂时没有", "无法", "不能", "没法", "来不及", "还差", "忘", "忘了", "忘记", "不了",
     "开不了", "不成"}
)  # fmt: skip
NEGATION_PREFIXES = ("没", "未")  # 没开, 未开展 …
NOT_NEGATION = frozenset({"未来", "没收", "未成年", "未成年人", "没问题", "未必"})
# 不|开 (不力, 不少于, 不定期 are words of their own)
NOT_VERBS = frozenset(
    {"开", "召开", "讲", "签", "组织", "开展", "搞", "报", "报送", "参加", "举办", "去"}
)  # fmt: skip
CALLED_OFF = frozenset(
    {"推迟", "延期", "延后", "取消", "改期", "暂停", "搁置", "暂缓", "改到", "改在", "推到",
     "挪到", "延到", "顺延", "往后推"}
)  # fmt: skip
# 未发现问题, 没有一人缺席: the negation is about the findings, not the act
FINDINGS = frozenset(
    {"发现", "出现", "存在", "有", "问题", "违规", "违纪", "违法", "异常", "一人", "一个", "一例",
     "一起", "任何", "缺席", "遗漏", "漏", "一名", "一户", "一"}
)  # fmt: skip
FOUND_VERBS = frozenset(
    {"发现", "查出", "查实", "查明", "反映", "核实", "检查出"}
)  # 发现2个村未公开
# plans
PLAN_STRONG = frozenset(
    {"打算", "拟", "拟于", "拟在", "将于", "将在", "将要", "即将", "预计", "争取", "待", "等到",
     "计划于", "定于", "定在", "安排在", "择期", "尽快", "马上", "抓紧", "想", "近期将",
     "下一步", "准备于", "记得", "务必", "别忘", "别忘了"}
)  # fmt: skip
PLAN_WEAK = frozenset(
    {"要", "需要", "需", "应", "应当", "应该", "必须", "明天", "明日", "后天", "明年", "明早",
     "下月", "下个月", "下季度", "下一季度"}
)  # fmt: skip
PLAN_WEAK_PREFIXES = (
    "下周", "下星期", "下个", "下月", "下季度", "明天", "明日", "明早", "明晚", "后天"
)  # fmt: skip
DEADLINE = re.compile(
    r"(月底|月末|年底|年末|周[一二三四五六日末]|星期[一二三四五六日天]|\d+[日号])前"
)
REQUEST = frozenset({"于", "在", "尽快", "及时", "按时", "务必", "抓紧", "大家", "各"})  # 请|于 …
# 提醒大家要…: reported speech, not a plan
SPEECH_VERBS = frozenset(
    {"提醒", "要求", "强调", "叮嘱", "告诫", "督促", "指出", "提出", "表示", "明确", "号召"}
)  # fmt: skip
FOLLOW_UP = frozenset({"下一步", "下步", "今后", "接下来", "后续", "将继续", "继续", "下阶段"})
NEXT_AFTER_XIA = frozenset({"一步", "周", "星期", "个月", "月", "季度"})
WEEKDAYS = frozenset(
    {"周一", "周二", "周三", "周四", "周五", "周六", "周日", "周末", "星期一", "星期二",
     "星期三", "星期四", "星期五"}
)  # fmt: skip
# 计划 and 准备 are also nouns (工作计划, 准备工作, 计划已印发); 将 is also 把 (将名单公示)
PLAN_NOUN_BEFORE = frozenset(
    {"制定", "印发", "出台", "拟定", "完成", "修订", "下发", "编制", "起草", "审议", "通过", "研究",
     "工作", "年度", "整改", "学习", "培训", "的", "了", "按", "按照", "根据", "实施", "落实",
     "执行", "做", "做好", "充分", "前期", "会前"}
)  # fmt: skip
PLAN_NOUN_AFTER = COMPLETION_CUES | frozenset(
    {"书", "表", "方案", "安排", "任务", "要求", "的", "和", "工作", "材料", "情况", "阶段", "制定",
     "印发", "下发", "出台", "审议", "通过", "已经"}
)  # fmt: skip
WILL_AFTER_JIANG = frozenset(
    {"于", "在", "要", "会", "召开", "开展", "组织", "举办", "进行", "讲", "参加", "报送", "签订",
     "排查", "约谈", "检查", "与", "跟", "赴", "去", "到", "前往", "适时", "择期", "继续", "持续",
     "全面", "深入", "进一步", "认真"}
)  # fmt: skip


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


def _plans(clause: Sequence[str]) -> bool:
    done = any(token in COMPLETION_CUES for token in clause)
    if any(pair in PLAN_STRONG for pair in _pairs(clause)):
        return True  # 定|在, 安排|在
    if DEADLINE.search("".join(clause)) and not any(token in DONE_BEFORE for token in clause):
        return True  # 周五前把责任书签了, 月底前完成… (but 已于月底前完成)
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
        if done or not (token in PLAN_WEAK or token.startswith(PLAN_WEAK_PREFIXES)):
            continue
        if not any(word in SPEECH_VERBS for word in clause[:i]):
            return True
    return False


def _acknowledges(clause: Sequence[str]) -> bool:
    return all(is_symbol(token) or token in ACK_WORDS for token in clause)


def _follows_up(clause: Sequence[str]) -> bool:
    words = [token for token in clause if not is_symbol(token)]
    return bool(words) and (words[0] in FOLLOW_UP or "".join(words[:2]) in FOLLOW_UP)


def classify(analysis: Analysis) -> Intent:
    """Apply the rule table clause by clause; a clear marker anywhere wins over completion,
    except a closing "下一步…" after something done (report boilerplate, not a plan)."""
    if analysis.asks:
        return Intent.QUESTION
    found: set[Intent] = set()
    for clause in analysis.clauses:
        if _acknowledges(clause):
            continue
        if _asks(clause):
            found.add(Intent.QUESTION)
        elif _negates(clause):
            found.add(Intent.NEGATION)
        elif _plans(clause):
            if not (Intent.COMPLETION in found and _follows_up(clause)):
                found.add(Intent.PLAN)
        else:
            found.add(Intent.COMPLETION)
    for intent in (Intent.QUESTION, Intent.NEGATION, Intent.PLAN, Intent.COMPLETION):
        if intent in found:
            return intent
    return Intent.ACK
