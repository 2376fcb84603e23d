"""Chinese wording of /broadcast, the notices people receive and acknowledge (已阅), and /notices."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from html import escape, unescape
from zoneinfo import ZoneInfo

from bot.services.notices.audience import ALL, CATEGORY, PERSON, ROLE, UNIT, Audience, Reach, parse
from bot.services.notices.broadcast import NoticeProblem, Part
from bot.services.notices.stats import Ack, Counts, NoticeDetail, NoticeStats, Reminded
from storage.models import Notice, OutboxState

ACK_PREFIX = "ack"  # handlers.acknowledge.AckButton(receipt=…).pack() == "ack:{receipt}"
CAPTION_LIMIT = 1024
DRAFT_MARK = re.compile(r"^通知草稿 #(\d+)")

BROADCAST_ASK = (
    "通知草稿 #{id}：请<b>回复本消息</b>写通知正文。\n"
    "如需附文件，回复时发送文件（或图片），在说明中写正文；也可先回复正文，再回复文件。"
)
FILE_SAVED = "已收到附件。请再<b>回复上面的草稿提示</b>写通知正文。"
CHOOSE = "请选择接收范围："
KIND_LABELS = {ALL: "全体", CATEGORY: "按类别", UNIT: "按单位", ROLE: "按角色"}
DONE = "完成"
BACK = "返回"
PREV, NEXT = "上一页", "下一页"
SEND, CANCEL = "确认发送", "取消"
REFRESH = "刷新进度"
CANCELLED = "已取消，这份通知草稿不会发送。"
PICK_HINT = {
    CATEGORY: "按类别：点选一个或多个类别（✅ 为已选），然后点“完成”。",
    UNIT: "按单位：点选一个或多个单位（✅ 为已选，可翻页），然后点“完成”。",
    ROLE: "按角色：点选一个或多个责任角色（✅ 为已选），然后点“完成”。",
}
PROBLEMS = {
    NoticeProblem.NOT_FOUND: "找不到这份通知草稿（或不是您起草的）。发送 /broadcast 重新开始。",
    NoticeProblem.SENT: "这份通知已经发送，不能再修改。发送 /notices 查看已阅情况。",
    NoticeProblem.CANCELLED: "这份通知草稿已取消。发送 /broadcast 重新开始。",
    NoticeProblem.NO_TEXT: "通知还没有正文：请回复草稿提示写通知正文。",
    NoticeProblem.NO_AUDIENCE: "请先选择接收范围。",
    NoticeProblem.EMPTY_AUDIENCE: "所选范围没有可接收的人员（在册且已绑定 Telegram），请重新选择。",
    NoticeProblem.TOO_MANY: "所选单位过多，请改用“按类别”或“全体”。",
    NoticeProblem.FILE_TOO_BIG: "文件超过 20 MB，无法作为通知附件。请压缩或拆分后重新回复草稿提示。",
}
ACK = {
    Ack.DONE: "已确认阅读，谢谢！",
    Ack.AGAIN: "您已确认过，无需重复。",
    Ack.NOT_YOURS: "这份通知不是发给您的，无法确认阅读。",
}
ACK_LABEL, ACKED_LABEL = "已阅", "✅ 已阅"
NO_NOTICES = "还没有发出的通知。发送 /broadcast 发布通知。"
REMIND_LABEL = "提醒未阅人员"
DETAIL_LABEL = "未阅名单 #{id}"


def refused(problem: NoticeProblem) -> str:
    return PROBLEMS[problem]


def ack_markup(receipt_id: int) -> str:
    """The 已阅 button of one copy (reply_markup JSON for the outbox)."""
    button = {"text": ACK_LABEL, "callback_data": f"{ACK_PREFIX}:{receipt_id}"}
    return json.dumps({"inline_keyboard": [[button]]}, ensure_ascii=False)


def readable(notice: Notice) -> str:
    """The notice's words: an admin's text as typed; a 约谈提醒 (stored as sent, HTML) without
    its tags and heading."""
    if notice.kind != "formal":
        return notice.text
    lines = unescape(re.sub(r"<[^>]+>", "", notice.text)).splitlines()
    return "\n".join(lines[1:] if len(lines) > 1 else lines)


def _head(text: str, lines: int = 6, width: int = 300) -> str:
    cut = "\n".join(text.splitlines()[:lines])
    cut = cut if len(cut) <= width else cut[:width]
    return escape(cut) + ("……" if cut != text else "")


def draft_saved(notice: Notice) -> str:
    attached = "\n附件：" + _file_word(notice) if notice.file_id else ""
    return f"草稿 #{notice.id} 已保存。正文：\n{_head(notice.text)}{attached}\n\n{CHOOSE}"


def _file_word(notice: Notice) -> str:
    return "图片" if notice.file_kind == "photo" else "文件"


def describe(audience: Audience | None, units: dict[int, str]) -> str:
    """The audience in words (unit ids named)."""
    if audience is None or audience.empty:
        return "（未选）"
    if audience.kind == ALL:
        return "全体人员"
    if audience.kind == UNIT:
        names = [units.get(int(v), v) for v in audience.values if v.isdigit()]
        return "单位：" + escape("、".join(names))
    if audience.kind == PERSON:
        return "约谈提醒对象"
    word = "类别" if audience.kind == CATEGORY else "角色"
    return f"{word}：" + escape("、".join(audience.values))


def picking(audience: Audience, units: dict[int, str]) -> str:
    """The multi-select's text: the hint, then what is chosen so far (尚未选择 before any)."""
    chosen = "尚未选择" if audience.empty else "已选" + describe(audience, units)
    return f"{PICK_HINT[audience.kind]}\n{chosen}"


