"""Wording of the web view: the /web link message, refusals, and the numbers' formats on the pages."""

from __future__ import annotations

from html import escape

from bot.services.directory.identity import Viewer
from bot.services.directory.web_access import LINK_LIFETIME, SESSION_LIFETIME, LinkProblem
from storage.models import Role

LINK_MINUTES = int(LINK_LIFETIME.total_seconds() // 60)
SESSION_HOURS = int(SESSION_LIFETIME.total_seconds() // 3600)

SEND_WEB = "请在 Telegram 中向履责助手发送 /web，点击收到的一次性链接重新登录。"
LINK_REFUSED = {
    LinkProblem.UNKNOWN: "登录链接无效：请核对链接是否完整。" + SEND_WEB,
    LinkProblem.EXPIRED: f"登录链接已过期（有效期 {LINK_MINUTES} 分钟）。" + SEND_WEB,
    LinkProblem.USED: "登录链接已使用过：每个链接只能使用一次。如非本人操作，请联系管理员。"
    + SEND_WEB,
    LinkProblem.INACTIVE: "该链接对应的人员已停用或已解除账号绑定：请联系管理员核实。",
}
NO_SESSION = f"尚未登录，或登录已超过 {SESSION_HOURS} 小时失效。" + SEND_WEB
ADMIN_ONLY = "此页面仅区纪委监委管理员可查看。您可以查看的内容请从首页进入。"
OTHER_UNIT = "您只能查看本单位（{unit}）的页面，不能查看其他单位。"
OTHER_PERSON = "您只能查看本人的事项和履责记实。"
NOT_FOUND = "没有找到这个页面：请从首页进入。"
NOT_BEGUN = "{label}尚未开始，暂无数据。"
NO_CHART = "图表暂时无法绘制；各项数字见页面正文。"
NO_FILE = "没有这个附件，或附件暂时无法取回。"
SIGNED_OUT = "已退出登录。" + SEND_WEB
LOGGED_IN = "登录成功，正在进入……"
REFUSED_TITLES = {
    401: "需要登录",
    403: "无权查看",
    404: "未找到",
    410: "链接失效",
    500: "暂时无法显示",
}


def link_message(viewer: Viewer, url: str) -> str:
    """The /web reply: the one-time link, how long it is good for, and what it shows."""
    if viewer.is_admin:
        scope = "全区各单位的完成情况、3+1 排名、台账、通知已阅和未完成事项"
    elif Role.SECRETARY in viewer.roles:
        scope = f"{escape(viewer.unit_name)}的进度、台账（四单）、人员履责记实和未完成事项"
    else:
        scope = "本人的事项、履责记实和未完成事项"
    return (
        f'🔗 <a href="{escape(url, quote=True)}">打开网页查看</a>\n'
        f"<code>{escape(url)}</code>\n\n"
        f"可查看：{scope}（只读）。\n"
        f"链接 {LINK_MINUTES} 分钟内有效，只能使用一次；登录后 {SESSION_HOURS} 小时内有效。"
        "请勿转发给他人。"
    )


def other_unit(unit_name: str) -> str:
    return OTHER_UNIT.format(unit=unit_name)


def pct(value: float | None) -> str:
    """A share as the bot's replies print it (0.833 → 83%; None → —)."""
    return "—" if value is None else f"{value:.0%}"


def score(value: float | None) -> str:
    """A score to one decimal, as /ranking prints it."""
    return "—" if value is None else f"{value:.1f}"


def days_overdue(days: int) -> str:
    """逾期 N 天, or 还剩 N 天 for an item not yet due."""
    if days > 0:
        return f"逾期 {days} 天"
    return "今天到期" if days == 0 else f"还剩 {-days} 天"


def role_names(viewer: Viewer) -> str:
    return "、".join(role.value for role in sorted(viewer.roles, key=list(Role).index))
