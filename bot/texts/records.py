"""Chinese wording of 履责记实: proposals, confirmations, undo, refusals, item cards."""

from __future__ import annotations

from datetime import date
from html import escape

from bot.services.errors import RecordProblem, RecordRefused
from bot.services.records.choices import Choice
from bot.services.records.input_text import MAX_TEXT
from bot.services.records.matching.intent import Intent
from bot.services.records.proposals import Recorded
from bot.services.records.storing import Skipped
from bot.texts.ledger import period_label

EXAMPLE = "今天上午召开党委会专题研究了党风廉政建设"
HOW = (
    f"完成一项工作后，用一句话写明做了什么（如“{EXAMPLE}”）发给我；"
    "或直接<b>回复</b>提醒消息、清单中的事项卡片。"
)
LATE_PROMPT = "可点“补逾期说明”写一句逾期原因（可选）。"
NOT_INVITED = (
    "这条消息不用回复，您的回复<b>没有记入</b>任何内容。\n"
    "要记实：直接发一句话说明做了什么，或回复提醒消息、/my 清单中的事项卡片；"
    "要撤销或更正：点记实消息下的按钮，或发送 /records。"
)
NOTICE_REPLY = (
    "通知不用回复内容，没有记入履责记实。已阅请点通知下方的“已阅”按钮，或回复“收到”；"
    "如需说明情况，请直接联系发通知的管理员。"
)
NOTICE_READ = "已阅 ✓（已记下您已阅读这条通知）"
NOTICE_READ_BEFORE = "这条通知您已标记为已阅。"
NOT_COMPLETION = {
    Intent.PLAN: "这条消息像是<b>工作计划</b>或还没做完的事",
    Intent.NEGATION: "这条消息说的是<b>没有开展</b>、取消或不归您办的事",
    Intent.QUESTION: "这条消息像是一个<b>问题</b>",
    Intent.ACK: "这条消息像是<b>回复确认</b>（收到、好的）或没有具体内容",
}
REFUSED = {
    RecordProblem.NO_ITEMS: "您名下没有需要记实的事项（清单由管理员导入）。"
    "如有疑问，请联系本单位联络员或管理员。发送 /help 查看可用命令。",
    RecordProblem.EMPTY: "没有看到文字内容。请用一句话写明做了什么，例如：“" + EXAMPLE + "”。",
    RecordProblem.TOO_LONG: "内容过长（共 {detail} 字）：一条记实请控制在 "
    + str(MAX_TEXT)
    + " 字以内。可以分成几条发送，或精简后重发；原文仍在您的聊天记录里。",
    RecordProblem.NOT_YOURS: "这里的事项不在您的清单中，没有记入。发送 /my 查看您的事项。",
    RecordProblem.STALE: "这个按钮已失效（已处理过或已过期）。请重新发送内容，或发送 /records 查看记实。",
    RecordProblem.CANCELLED: "这个按钮已失效：这条内容已取消，没有记入履责记实。如需记入，请重新发送。",
    RecordProblem.FOREIGN: "这是别人的记实或待确认内容，您不能操作。",
    RecordProblem.UNDO_EXPIRED: "已超过 {detail} 分钟，不能撤销了。如需修改，请发送 /records 找到这条记实，点“更正”。",
    RecordProblem.ALREADY_UNDONE: "这条记实已撤销过了。",
    RecordProblem.ALREADY_CORRECTED: "这条记实已更正过（新记录 #{detail}）。如需再改，请更正最新的那一条。",
    RecordProblem.NO_CHOICE: "请先选择事项，再点确认。",
    RecordProblem.SYSTEM_ITEM: "季度自查、半年报告不能用回复或一句话记入，这条没有记入："
    "请点提醒消息下方的按钮，或发送 {detail}，按步骤填写后提交。",
    RecordProblem.SYSTEM_RECORD: "这条是提交季度自查或半年报告时生成的记实，不能改为其他事项，也不能更正文字。"
    "如需更正，请发送 {detail} 重新填写并提交新的一版（以最新提交的一版为准）。",
    RecordProblem.NO_GROUP_UNIT: "请写明单位编码：<code>/bindgroup 单位编码</code>（如 /bindgroup U01）。",
    RecordProblem.UNKNOWN_UNIT: "未找到单位编码“{detail}”：请核对后重试。",
    RecordProblem.NOT_FOR_ITEM: "没有记入：这句话看不出是在说{detail}已经完成了什么。"
    "请写明做了什么，例如：“" + EXAMPLE + "”。",
    RecordProblem.BEFORE_PERIOD: "这个日期早于该事项本期开始（{detail}），说的可能是上一期的工作，"
    "没有采用。请写明本期内实际完成的日期后重新发送。",
    RecordProblem.FUTURE_DATE: "这个日期还没到：只能记入已经完成的工作。请写明实际完成的日期。",
    RecordProblem.BAD_DATE: "没有看懂这个日期。请回复如“12月28日”“昨天”“上周五”或“2026-12-28”。",
}


