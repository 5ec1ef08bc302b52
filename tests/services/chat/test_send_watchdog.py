"""One watchdog keeps ``send_timeout_s`` for every socket: a send that stays pending past it
gets its socket closed as a slow consumer (4008), and sockets that take their frames are
left alone."""

from __future__ import annotations

import asyncio
from typing import Any

from services.chat.connection import CLOSE_SLOW, Session
from services.chat.sending import Sending
from services.chat.settings import ChatSettings


class Socket:
    """A socket that takes frames at once, or never (``stuck``)."""

    def __init__(self, stuck: bool) -> None:
        self.stuck = stuck
        self.sent: list[str] = []
        self.closed_with: int | None = None

    async def send_text(self, text: str) -> None:
        if self.stuck:
            await asyncio.Event().wait()
        self.sent.append(text)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed_with = code


class Senders(Sending):
    def __init__(self, timeout_s: float) -> None:
        self.conf = ChatSettings(send_timeout_s=timeout_s)
        self.by_user: dict[str, set[Session]] = {}


def _session(user: str) -> Session:
    s = Session(user, "d", live_buffer=16, control_buffer=16)
    s.inbox_dirty = False
    return s


def test_watchdog_closes_a_stalled_socket_and_spares_a_live_one():
    async def scenario() -> tuple[Any, ...]:
        hub = Senders(0.2)
        stuck, live = Socket(stuck=True), Socket(stuck=False)
        s_stuck, s_live = _session("a"), _session("b")
        hub.by_user = {"a": {s_stuck}, "b": {s_live}}
        loop = asyncio.get_running_loop()
        for s, ws in ((s_stuck, stuck), (s_live, live)):
            s.sender = loop.create_task(hub._sender(ws, s))
        hub._watch(loop)
        s_stuck.post({"type": "pong"})
        await asyncio.sleep(0.1)
        early = stuck.closed_with  # well within the limit: still waiting
        for i in range(8):
            s_live.post({"type": "pong", "i": i})
            await asyncio.sleep(0.05)
        await asyncio.wait_for(s_stuck.sender, 2)
        live_done = s_live.sender.done()
        s_live.closed = True
        s_live.wake.set()
        await asyncio.wait_for(s_live.sender, 2)
        return early, stuck.closed_with, s_stuck.overflow, live_done, live, s_live.overflow

    early, code, overflow, live_done, live, live_overflow = asyncio.run(scenario())
    assert early is None
    assert code == CLOSE_SLOW and overflow
    assert not live_done and len(live.sent) == 8 and live.closed_with is None
    assert not live_overflow


def test_a_sender_cancelled_by_its_connection_ending_is_not_taken_for_stalled():
    async def scenario() -> tuple[bool, int | None]:
        hub = Senders(10.0)
        ws, s = Socket(stuck=True), _session("a")
        hub.by_user = {"a": {s}}
        s.sender = asyncio.get_running_loop().create_task(hub._sender(ws, s))
        s.post({"type": "pong"})
        await asyncio.sleep(0.05)
        s.sender.cancel()
        try:
            await s.sender
        except asyncio.CancelledError:
            return True, ws.closed_with
        return False, ws.closed_with

    cancelled, closed_with = asyncio.run(scenario())
    assert cancelled and closed_with is None
