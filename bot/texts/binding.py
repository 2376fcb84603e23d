"""Wording of invite codes, re-binding and unbinding; anything a user or file supplied is escaped."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.services.directory.binding import Former, Unbinding
from bot.services.directory.identity import IssuedInvite
from bot.services.exports.sheets import csv_bytes

INVITE_USAGE = (
    "用法：<code>/invite P0101 P0102</code> 为指定人员生成邀请码（已绑定的人员得到重新绑定码），"
    "或 <code>/invite all</code> 为尚未绑定的全部在册人员生成（已绑定的人员不生成）。"
)
UNBIND_USAGE = (
    "用法：<code>/unbind P0105</code> 解除该人员与其 Telegram 账号的绑定（记入审计，并通知该账号）。"
    "之后可用 <code>/invite P0105</code> 为其生成新的邀请码。"
)
CLI_INVITE_USAGE = (
    "用法：python -m bot invite P0101 P0102 …（指定人员；已绑定的人员得到重新绑定码）"
    "  或  python -m bot invite --all（尚未绑定的全部在册人员）"
)
INVITE_HEADER = ("人员编码", "姓名", "单位", "邀请码", "链接", "备注")
INVITES_IN_CHAT = 30  # more than this go out as a spreadsheet file, not a wall of messages
REBIND = "重新绑定"
_REBIND_NOTE = "【重新绑定：使用后原账号的绑定即解除】"
_HAND_OUT = "请将各自的链接单独发给本人；旧的未用邀请码已作废。"


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def _local(instant: datetime, zone: ZoneInfo) -> str:
    return f"{instant.astimezone(zone):%Y-%m-%d %H:%M}"


_ALL_RULE = (
    "“all”只为尚未绑定的人员生成；如需为某人重新绑定，请用 <code>/invite</code> 加其人员编码"
)


def _skipped(count: int) -> str:
    return f"已绑定的 {count} 人未生成（{_ALL_RULE}）。" if count else ""


def invites(
    issued: list[IssuedInvite], bot_username: str, zone: ZoneInfo, *, skipped_bound: int = 0
) -> str:
    if not issued:
        if skipped_bound:
            return f"在册人员均已绑定（{skipped_bound} 人），没有生成邀请码。{_ALL_RULE}。"
        return "没有在册人员需要生成邀请码。"
    lines = [
        f"已生成 {len(issued)} 个邀请码（一次性，{_local(issued[0].expires_at, zone)} 前有效）："
    ]
    for invite in issued:
        link = deep_link(bot_username, invite.code)
        lines.append(
            f"{escape(invite.person_name)}（{escape(invite.person_code)}，{escape(invite.unit_name)}）"
            f"{_REBIND_NOTE if invite.rebind else ''}：<code>{invite.code}</code>\n{link}"
        )
    if skipped_bound:
        lines.append(_skipped(skipped_bound))
    lines.append(_HAND_OUT)
    return "\n".join(lines)


def invite_rows(issued: list[IssuedInvite], bot_username: str) -> list[tuple[str, ...]]:
    """Header and one row per person: what the CLI prints and the admin's CSV holds."""
    rows = [
        (
            i.person_code,
            i.person_name,
            i.unit_name,
            i.code,
            deep_link(bot_username, i.code),
            REBIND if i.rebind else "",
        )
        for i in issued
    ]
    return [INVITE_HEADER, *rows]


def invites_csv(issued: list[IssuedInvite], bot_username: str) -> bytes:
    """The invites as CSV (UTF-8 with BOM) through the one file writer: safe to open in Excel."""
    return csv_bytes(invite_rows(issued, bot_username))


def invites_file_caption(
    issued: list[IssuedInvite], zone: ZoneInfo, *, skipped_bound: int = 0
) -> str:
    rebinds = sum(1 for i in issued if i.rebind)
    return (
        f"已生成 {len(issued)} 个邀请码（一次性，{_local(issued[0].expires_at, zone)} 前有效），"
        "见附件表格。"
        + (f"其中 {rebinds} 个为重新绑定码（备注列）。" if rebinds else "")
        + _skipped(skipped_bound)
        + _HAND_OUT
    )


def cli_invite_summary(issued: list[IssuedInvite], zone: ZoneInfo, *, skipped_bound: int) -> str:
    """The CLI's closing line (stderr), plain text."""
    line = f"共 {len(issued)} 人；邀请码一次性使用"
    line += f"，{_local(issued[0].expires_at, zone)} 前有效。" if issued else "。"
    rebinds = sum(1 for i in issued if i.rebind)
    if rebinds:
        line += f"其中 {rebinds} 人为重新绑定（备注列；使用后原账号的绑定即解除）。"
    if skipped_bound:
        line += f"已绑定的 {skipped_bound} 人未生成（--all 只为尚未绑定的人员生成）。"
    return line


def moved_away(person_name: str, at: datetime, zone: ZoneInfo) -> str:
    """To the old account of a re-bound person."""
    return (
        f"您的 Telegram 账号与{escape(person_name)}的绑定已于 {_local(at, zone)} "
        "转移到另一个 Telegram 账号（使用了管理员发放的重新绑定邀请码）。"
        "本账号此后不再收到提醒，也不能查看清单。如非本人安排，请立即联系管理员。"
    )


def you_were_unbound(person_name: str, at: datetime, zone: ZoneInfo) -> str:
    """To the account an admin released."""
    return (
        f"管理员已于 {_local(at, zone)} 解除您的 Telegram 账号与{escape(person_name)}的绑定。"
        "本账号此后不再收到提醒；如需重新绑定，请向管理员索取新的邀请码。"
    )


def unbind_done(result: Unbinding, *, cli: bool = False) -> str:
    """The admin's reply to an unbind (in the chat the released account was told; the CLI tells no one)."""
    who = f"{escape(result.person_name)}（{escape(result.person_code)}）"
    if result.telegram_id is None:
        return f"{who}没有绑定 Telegram 账号，无需解除。"
    again = f"python -m bot invite {result.person_code}" if cli else f"/invite {result.person_code}"
    return (
        f"已解除{who}与 Telegram 账号 {result.telegram_id} 的绑定（已记入审计）"
        + ("" if cli else "，并已通知该账号")
        + f"。如需重新绑定，请生成新的邀请码：<code>{escape(again)}</code>。"
    )


def deactivated(former: Former) -> str:
    """What a person a later import deactivated is told when they write."""
    ask = "、".join(
        f"{label}{escape(name)}"
        for label, name in (("本单位联络员", former.secretary), ("管理员", former.admin))
        if name
    )
    return (
        f"您的账号绑定的人员“{escape(former.name)}”（{escape(former.unit_name)}）"
        "已在最近一次名单导入中停用，机器人不再为您记实或提醒。"
        f"如有误，请联系{ask or '区纪委监委管理员'}核实名单。"
    )