def refused(error: RecordRefused) -> str:
    return REFUSED[error.problem].format(detail=escape(error.detail))


def month_day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def item_line(choice: Choice) -> str:
    return f"【{escape(choice.code)}】{escape(choice.content)}"


def _for(choice: Choice) -> str:
    """Recorded by the one standing in for an absent colleague: whose item it is."""
    return f"（代{escape(choice.for_name)}记入，其休假中）" if choice.for_name else ""


def _period(choice: Choice) -> str:
    return period_label(choice.period)


def not_completion(intent: Intent) -> str:
    """What a plan, negation, question or acknowledgement gets: no 【code】 anywhere."""
    lead = NOT_COMPLETION.get(intent, "这条消息不像是已完成的工作")
    return f"{lead}，没有记入履责记实。\n{HOW}"


def proposal(choice: Choice, text: str, happened_on: date) -> str:
    late = choice.late_days(happened_on)
    lines = [
        f"拟记入：{item_line(choice)}{_for(choice)}",
        f"期次：{_period(choice)} · 日期：{month_day(happened_on)}",
        f"内容：{escape(text) or '（照片/文件）'}",
    ]
    if choice.done:
        lines.append("ℹ️ 该事项本期已有记实；确认后再增加一条。")
    elif late:
        lines.append(f"⚠️ 该事项已逾期 {late} 天；确认后可补一句逾期说明。")
    lines.append("请点“确认”记入；事项不对请点“改选”，日期不对请点“改日期”。")
    return "\n".join(lines)


def unsure(offered: list[Choice], text: str) -> str:
    lines = [f"“{escape(shortened(text))}”可能属于以下事项，请选择："]
    labels = with_period(offered)
    lines += [
        f"{n}. {escape(labels[c.due_item_id])}{escape(c.content)}" for n, c in enumerate(offered, 1)
    ]
    lines.append("都不是请点“其他”，从全部事项中选择。")
    return "\n".join(lines)


def choose_from_all(text: str, *, file_kind: str | None = None) -> str:
    if file_kind == "photo" and not text:
        return "收到照片。请选择它属于哪一项（也可以给照片加一句说明重新发送）："
    if file_kind and not text:
        return (
            "收到文件。请选择它作为哪一项的履责材料"
            "（名单工作簿只有管理员可以导入；也可以给文件加一句说明重新发送）："
        )
    return f"没有找到与“{escape(shortened(text))}”相符的事项，请从您的清单中选择："


def reselect(text: str, *, file_kind: str | None = None) -> str:
    """改选: the sender picks another item for what was proposed."""
    if not text:
        return choose_from_all(text, file_kind=file_kind)
    return f"请选择“{escape(shortened(text))}”对应的事项："


def split(parts: list[tuple[Choice | None, str, date]]) -> str:
    """Two or more things in one message, each with its item and period (or a request to pick
    one); one date line when they share a day."""
    days = {day for _, _, day in parts}
    lines = [f"这条消息包含 {len(parts)} 件事，拟分别记入："]
    for n, (choice, text, day) in enumerate(parts, 1):
        when = f" · {month_day(day)}" if len(days) > 1 else ""
        item = (
            f"{item_line(choice)}（{_period(choice)}{when}）"
            if choice is not None
            else f"（请点“改选第{n}条”选择事项{when}）"
        )
        lines.append(f"{n}. {item}：“{escape(shortened(text))}”")
    lead = f"日期：{month_day(parts[0][2])}。" if len(days) == 1 else ""
    lines.append(f"{lead}请点“确认全部”，或改选其中一条；日期不对请点“改日期”。")
    return "\n".join(lines)


SKIPPED_WHY = {
    Intent.PLAN: "像是计划或尚未做完",
    Intent.NEGATION: "说的是没有开展或不归您办",
    Intent.QUESTION: "像是一个问题",
    Intent.ACK: "没有具体内容",
}


def skipped(parts: list[Skipped]) -> str:
    """The parts of a message that became no proposal, each with why."""
    lines = ["以下内容没有记入："]
    for part in parts:
        if part.system:
            why = "季度自查、半年报告请用提醒消息下方的按钮或 /selfcheck、/report 提交"
        elif part.intent is Intent.COMPLETION:
            why = "没有找到相符的事项，可单独发送并写明做了什么"
        else:
            why = SKIPPED_WHY.get(part.intent, "不像是已完成的工作")
        lines.append(f"· “{escape(shortened(part.text))}”：{why}")
    return "\n".join(lines)


