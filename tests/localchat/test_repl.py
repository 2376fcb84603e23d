"""The terminal chat: run_chat driven through StringIO, and `python -m bot chat` as a subprocess."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.localchat.terminal import run_chat
from tests.conftest import DISTRICT, PROJECT

START = datetime(2026, 7, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def _chat(tmp_path: Path, script: str, *, reset: bool = True) -> tuple[int, str]:
    settings = Settings(BOT_API_URL="http://127.0.0.1:9", BOT_TIMEZONE="Asia/Shanghai")
    out = io.StringIO()
    code = await run_chat(
        settings,
        data=DISTRICT,
        db=tmp_path / "demo.sqlite3",
        reset=reset,
        files=tmp_path / "files",
        stdin=io.StringIO(script),
        stdout=out,
        start=START,
    )
    return code, out.getvalue()


async def test_a_session_in_the_terminal(tmp_path: Path) -> None:
    script = ":as P0101\n/my\n:help\n:who\n:clock\n:clock +40d\n:foo\n:press 99 1\n:quit\n/never\n"
    code, out = await _chat(tmp_path, script)
    assert code == 0
    assert "单位 12 个，人员 40 名，责任事项 40 项" in out
    assert "本次新绑定 40 人" in out
    assert "输入 :help 查看用法；:as P0101 扮演城关镇党委书记陈立新" in out
    assert "现在扮演：陈立新(P0101)" in out
    assert "← 机器人 → 陈立新(P0101) #2:" in out
    assert "陈立新的责任清单" in out and "下一页 »" in out  # /my: its first page
    assert "【C02】" in out  # an overdue item, on the first page
    assert "<b>" not in out
    assert ":press 12 1" in out
    assert ":clock +3d" in out
    assert "▶ P0101  陈立新  城关镇  第一责任人  已绑定 10000002" in out
    assert "  P0102  李红霞  城关镇  班子成员  已绑定 10000003" in out
    assert "模拟时间：2026-07-15 09:00（Asia/Shanghai）" in out
    assert "时钟：2026-07-15 09:00 → 2026-08-24 09:00" in out
    assert "roll_periods（生成新周期待办）×40" in out
    assert "未知命令 :foo，输入 :help 查看用法" in out
    assert "提示：这个对话里没有消息 #99" in out
    assert "Traceback" not in out
    assert "/never" not in out  # nothing after :quit is read


async def test_strangers_files_and_a_second_run(tmp_path: Path) -> None:
    script = "你好\n:as 12345\n/my\n:sticker\n:again\n:send nowhere.xlsx\n:clock +1x\n"
    code, out = await _chat(tmp_path, script)
    assert code == 0
    assert "请先选择身份：:as P0101" in out
    assert "← 机器人 → 陌生人(12345) #2:" in out
    assert "尚未绑定" in out
    assert "已重新投递更新" in out
    assert "找不到文件 nowhere.xlsx" in out
    assert "看不懂 +1x" in out
    code, out = await _chat(tmp_path, ":as p0001\n/help\n", reset=False)
    assert code == 0
    assert "本次新绑定 0 人" in out
    assert "← 机器人 → 周建国(P0001) #2:" in out
    assert "/invite" in out


@pytest.mark.skipif(not (PROJECT / "bot" / "cli.py").exists(), reason="bot/cli.py not written yet")
def test_python_m_bot_chat_subprocess(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BOT_TOKEN")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "chat",
            "--db",
            str(tmp_path / "demo.sqlite3"),
            "--files",
            str(tmp_path / "files"),
        ],
        input=":as P0101\n/my\n:quit\n",
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "陈立新的责任清单" in result.stdout
    assert "Traceback" not in result.stderr


async def test_the_demo_group_binds_and_stays_silent_under_its_posts(tmp_path: Path) -> None:
    script = (
        ":as P0105\n:group /bindgroup\n/publicize\n:press 2 1\n:clock +10m\n"
        ":as P0101\n:group 大家好\n:group\n"
        ":group reply 3 收到\n:group reply 3 今天上午召开党委会专题研究了党风廉政建设\n:quit\n"
    )
    code, out = await _chat(tmp_path, script)
    assert code == 0
    assert "← 机器人 → 演示工作群 #2:" in out and "本群已关联到城关镇" in out
    assert "机器人没有回应：在群里它只处理回复它的消息和发给它的命令" in out
    assert "提示：用法：:group /bindgroup" in out
    assert re.search(
        r"演示工作群 \d+ 条", out
    )  # the list, posted through the outbox when the clock moves
    # a reply under the publicized list invites nothing: no lecture, no proposal, no record
    assert "拟记入" not in out and "已记入" not in out and "没有记入" not in out
    assert "Traceback" not in out


async def test_the_demo_reply_of_a_stall_to_a_card_records_nothing_and_says_why(
    tmp_path: Path,
) -> None:
    """A stall replied to an item card records nothing and says why; a completion is recorded."""
    script = (
        ":as P0101\n/my\n:press 2 C07\n:reply 3 回头再说\n"
        ":reply 3 今天组织全体干部开展了警示教育活动\n:quit\n"
    )
    code, out = await _chat(tmp_path, script)
    assert code == 0 and "Traceback" not in out
    stall, done = out.split("回头再说", 1)[1].split("今天组织全体干部", 1)
    assert "这条消息像是<b>工作计划</b>" in stall or "工作计划" in stall
    assert "没有记入履责记实" in stall and "【C07】" not in stall
    assert "已记入履责记实：【C07】" in done
