"""`python -m bot run | serve | import | invite | unbind | chat | web | migrate | tick | calendar`: the command line."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.config import Settings, SettingsError, load_settings

logger = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="履责助手：两个责任清单机器人"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    sub.add_parser("run", help="连接 Telegram（或 BOT_API_URL 指向的服务器）长轮询运行")
    sub.add_parser(
        "serve",
        help="以 webhook 方式运行（WEBHOOK_URL、WEBHOOK_SECRET）；可多个进程共用 PostgreSQL",
    )
    imp = sub.add_parser("import", help="导入单位、人员、责任清单（三个 CSV 的目录或一个 XLSX）")
    imp.add_argument(
        "path", type=Path, help="目录（units.csv、people.csv、items.csv）或 .xlsx 文件"
    )
    inv = sub.add_parser("invite", help="为人员生成一次性绑定邀请码和链接")
    inv.add_argument("codes", nargs="*", help="人员编码，如 P0101 P0102")
    inv.add_argument(
        "--all", action="store_true", help="为尚未绑定的全部在册人员生成（已绑定的不生成）"
    )
    unb = sub.add_parser("unbind", help="解除人员与其 Telegram 账号的绑定（记入审计）")
    unb.add_argument("person_code", help="人员编码，如 P0105")
    chat = sub.add_parser("chat", help="本地聊天模式：不连 Telegram，在终端里扮演任何人试用")
    chat.add_argument("--data", type=Path, default=Path("examples/district"), help="导入的示例数据")
    chat.add_argument("--db", type=Path, default=Path(".demo/demo.sqlite3"), help="演示数据库文件")
    chat.add_argument("--reset", action="store_true", help="从空数据库重新开始")
    chat.add_argument(
        "--files", type=Path, default=Path(".demo/files"), help="机器人发送的文件存放处"
    )
    chat.add_argument(
        "--today",
        help="模拟时钟从这一天（09:30）或时刻开始，如 2026-12-03 或 '2026-12-03 14:00'；"
        "不写时：接着此数据库上次的时间，新数据库从演示日 2026-11-26 开始",
    )
    web_cmd = sub.add_parser(
        "web", help="只读网页（管理员、联络员、本人）：机器人 /web 发送登录链接"
    )
    web_cmd.add_argument("--host", default="127.0.0.1", help="监听地址，默认 127.0.0.1")
    web_cmd.add_argument("--port", type=int, default=8080, help="端口，默认 8080")
    web_cmd.add_argument(
        "--db",
        type=Path,
        help="演示数据库（如 .demo/demo.sqlite3）：按演示时钟运行；不写时用 DATABASE_URL",
    )
    sub.add_parser("migrate", help="把数据库升级到最新结构")
    cal = sub.add_parser("calendar", help="工作日安排：导入管理员的调整，查看某年的节假日和调休")
    cal_sub = cal.add_subparsers(dest="calendar_command", required=True, metavar="操作")
    cal_imp = cal_sub.add_parser("import", help="导入 CSV（日期,类型,说明；类型为 上班 或 休息）")
    cal_imp.add_argument("file", type=Path, help="CSV 文件，UTF-8 或 GB18030 编码")
    cal_imp.add_argument(
        "--year",
        type=int,
        help="声明此文件是该年国务院办公厅公布的全年放假安排（含调休）；"
        "不加时只是个别日期的调整（如本地停工），该年仍按推算",
    )
    cal_show = cal_sub.add_parser("show", help="列出某年的工作日休息和周末上班日及其来源")
    cal_show.add_argument("year", type=int, nargs="?", help="年份，默认今年")
    tick = sub.add_parser("tick", help="按当前（或 --now 指定的）时刻选取到期提醒并发送一次")
    tick.add_argument("--now", help="ISO 时间，例如 2026-12-24T09:00（不写时区按 BOT_TIMEZONE）")
    return parser


def _setup_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("aiogram.event", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.root.level))


def quiet_gc() -> None:
    """Collect garbage without long pauses: what is loaded at start (the libraries, the models)
    is frozen out of collection, and young objects are collected less often. A reminder run
    makes hundreds of thousands of objects; with the defaults each full collection stopped the
    event loop for about 100 ms, several times a run (bench/bench_deaf.py)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, read the settings and run one command; returns the exit code."""
    quiet_gc()
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        _setup_logging(settings)
        return asyncio.run(_dispatch(args, settings))
    except SettingsError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli, cli_calendar, cli_tick, cli_web

    commands: dict[str, Callable[[], Awaitable[int]]] = {
        "run": lambda: cli.run(settings),
        "serve": lambda: cli.serve(settings),
        "import": lambda: cli.import_path(settings, args.path),
        "invite": lambda: cli.invite(settings, args.codes, everyone=args.all),
        "unbind": lambda: cli.unbind(settings, args.person_code),
        "chat": lambda: cli.chat(
            settings,
            data=args.data,
            db=args.db,
            reset=args.reset,
            files=args.files,
            today=args.today,
        ),
        "web": lambda: cli_web.serve(settings, host=args.host, port=args.port, db=args.db),
        "migrate": lambda: cli.migrate_only(settings),
        "tick": lambda: cli_tick.tick(settings, args.now),
        "calendar": lambda: (
            cli_calendar.calendar_import(settings, args.file, args.year)
            if args.calendar_command == "import"
            else cli_calendar.calendar_show(settings, args.year)
        ),
    }
    return await commands[args.command]()


if __name__ == "__main__":
    sys.exit(main())