def mark(label: str, on: bool) -> str:
    return f"✅ {label}" if on else label


def preview(notice: Notice, reach: Reach, units: dict[int, str]) -> str:
    lines = [
        f"<b>通知预览（草稿 #{notice.id}）</b>",
        f"接收范围：{describe(parse(notice.audience), units)}",
        f"接收人数：<b>{len(reach.bound)}</b> 人",
    ]
    if reach.unbound:
        lines.append(f"另有 {len(reach.unbound)} 人未绑定 Telegram，收不到本通知")
    if notice.file_id:
        lines.append(f"附件：{_file_word(notice)}")
    lines += ["", _head(notice.text), "", "确认无误请点“确认发送”。"]
    return "\n".join(lines)


def progress(notice_id: int, counts: Counts) -> str:
    """The sender's progress as the admin sees it (refreshed by a button)."""
    state = "发送完毕" if counts.pending == 0 else "正在发送"
    text = f"通知 #{notice_id} {state} {counts.sent}/{counts.total}"
    if counts.failed:
        text += f"，失败 {counts.failed}"
    return text + f"；已阅 {counts.acknowledged}/{counts.total}。发送 /notices 查看未阅名单。"


def already_sent(notice_id: int, total: int) -> str:
    return f"通知 #{notice_id} 已经发送（{total} 人），不会重复发送。"


def copy_text(notice: Notice, author: str, when: datetime, zone: ZoneInfo) -> str:
    """A recipient's copy: heading, the admin's text (escaped), who sent it and when."""
    local = when.astimezone(zone)
    return (
        "<b>📢 区纪委监委通知</b>\n\n"
        f"{escape(notice.text)}\n\n"
        f"—— {escape(author)} {local.month}月{local.day}日发布。阅读后请点击“已阅”。"
    )


def compose(
    notice: Notice, author: str, zone: ZoneInfo, split: Callable[[str], list[str]]
) -> list[Part]:
    """The rows of one copy: a file carries the text as its caption when it fits (1,024), else a
    short caption and the text as its own message(s); long text in parts (已阅 on the last)."""
    text = copy_text(notice, author, notice.sent_at or notice.created_at, zone)
    if notice.file_id is None:
        return [Part(part) for part in split(text)]
    if len(text.encode("utf-16-le")) // 2 <= CAPTION_LIMIT:
        return [Part(text, notice.file_id, notice.file_kind)]
    caption = f"<b>📢 区纪委监委通知</b>（附件，正文见下条）\n{_head(notice.text, 2, 100)}"
    return [Part(caption, notice.file_id, notice.file_kind), *(Part(p) for p in split(text))]


def remind_text(notice: Notice, zone: ZoneInfo) -> str:
    local = (notice.sent_at or notice.created_at).astimezone(zone)
    return (
        f"⏰ 提醒：您还没有确认阅读 {local.month}月{local.day}日的通知：\n"
        f"{_head(readable(notice), 2, 120)}\n（以上为通知开头，全文见原通知。）阅读后请点击下方“已阅”。"
    )


def _counts(counts: Counts) -> str:
    text = f"已发 {counts.sent}/{counts.total}"
    if counts.failed:
        text += f" · 失败 {counts.failed}"
    if counts.pending:
        text += f" · 待发 {counts.pending}"
    return text + f" · 已阅 {counts.acknowledged}"


def listing(stats: list[NoticeStats], page: int, zone: ZoneInfo) -> str:
    if not stats and page == 0:
        return NO_NOTICES
    lines = [f"<b>最近发出的通知</b>（第 {page + 1} 页）"]
    for item in stats:
        notice = item.notice
        when = (notice.sent_at or notice.created_at).astimezone(zone)
        kind = "约谈提醒" if notice.kind == "formal" else "通知"
        text = readable(notice)
        first = escape(text.splitlines()[0][:30]) if text else ""
        lines.append(f"#{notice.id} {when:%m-%d %H:%M} {kind}：{first}\n　{_counts(item.counts)}")
    lines.append("点下方按钮查看某条通知的未阅名单。")
    return "\n".join(lines)


_STATE = {OutboxState.FAILED: "（未送达）", OutboxState.PENDING: "（待发）"}


def unread(found: NoticeDetail, zone: ZoneInfo) -> str:
    notice = found.stats.notice
    lines = [
        f"<b>通知 #{notice.id}</b> {_counts(found.stats.counts)}",
        _head(readable(notice), 2, 120),
        "",
    ]
    if not found.unread:
        return "\n".join([*lines, "全部接收人已确认阅读。"])
    lines.append("<b>尚未确认阅读</b>")
    for unit_name, people in found.unread:
        names = "、".join(
            escape(p.name) + _STATE.get(p.state or OutboxState.PENDING, "") for p in people
        )
        lines.append(f"{escape(unit_name)}（{len(people)}）：{names}")
    return "\n".join(lines)


def reminded(result: Reminded) -> str:
    away = f"{result.away} 人正在休假，返岗后再提醒。" if result.away else ""
    if result.queued == 0 and result.earlier_today == 0:
        return away or "没有需要提醒的人员（均已确认阅读或未绑定）。"
    text = f"已向 {result.queued} 人发送阅读提醒。" if result.queued else ""
    if result.earlier_today:
        text += f"{result.earlier_today} 人今天已提醒过，不再重复。"
    return text + away