def with_period(choices: list[Choice]) -> dict[int, str]:
    """A button or line label per choice: its period shown when one item is offered twice."""
    codes = [c.code for c in choices]
    return {
        c.due_item_id: f"【{c.code}】" + (f"{_period(c)} " if codes.count(c.code) > 1 else "")
        for c in choices
    }


def two_periods(choices: list[Choice]) -> dict[int, str]:
    """A button's period, only for an item offered for two periods: due item id → （第二季度）."""
    codes = [c.code for c in choices]
    return {c.due_item_id: f"（{_period(c)}）" for c in choices if codes.count(c.code) > 1}


def recorded(done: list[Recorded]) -> str:
    if all(not r.fresh for r in done):
        numbers = "、".join(f"#{r.record.id}" for r in done)
        return f"这条已经记过了（记实编号 {numbers}），无需重复确认。"
    lines = []
    for r in done:
        lines.append(
            f"✅ 已记入履责记实：{item_line(r.choice)}{_for(r.choice)}\n"
            f"期次：{_period(r.choice)} · 日期：{month_day(r.record.happened_on)} · "
            f"记实编号 #{r.record.id}" + (" 📎" if r.record.file_id else "")
        )
    late = [r for r in done if r.late_days and r.fresh]
    if late:
        lines.append(
            f"⚠️ 该事项已逾期 {late[0].late_days} 天（记实编号 #{late[0].record.id}），{LATE_PROMPT}"
        )
    lines.append("10 分钟内可撤销。发送 /records 查看全部记实。")
    return "\n".join(lines)


def undone(record_id: int, *, fresh: bool, voided_id: int, still_done: bool) -> str:
    """What a 撤销 did, and the item's state after it."""
    if not fresh:
        return f"记实 #{record_id} 已撤销过了。"
    what = f"记实 #{record_id}" + (f"（及其更正 #{voided_id}）" if voided_id != record_id else "")
    state = "该事项另有记实，仍计为已完成。" if still_done else "这项工作重新计为未完成。"
    return f"已撤销{what}：{state}撤销本身也留有记录。"


def day_prompt(current: date) -> str:
    return (
        f"现在的日期是 {month_day(current)}。请<b>回复本消息</b>写明实际完成的日期，"
        "如“昨天”“上周五”或具体日期“3月12日”。"
    )


def day_changed(day: date) -> str:
    return f"日期已改为 {month_day(day)}。请点“确认”记入。"


def item_card(choice: Choice, today: date) -> str:
    status = "✅ 本期已记实" if choice.done else "⏳ 未完成"
    if not choice.done and choice.due < today:
        status = f"⚠️ 已逾期 {(today - choice.due).days} 天"
    lines = [
        item_line(choice),
        f"期次：{_period(choice)} · 截止 {choice.due.isoformat()} · {status}",
    ]
    if choice.measures:
        lines.insert(1, f"措施：{escape(choice.measures)}")
    lines.append("完成后请<b>回复本消息</b>，用一句话写明做了什么，即记入履责记实。")
    return "\n".join(lines)


def shortened(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


CANCELLED = "已取消，没有记入履责记实。"
# the answers to a press of 确认 / 取消 (a short notice over the chat)
RECORDED_NOTICE = "已记入"
CANCELLED_NOTICE = "已取消，没有记入"
CANCELLED_BEFORE_NOTICE = "已取消过"


def not_cancelled(record_ids: tuple[int, ...]) -> str:
    """取消 pressed on a proposal that was confirmed (a press at the same moment came first)."""
    numbers = "、".join(f"#{n}" for n in record_ids)
    where = f"（记实编号 {numbers}）" if numbers else ""
    return f"没有取消：这条已记入履责记实{where}。如要作废，请在 10 分钟内点确认消息下的“撤销”。"


GROUP_ONLY_PRIVATE = "涉及个人事项的内容已私信发给您，请在与我的私聊中查看。"
GROUP_PRIVATE_FAILED = "请先点开与我的私聊并发送 /start，我才能把您的事项私信发给您。"
GROUP_BIND_REFUSED = (
    "只有本单位联络员或管理员可以用 /bindgroup 把本群关联到单位。记实请在与我的私聊中发送。"
)
GROUP_USE_PRIVATE = "请在与我的私聊中使用这个命令；记实也请在私聊中发一句话说明做了什么。"


def proposal_closed() -> str:
    """The proposal's text when the confirmation is too long to take its place."""
    return "已确认，记入情况见下面的消息。"


def group_bound(unit_name: str, moved_from: str | None) -> str:
    moved = f"（原先关联的是{escape(moved_from)}，已改为本单位）" if moved_from else ""
    return (
        f"本群已关联到<b>{escape(unit_name)}</b>{moved}。"
        "我会在群里发布公示；记实、个人清单请在与我的私聊中进行（群里的回复我不作答）。"
        "（我在群里只处理回复我的消息和发给我的命令。）"
    )
