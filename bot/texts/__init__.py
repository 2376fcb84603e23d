"""Every user-facing Chinese string; anything a user or a file supplied is escaped here.

Import wording (problems, progress, summary) lives in bot.texts.importing; invite codes,
re-binding and unbinding in bot.texts.binding; the lists and /close in bot.texts.ledger.
"""

from __future__ import annotations

import re
from html import escape, unescape

from bot.services.directory.identity import Viewer
from bot.services.reminders.ladder import LadderRules
from bot.texts.ledger import STATUS_MARK, my_list, period_label, unit_list
from storage.models import Role

__all__ = ["STATUS_MARK", "my_list", "period_label", "unit_list"]

ESCALATE_ADMIN = LadderRules.escalate_admin  # the setting's default, for callers without it
_OFFICIALS = frozenset({Role.FIRST, Role.MEMBER, Role.DISCIPLINE})
_NOT_ADMIN = frozenset({*Role} - {Role.ADMIN})
_SECRETARY_ADMIN = frozenset({Role.SECRETARY, Role.ADMIN})
_ADMIN = frozenset({Role.ADMIN})
# Commands: (command, menu description, roles that see it; empty = every bound person), in the
# order the menu shows them (a description may name ESCALATE_ADMIN_AFTER as {escalate_admin}): one's own list and records first, the unit's next, the district's last.
COMMANDS: list[tuple[str, str, frozenset[Role]]] = [
    ("my", "我的清单：本期事项与完成情况", _NOT_ADMIN),
    ("records", "我的履责记实：查看、更正、撤销", _NOT_ADMIN),
    ("selfcheck", "季度自查：逐项填报本季度完成情况", _OFFICIALS),
    ("report", "半年报告：生成、补充并提交", _OFFICIALS),
    ("pending", "未完成事项（本单位/本人）", frozenset({*Role})),
    ("unit", "本单位本期事项完成情况", frozenset({Role.SECRETARY})),
    ("progress", "本单位本季度完成情况图", _SECRETARY_ADMIN),
    ("export", "导出台账（四单+履责记实）", _SECRETARY_ADMIN),
    ("publicize", "在单位群公示清单或进度", _SECRETARY_ADMIN),
    ("nudge", "提醒未完成人员", _SECRETARY_ADMIN),
    ("leave", "登记请假及代办人", _SECRETARY_ADMIN),
    ("units", "各单位本季度完成情况", _ADMIN),
    ("ranking", "3+1 排名（季度/年度）", _ADMIN),
    ("broadcast", "发布通知（可附文件），收集已阅", _ADMIN),
    ("notices", "通知发送与已阅情况", _ADMIN),
    ("interview", "约谈提醒：逾期超过{escalate_admin}个工作日的人员", _ADMIN),
    ("assign", "交办督办事项", _ADMIN),
    ("assigned", "交办事项跟踪", _ADMIN),
    ("duplicates", "疑似照抄的个性清单", _ADMIN),
    ("invite", "生成绑定邀请码", _ADMIN),
    ("close", "关闭一项未完成事项（须写明原因）", _ADMIN),
    ("unbind", "解除人员的账号绑定", _ADMIN),
    ("web", "网页查看（一次性登录链接）", frozenset()),
    ("help", "查看可用命令", frozenset()),
]
# an admin picks (or names) a unit: what these commands say to one
ADMIN_WORDS = {
    "pending": "各单位未完成事项（选择单位或写单位编码）",
    "progress": "各单位本季度完成情况图（选择单位或写单位编码）",
}
PUBLIC_COMMANDS = [("start", "开始 / 绑定账号"), ("help", "查看帮助")]

