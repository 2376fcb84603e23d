"""The README's demo walkthroughs replayed through the chat mode on the demo's own day."""

from __future__ import annotations

import asyncio
import functools
import io
import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.localchat.demo_clock import clock_file
from bot.localchat.terminal import run_chat
from tests.conftest import DISTRICT, PROJECT
from tests.localchat.walkthroughs import PROMPT, Walkthrough, by_step, missing, walkthroughs

README = PROJECT / "README.md"
WALKS = walkthroughs(README)
SETTINGS = Settings(BOT_API_URL="http://127.0.0.1:9", BOT_TIMEZONE="Asia/Shanghai")


async def _chat(db: Path, files: Path, script: str, *, reset: bool) -> str:
    out = io.StringIO()
    code = await run_chat(
        SETTINGS,
        data=DISTRICT,
        db=db,
        reset=reset,
        files=files,
        stdin=io.StringIO(script),
        stdout=out,
    )
    assert code == 0, out.getvalue()
    return out.getvalue()


@pytest.fixture(scope="module")
def fresh_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database as `make demo` leaves it on a first start with nothing typed (history
    loaded, clock on the demo day); each walkthrough starts from a copy, as the README says."""
    db = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    asyncio.run(_chat(db, db.parent / "files", "", reset=True))
    return db


def _copy(fresh: Path, into: Path) -> Path:
    db = into / "demo.sqlite3"
    shutil.copyfile(fresh, db)
    if clock_file(fresh).exists():
        shutil.copyfile(clock_file(fresh), clock_file(db))
    return db


# Answers longer than a phone's screen (30 lines) that the message-length work has still to
# give a summary first or cut into pages; any other answer of a walkthrough must fit.
SCREEN = 30
LONG_FOR_NOW: set[str] = set()


def long_answers(output: str) -> list[str]:
    """The first line and length of each bot message in `output` longer than a screen."""
    found, lines = [], output.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("← 机器人")] + [len(lines)]
    for start, end in itertools.pairwise(starts):
        body = list(itertools.takewhile(_in_message, lines[start + 1 : end]))
        if len(body) > SCREEN:
            found.append(f"{len(body)} lines: {body[0][:40]}")
    return found


def _in_message(line: str) -> bool:
    return not (PROMPT.match(line) or line.startswith(("（另有", "再见。")))


def test_the_readme_has_its_walkthroughs() -> None:
    sections = [walk.section for walk in WALKS]
    assert len(WALKS) >= 6, sections
    assert all(len(walk.steps) >= 3 for walk in WALKS), sections


@pytest.mark.parametrize("walk", WALKS, ids=[walk.section.split(" ")[0] for walk in WALKS])
async def test_each_step_shows_what_the_readme_says(
    walk: Walkthrough, fresh_demo: Path, tmp_path: Path
) -> None:
    db = _copy(fresh_demo, tmp_path)
    script = "".join(step.line + "\n" for step in walk.steps) + ":quit\n"
    transcript = await _chat(db, tmp_path / "files", script, reset=False)
    assert "Traceback" not in transcript and "出错了" not in transcript
    for step, output in zip(walk.steps, by_step(transcript, walk.steps), strict=True):
        lost = missing(output, step.shows)
        assert lost is None, f"{walk.section}: {step.line!r} does not show {lost!r}:\n{output}"
        if step.line not in LONG_FOR_NOW:
            assert not long_answers(output), (step.line, long_answers(output))


async def test_the_demo_starts_on_its_day_and_keeps_its_clock(
    fresh_demo: Path, tmp_path: Path
) -> None:
    """A restart goes on at the instant the clock was moved to: /my and /records agree."""
    db = _copy(fresh_demo, tmp_path)
    first = await _chat(db, tmp_path / "files", ":clock\n", reset=False)
    assert "模拟时间：2026-11-26 09:30（Asia/Shanghai）" in first
    await _chat(db, tmp_path / "files", ":clock 2027-01-18 10:00\n", reset=False)
    again = await _chat(db, tmp_path / "files", ":as P0101\n/my\n", reset=False)
    assert "模拟时间：2027-01-18 10:00（Asia/Shanghai），接着上次拨到的时间" in again
    assert "截至 2027-01-18" in again
    clock_file(db).unlink()  # a database an older demo made: its history is up to a real day
    legacy = await _chat(db, tmp_path / "files", ":clock\n", reset=False)
    assert "旧版演示数据库没有保存时钟，按当前时间" in legacy
    reset = await _chat(db, tmp_path / "files", ":clock\n", reset=True)
    assert "模拟时间：2026-11-26 09:30（Asia/Shanghai），演示日" in reset


def test_today_starts_the_demo_on_another_day(tmp_path: Path) -> None:
    """`python -m bot chat --today 2026-12-03` starts there (09:30); a bad day is refused."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BOT_TOKEN")}
    command = [sys.executable, "-m", "bot", "chat", "--db", str(tmp_path / "demo.sqlite3")]
    run = functools.partial(
        subprocess.run, capture_output=True, text=True, cwd=PROJECT, env=env, timeout=120
    )
    result = run([*command, "--today", "2026-12-03"], input=":clock\n", check=False)
    assert result.returncode == 0, result.stderr
    assert "模拟时间：2026-12-03 09:30（Asia/Shanghai），按 --today 设定" in result.stdout
    refused = run([*command, "--today", "12月3日"], input="", check=False)
    assert refused.returncode == 2
    assert "看不懂 --today 12月3日" in refused.stderr
