"""An update reaches its handler without thread hand-offs, and Bot API answers are checked
without rebuilding their response models (the CPU and latency of every chat message)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from typing import Any

import pydantic._internal._generics as generics
import pytest

from handlers.filters import on_the_loop
from tests.handlers.conftest import District


async def _proposal(district: District, uid: int, sentence: str) -> int:
    """The message id of the proposal the sentence brought."""
    message_id = (await district.chat.send_text(uid, sentence))[-1].message_id
    assert message_id is not None
    return message_id


async def test_no_filter_or_handler_goes_through_a_thread(
    district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiogram runs a sync filter (F.text …) with asyncio.to_thread: none is left after setup,
    and a sentence, its 取消 and /my are answered without one."""
    assert on_the_loop(district.app.dispatcher) == 0  # setup made them all inline
    hops: list[Callable[..., Any]] = []
    real = asyncio.to_thread

    async def counted(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        hops.append(func)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counted)
    uid = district.tg("P0101")
    proposal = await _proposal(district, uid, "今天上午主持召开党委会专题研究党风廉政建设工作")
    assert "确认" in [b.get("text") for b in district.chat.buttons(uid, proposal)]
    await district.chat.press(uid, proposal, "取消")
    my = await district.say("P0101", "/my")
    assert "陈立新的责任清单" in my
    assert hops == []


async def test_a_response_model_is_built_once(
    district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    """editMessageText answers Response[Union[Message, bool]]: pydantic held it only weakly, so
    each 取消 and 确认 built it again (about 30 ms of CPU)."""
    uid = district.tg("P0101")
    sentence = "今天上午主持召开党委会专题研究党风廉政建设工作"
    await district.chat.press(uid, await _proposal(district, uid, sentence), "取消")  # warm
    built: list[str] = []
    real = generics.create_generic_submodel

    def counted(name: str, *args: Any, **kwargs: Any) -> Any:
        built.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(generics, "create_generic_submodel", counted)
    for _ in range(3):
        gc.collect()
        await district.chat.press(uid, await _proposal(district, uid, sentence), "取消")
    assert built == []
