"""Demo set-up for `make demo`: import the sample district, then bind everyone through real invites."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.binding import redeem_invite
from bot.services.directory.identity import issue_invites
from bot.services.importing.apply import ImportSummary, import_directory
from bot.services.importing.read import read_directory
from storage.models import Person, PersonRole, Role, Unit

logger = logging.getLogger(__name__)
DEMO_ID_BASE = 10_000_000  # demo Telegram ids: 10_000_000 + position in code order

HELP = """本地聊天模式：不连接 Telegram，你在终端里扮演任何人，和真实的机器人对话。
以 : 开头的是命令，其余任何一行都是“当前身份”发给机器人的消息，例如 /my、/help、你好。

身份
  :as P0101          扮演人员 P0101（城关镇党委书记陈立新）；编码不区分大小写
  :as 12345          扮演一个未绑定的陌生人，Telegram id 为 12345
  :who               列出全部人员：编码、姓名、单位、角色、是否已绑定（▶ 为当前身份）
消息
  /my                直接输入文字即发送，例如 /my、/unit、/invite P0102
  :reply 12 已完成    回复机器人的第 12 条消息
  :press 12 1        点击第 12 条消息上的第 1 个按钮；也可写按钮文字：:press 12 已完成
  :send 名单.xlsx     把本机文件作为文档发送（管理员发送 .xlsx 即导入）
  :sticker  :photo  :voice   发送贴纸、图片、语音，看看机器人如何应对
  :again             把上一条消息再投递一次（模拟 Telegram 重复投递）
  :group /bindgroup  在“演示工作群”里发消息（联络员先 /bindgroup 关联本单位）；
  :group reply 12 文字  在群里回复机器人的第 12 条消息（即记实）；:group press 12 1 点群里的按钮
时间
  :clock                    显示模拟时间（Asia/Shanghai）
  :clock 2026-12-01 09:00   把时钟拨到指定时刻，并运行途中到点的定时任务
  :clock +3d  :clock +2h    向前拨 3 天 / 2 小时（也可用 +30m、+1w、+1d12h）
                     时钟随数据库保存，下次启动接着走；新数据库从演示日 2026-11-26 开始
                     途中的提醒（工作日 9:00 起）经发件箱送达；只完整显示发给当前身份的，
                     其余按人汇总；:inbox 查看当前身份最近收到的 5 条（:inbox 20 看 20 条）
  试试：:as P0101 后 :clock 2026-12-24 09:30，看季度自查提示和逾期提醒；
        :as P0105（联络员）看逾期汇总；:as P0001（管理员）看约谈提醒名单
其他
  :help   显示本说明      :quit   退出（Ctrl-D 亦可）

机器人的每个动作显示为“← 机器人 → 姓名(编码) #消息号:”，按钮显示为 [1 标签]，
机器人发送的文件保存到文件目录并显示路径。"""


@dataclass(frozen=True)
class DemoPerson:
    """One active person as the chat shows them."""

    code: str
    name: str
    unit_name: str
    position: str
    roles: tuple[Role, ...]
    telegram_id: int | None

    @property
    def label(self) -> str:
        return f"{self.name}({self.code})"

    @property
    def role_words(self) -> str:
        return "、".join(role.value for role in self.roles)


@dataclass(frozen=True)
class DemoSetup:
    """What the set-up did, and the people to play."""

    summary: ImportSummary
    newly_bound: int
    people: dict[str, DemoPerson]


def demo_db_url(db: Path, *, reset: bool) -> str:
    """The SQLite URL of the demo database file; `reset` deletes the file (and its journals) first."""
    if reset:
        for suffix in ("", "-journal", "-wal", "-shm", ".clock"):
            db.with_name(db.name + suffix).unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{db.resolve().as_posix()}"


async def setup_demo(
    sessions: async_sessionmaker[AsyncSession], *, data: Path, now: datetime, zone: ZoneInfo
) -> DemoSetup:
    """Import `data` (re-running changes nothing), bind whoever is unbound, list everyone."""
    tables = await asyncio.to_thread(read_directory, data)
    async with sessions() as session:
        summary = await import_directory(session, tables=tables, now=now, zone=zone)
    newly_bound = await bind_everyone(sessions, now=now)
    return DemoSetup(summary, newly_bound, await load_people(sessions))


async def bind_everyone(sessions: async_sessionmaker[AsyncSession], *, now: datetime) -> int:
    """Issue invites to the unbound active people and redeem each with a demo Telegram id."""
    async with sessions() as session:
        everyone = (await session.exec(select(Person).order_by(col(Person.code)))).all()
        taken = {person.telegram_id for person in everyone if person.telegram_id is not None}
        active = [person for person in everyone if person.active]
        wanted: dict[str, int] = {}
        for index, person in enumerate(active):
            if person.telegram_id is not None:
                continue
            telegram_id = DEMO_ID_BASE + index
            while telegram_id in taken:
                telegram_id += len(active)
            taken.add(telegram_id)
            wanted[person.code] = telegram_id
        if not wanted:
            return 0
        codes = None if len(wanted) == len(active) else list(wanted)
        issued = await issue_invites(session, person_codes=codes, now=now)
        for invite in issued:
            await redeem_invite(
                session, code=invite.code, telegram_id=wanted[invite.person_code], now=now
            )
    logger.info("demo: bound %s people", len(wanted))
    return len(wanted)


async def load_people(sessions: async_sessionmaker[AsyncSession]) -> dict[str, DemoPerson]:
    """Every active person by code, with unit, roles and Telegram id (None: unbound)."""
    async with sessions() as session:
        rows = (
            await session.exec(
                select(Person, Unit)
                .join(Unit, col(Unit.id) == col(Person.unit_id))
                .where(col(Person.active).is_(True))
                .order_by(col(Person.code))
            )
        ).all()
        roles: dict[int, list[Role]] = {}
        for person_id, role in (
            await session.exec(select(PersonRole.person_id, PersonRole.role))
        ).all():
            roles.setdefault(person_id, []).append(Role(role))
    order = list(Role)
    return {
        person.code: DemoPerson(
            code=person.code,
            name=person.name,
            unit_name=unit.name,
            position=person.position,
            roles=tuple(sorted(roles.get(person.id or 0, []), key=order.index)),
            telegram_id=person.telegram_id,
        )
        for person, unit in rows
    }


def banner(
    setup: DemoSetup, *, data: Path, db: Path, now: str, zone: ZoneInfo, clock_note: str = ""
) -> list[str]:
    """The lines the chat starts with: what was imported and bound, where, and how to begin."""
    s = setup.summary
    units, people, items = (k.added + k.updated + k.unchanged for k in (s.units, s.people, s.items))
    bound = sum(1 for p in setup.people.values() if p.telegram_id is not None)
    return [
        "履责助手 · 本地聊天模式（不连接 Telegram）",
        f"数据库：{db.resolve()}",
        f"示例数据 {data}：导入单位 {units} 个，人员 {people} 名，责任事项 {items} 项",
        f"已绑定 {bound} 人（本次新绑定 {setup.newly_bound} 人），演示 Telegram id 从 {DEMO_ID_BASE} 起",
        f"模拟时间：{now}（{zone.key}）{clock_note}",
        "输入 :help 查看用法；:as P0101 扮演城关镇党委书记陈立新",
    ]
