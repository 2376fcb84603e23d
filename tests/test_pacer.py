"""The pacer: overall rate, per-chat burst then 1/s, 18/min per group, 429 pauses, replies first."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.telegram.pacer import HIGH, LOW, Pacer, SlidingWindow, TokenBucket


def _max_in_window(times: list[float], period: float) -> int:
    """The most grants that fall in any closed window of `period` seconds."""
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while times[start] < moment - period:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_a_private_chat_gets_a_burst_of_three_then_one_a_second() -> None:
    bucket = TokenBucket(rate=1.0, burst=3, now=100.0)
    granted: list[float] = []
    now = 100.0
    while len(granted) < 8:
        now = bucket.ready_at(now)
        bucket.take(now)
        granted.append(now - 100.0)
    assert granted[:3] == [0.0, 0.0, 0.0]
    assert granted[3:] == pytest.approx([1.0, 2.0, 3.0, 4.0, 5.0])
    assert bucket.ready_at(200.0) == 200.0  # rested: the burst is back
    assert bucket.idle(200.0)


def test_a_group_never_gets_more_than_eighteen_in_any_minute() -> None:
    window = SlidingWindow(limit=18, period=60.0)
    granted: list[float] = []
    now = 0.0
    while len(granted) < 60:
        now = window.ready_at(now)
        window.take(now)
        granted.append(now)
    assert _max_in_window(granted, 59.999) == 18
    assert granted[17] == 0.0
    assert granted[18] == 60.0
    assert not window.idle(100.0)
    assert window.idle(granted[-1] + 60.0)


async def test_the_overall_rate_holds_across_many_chats() -> None:
    pacer = Pacer(rate=50.0)
    times = await asyncio.gather(*(pacer.acquire(1000 + n, priority=LOW) for n in range(60)))
    gaps = [b - a for a, b in zip(sorted(times), sorted(times)[1:], strict=False)]
    assert min(gaps) >= 0.5 / 50 - 1e-9  # half a send of slack makes up for a late wake-up
    assert _max_in_window(list(times), 1.0) <= 51  # rate·t + 1.5 at most
    assert _max_in_window(list(times), 0.2) <= 11
    assert max(times) - min(times) >= 59 / 50 - 0.5 / 50 - 1e-6
    assert pacer.granted == 60


async def test_the_default_limits_for_one_private_chat() -> None:
    pacer = Pacer()
    times = [await pacer.acquire(42) for _ in range(5)]
    assert times[2] - times[0] < 0.2  # the burst
    assert times[3] - times[0] >= 1.0 - 1e-6  # then one a second, on average since the burst
    assert times[4] - times[0] >= 2.0 - 1e-6


async def test_a_group_chat_waits_for_its_window() -> None:
    pacer = Pacer(group_limit=3, group_period=0.6)
    times = [await pacer.acquire(-100123) for _ in range(7)]
    assert _max_in_window(times, 0.6 - 1e-6) == 3
    assert times[3] - times[0] >= 0.6 - 1e-6


async def test_a_busy_chat_does_not_hold_up_the_others() -> None:
    pacer = Pacer(rate=100.0)
    for _ in range(3):
        await pacer.acquire(7, priority=LOW)  # chat 7's burst is used up
    busy = asyncio.create_task(pacer.acquire(7, priority=LOW))
    others = await asyncio.gather(*(pacer.acquire(100 + n, priority=LOW) for n in range(10)))
    assert not busy.done()
    assert max(others) < await busy


async def test_a_pause_stops_everyone_and_nothing_goes_earlier() -> None:
    pacer = Pacer(rate=40.0)
    bulk = [asyncio.create_task(pacer.acquire(2000 + n, priority=LOW)) for n in range(30)]
    await bulk[4]  # five granted (same priority: in arrival order)
    paused_at = time.monotonic()
    pacer.pause(0.5)
    reply = await pacer.acquire(1, priority=HIGH)  # replies wait like everyone else
    times = await asyncio.gather(*bulk)
    assert reply >= paused_at + 0.5
    assert [t for t in times if paused_at <= t < paused_at + 0.5] == []
    assert sum(1 for t in times if t >= paused_at + 0.5) >= 20


async def test_a_pause_is_measured_on_the_injected_clock() -> None:
    now = [1000.0]
    pacer = Pacer(monotonic=lambda: now[0])
    pacer.pause(5)
    waiting = asyncio.create_task(pacer.acquire(1))
    await asyncio.sleep(0.2)
    assert not waiting.done()  # real time passes, the pacer's clock does not
    assert pacer.paused_for() == 5
    now[0] += 4.9
    pacer.pause(0)  # no shorter than before: only wakes the pacer
    await asyncio.sleep(0.05)
    assert not waiting.done()
    now[0] += 0.1
    pacer.pause(0)
    assert await asyncio.wait_for(waiting, 1) == 1005.0


async def test_a_reply_overtakes_a_queued_bulk_wave() -> None:
    pacer = Pacer(rate=20.0)
    bulk = [asyncio.create_task(pacer.acquire(3000 + n, priority=LOW)) for n in range(40)]
    await bulk[4]  # five granted (same priority: in arrival order)
    asked = time.monotonic()
    reply = await pacer.acquire(1, priority=HIGH)
    times = await asyncio.gather(*bulk)
    overtaken_by = [t for t in times if asked <= t < reply]
    assert len(overtaken_by) <= 1  # at most the grant already under way
    assert reply - asked < 0.2
    assert sum(1 for t in times if t > reply) >= 30


async def test_a_cancelled_wait_gives_its_place_up_and_the_pacer_rests() -> None:
    pacer = Pacer(rate=100.0)
    pacer.pause(0.3)
    gone = asyncio.create_task(pacer.acquire(5))
    await asyncio.sleep(0.05)
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert pacer.waiting() == 0
    await pacer.acquire(6)
    assert pacer.granted == 1
    await asyncio.sleep(0.05)
    assert pacer._task is None or pacer._task.done()


async def test_without_per_chat_limits_only_the_overall_rate_holds() -> None:
    pacer = Pacer(rate=50.0, per_chat=False)  # the local chat mode's fake has no chat limits
    times = [await pacer.acquire(42) for _ in range(10)]
    assert times[-1] - times[0] < 0.5
    assert _max_in_window(times, 0.2) <= 11
