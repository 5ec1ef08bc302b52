"""The hub's sending side: one sender loop per socket, which writes what is due to it in
order (control frames, to-device envelopes, then every conversation's rows after the last
one sent, from the live buffer or a page of the store), within the device's window. A socket
that takes longer than ``send_timeout_s`` to take a frame is closed (code 4008).

That limit is kept by one watchdog timer for all sockets (``_watch_sends``), not by a timer
per frame: arming and cancelling a timeout around every frame cost about a tenth of the
event loop's time at full rate. A send records when it started; the watchdog, every
``WATCH_S`` (or a quarter of the limit), cancels the sender of a socket whose send has been
pending for longer than the limit, and that sender closes it as a timed out send would."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from services.chat.connection import CLOSE_SLOW, ConvState, Session
from services.chat.model import Message
from services.chat.service import ChatService
from services.chat.settings import ChatSettings

log = logging.getLogger(__name__)

WATCH_S = 1.0  # how often the watchdog looks for stalled sends (at most)


class Sending:
    """Part of ``Hub`` (``services.chat.hub``): the sender loop of each socket."""

    service: ChatService
    conf: ChatSettings
    by_user: dict[str, set[Session]]
    _watching: tuple[asyncio.AbstractEventLoop, asyncio.TimerHandle] | None = None

    # -- sending ---------------------------------------------------------------------------
    async def _send(self, ws: WebSocket, s: Session, frame: dict[str, Any] | str) -> None:
        text = frame if isinstance(frame, str) else orjson.dumps(frame).decode()
        s.sending_since = time.monotonic()
        await ws.send_text(text)
        s.sending_since = 0.0

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Keep the watchdog of sends running on ``loop`` (the loop serving the sockets)."""
        if self._watching is None or self._watching[0] is not loop:
            period = min(WATCH_S, self.conf.send_timeout_s / 4)
            self._watching = (loop, loop.call_later(period, self._watch_sends, loop, period))

    def _watch_sends(self, loop: asyncio.AbstractEventLoop, period: float) -> None:
        """Cancel the sender of every socket whose send has been pending for longer than
        ``send_timeout_s``; runs every ``period`` while sockets are connected."""
        now = time.monotonic()
        limit = self.conf.send_timeout_s
        for sessions in list(self.by_user.values()):
            for s in sessions:
                since = s.sending_since
                if since and now - since > limit and not s.stalled and s.sender is not None:
                    s.stalled = True
                    s.sender.cancel()
        if self.by_user:
            self._watching = (loop, loop.call_later(period, self._watch_sends, loop, period))
        else:
            self._watching = None

    async def _sender(self, ws: WebSocket, s: Session) -> None:
        try:
            await self._send_due(ws, s)
            return
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass
        except asyncio.CancelledError:
            if not s.stalled:
                raise
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()  # cancelled by the watchdog: closed below, as stalled
        s.overflow = True
        s.closed = True
        with contextlib.suppress(Exception):
            await ws.close(CLOSE_SLOW, "slow consumer: reconnect and resync")

    async def _send_due(self, ws: WebSocket, s: Session) -> None:
        """Until the session closes: on every wake-up, send what is due to the socket."""
        while not s.closed:
            await s.wake.wait()
            s.wake.clear()
            if s.overflow:
                await ws.close(CLOSE_SLOW, "slow consumer: reconnect and resync")
                return
            while not s.control.empty():
                await self._send(ws, s, s.control.get_nowait())
            if s.inbox_dirty:
                s.inbox_dirty = False
                await self._send_inbox(ws, s)
            for conv in list(s.dirty):
                s.dirty.discard(conv)
                if await self._send_conv(ws, s, conv):
                    s.dirty.add(conv)  # window full or more to come: later
            if s.dirty and any(len(s.convs[c].inflight) < self.conf.window for c in s.dirty):
                s.wake.set()

    async def _send_conv(self, ws: WebSocket, s: Session, conv: str) -> bool:
        """Send what is due in one conversation; True if some is still due."""
        state = s.convs[conv]
        window = self.conf.window
        while state.sent < state.known and len(state.inflight) < window:
            m = s.take_live(state, state.sent + 1)
            if m is not None:
                await self._deliver(ws, s, state, m)
                continue
            rows, scanned, gap = await asyncio.to_thread(
                self.service.history,
                s.user,
                conv,
                state.sent,
                min(self.conf.page_size, window - len(state.inflight)),
            )
            if gap is not None:
                await self._send(ws, s, {"type": "gap", **gap})
                await asyncio.to_thread(self.service.note_gap, s.user, s.device, gap)
                state.sent = max(state.sent, gap["to"])
            for m in rows:
                if m.seq > state.sent:
                    await self._deliver(ws, s, state, m)
            s.drop_live_through(state, scanned)
            if scanned <= state.sent and not rows and gap is None:
                state.known = max(state.sent, scanned)  # nothing more stored yet
                break
            state.sent = max(state.sent, scanned)
        return state.sent < state.known

    async def _deliver(self, ws: WebSocket, s: Session, state: ConvState, m: Message) -> None:
        await self._send(ws, s, m.wire)
        state.sent = m.seq
        state.inflight.append((m.seq, m.created_at, time.time()))

    async def _send_inbox(self, ws: WebSocket, s: Session) -> None:
        rows = await asyncio.to_thread(self.service.store.inbox, s.user, s.device)
        for r in rows:
            if r["id"] > s.inbox_sent:
                await self._send(
                    ws,
                    s,
                    {
                        "type": "to_device",
                        "id": r["id"],
                        "sender": r["sender"],
                        "sender_device": r["sender_device"],
                        "body": orjson.loads(r["body"]),
                    },
                )
                s.inbox_sent = r["id"]