UNBOUND = (
    "您好！这是<b>履责助手</b>，为党风廉政建设“两个责任”清单提供提醒与履责记实。\n"
    "您的账号尚未绑定。请向本单位联络员或区纪委监委管理员索取<b>绑定邀请码</b>，"
    "然后点击邀请链接，或发送 <code>/start 邀请码</code>。"
)
INVITE_UNKNOWN = "邀请码无效：请核对后重新发送，或向管理员索取新的邀请码。"
INVITE_EXPIRED = "邀请码已过期（有效期 7 天）：请向管理员索取新的邀请码。"
INVITE_USED = "邀请码已被使用：每个邀请码只能使用一次。如非本人操作，请立即联系管理员。"
INVITE_INACTIVE = "该邀请码对应的人员已停用：请联系管理员核实名单。"
NOT_TEXT = "暂时只能识别文字、照片和文件，请用文字描述做了什么，或发送 /help 查看可用命令。"
UNKNOWN_COMMAND = "没有这个命令。发送 /help 查看您可用的命令。"
STALE_BUTTON = "按钮已失效，请重新发送命令。"
STILL_BUILDING = "正在生成，请稍候：上一次的请求完成后会自动发给您，不必重复发送。"
STILL_IMPORTING = "上一个工作簿还在导入，《{name}》没有导入：请等收到导入结果后再发送它。"
STRANGER_ALERT = "您的账号尚未绑定：请向联络员或管理员索取邀请码，然后发送 /start 邀请码。"
ALERT_LIMIT = 200  # what answerCallbackQuery shows
ABANDONED = (
    "机器人正在重启，您刚才的操作没来得及完成：已全部撤销，没有做任何更改。"
    "重启后（约一分钟内）会自动重新处理，无需重发；如未收到结果，请再发送一次。"
)
ERROR = "抱歉，处理时出现问题，已记录。请稍后重试；如反复出现，请联系管理员。"
IMPORT_NOT_XLSX = "请发送 .xlsx 工作簿（含“单位”“人员”“责任清单”三个工作表）。CSV 请由管理员在服务器上用 <code>python -m bot import</code> 导入。"
IMPORT_TOO_BIG = (
    "文件超过 20 MB，机器人无法下载。请拆分或在服务器上用 <code>python -m bot import</code> 导入。"
)


def import_started(file_name: str) -> str:
    return f"已收到《{escape(file_name)}》，正在校验……"


def unknown_people(codes: list[str]) -> str:
    return f"未找到人员编码：{escape('、'.join(codes))}。请核对后重试（编码见导入的“人员”表）。"


def too_many_attempts(wait_minutes: int) -> str:
    return f"错误的邀请码次数过多（1 小时内 5 次），请 {wait_minutes} 分钟后再试。"


def bound_elsewhere(person_name: str) -> str:
    return (
        f"您的 Telegram 账号已绑定为{escape(person_name)}。一个账号只能绑定一人；"
        "如需更换，请联系管理员。"
    )


def welcome(viewer: Viewer, *, escalate_admin: int = ESCALATE_ADMIN) -> str:
    roles = "、".join(role.value for role in sorted(viewer.roles, key=list(Role).index))
    return (
        f"绑定成功！{escape(viewer.name)}（{escape(viewer.unit_name)} · {escape(roles)}），欢迎使用履责助手。\n\n"
        + help_text(viewer, escalate_admin=escalate_admin)
    )


def greeting(viewer: Viewer, *, escalate_admin: int = ESCALATE_ADMIN) -> str:
    return f"{escape(viewer.name)}，您好！\n\n" + help_text(viewer, escalate_admin=escalate_admin)


def commands_for(
    roles: frozenset[Role], *, escalate_admin: int = ESCALATE_ADMIN
) -> list[tuple[str, str]]:
    """The (command, description) pairs a person with these roles may use; `escalate_admin` is
    the setting ESCALATE_ADMIN_AFTER (working days) that /interview's description names."""
    admin = Role.ADMIN in roles
    return [
        ((cmd, ADMIN_WORDS[cmd]) if admin and cmd in ADMIN_WORDS else (cmd, desc))
        for cmd, desc in (
            (cmd, desc.format(escalate_admin=escalate_admin))
            for cmd, desc, need in COMMANDS
            if not need or need & roles
        )
    ]


def help_text(viewer: Viewer, *, escalate_admin: int = ESCALATE_ADMIN) -> str:
    lines = ["<b>可用命令</b>"]
    lines += [
        f"/{cmd} — {desc}"
        for cmd, desc in commands_for(viewer.roles, escalate_admin=escalate_admin)
    ]
    if viewer.is_admin:
        lines.append("发送 .xlsx 名单工作簿 — 导入单位、人员和责任清单（先校验，全部无误才写入）")
    return "\n".join(lines)


def plain(html_text: str) -> str:
    """HTML reply text as a terminal shows it: tags dropped, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", "", html_text))


def alert(html_text: str) -> str:
    """A button alert: plain text (alerts have no HTML) within 200 characters, cut at a sentence."""
    text = plain(html_text)
    if len(text) <= ALERT_LIMIT:
        return text
    head = text[: ALERT_LIMIT - 1]
    end = max(head.rfind("。"), head.rfind("；"))
    return head[: end + 1] if end > 0 else head + "…"


# a message or press delivered again after its handling stopped half-way (its work was saved)
CUT_SHORT = (
    "您刚才的消息已经处理并保存，但当时的回复可能没有发出（服务刚刚重启）。"
    "如需核对，请发送 /my 查看清单，或 /records 查看履责记实。"
)
