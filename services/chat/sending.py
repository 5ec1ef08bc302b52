"""The hub's sending side: one sender loop per socket, which writes what is due to it in
order (control frames, to-device envelopes, then every conversation's rows after the last
one sent, from the live buffer or a page of the store), within the device's window. A socket
that takes longer than ``send_timeout_s`` to take a frame is closed (code 4008)."""

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


class Sending:
    """Part of ``Hub`` (``services.chat.hub``): the sender loop of each socket."""

    service: ChatService
    conf: ChatSettings

    # -- sending ---------------------------------------------------------------------------
    async def _send(self, ws: WebSocket, frame: dict[str, Any] | str) -> None:
        # asyncio.timeout, not wait_for: no task per frame on the hot path.
        text = frame if isinstance(frame, str) else orjson.dumps(frame).decode()
        async with asyncio.timeout(self.conf.send_timeout_s):
            await ws.send_text(text)

    async def _sender(self, ws: WebSocket, s: Session) -> None:
        try:
            while not s.closed:
                await s.wake.wait()
                s.wake.clear()
                if s.overflow:
                    await ws.close(CLOSE_SLOW, "slow consumer: reconnect and resync")
                    return
                while not s.control.empty():
                    await self._send(ws, s.control.get_nowait())
                if s.inbox_dirty:
                    s.inbox_dirty = False
                    await self._send_inbox(ws, s)
                for conv in list(s.dirty):
                    s.dirty.discard(conv)
                    if await self._send_conv(ws, s, conv):
                        s.dirty.add(conv)  # window full or more to come: later
                if s.dirty and any(len(s.convs[c].inflight) < self.conf.window for c in s.dirty):
                    s.wake.set()
        except (TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
            s.overflow = True
            s.closed = True
            with contextlib.suppress(Exception):
                await ws.close(CLOSE_SLOW, "slow consumer: reconnect and resync")

    async def _send_conv(self, ws: WebSocket, s: Session, conv: str) -> bool:
        """Send what is due in one conversation; True if some is still due."""
        state = s.convs[conv]
        window = self.conf.window
        while state.sent < state.known and len(state.inflight) < window:
            m = s.take_live(state, state.sent + 1)
            if m is not None:
                await self._deliver(ws, state, m)
                continue
            rows, scanned, gap = await asyncio.to_thread(
                self.service.history,
                s.user,
                conv,
                state.sent,
                min(self.conf.page_size, window - len(state.inflight)),
            )
            if gap is not None:
                await self._send(ws, {"type": "gap", **gap})
                await asyncio.to_thread(self.service.note_gap, s.user, s.device, gap)
                state.sent = max(state.sent, gap["to"])
            for m in rows:
                if m.seq > state.sent:
                    await self._deliver(ws, state, m)
            s.drop_live_through(state, scanned)
            if scanned <= state.sent and not rows and gap is None:
                state.known = max(state.sent, scanned)  # nothing more stored yet
                break
            state.sent = max(state.sent, scanned)
        return state.sent < state.known

    async def _deliver(self, ws: WebSocket, state: ConvState, m: Message) -> None:
        await self._send(ws, m.wire)
        state.sent = m.seq
        state.inflight.append((m.seq, m.created_at, time.time()))

    async def _send_inbox(self, ws: WebSocket, s: Session) -> None:
        rows = await asyncio.to_thread(self.service.store.inbox, s.user, s.device)
        for r in rows:
            if r["id"] > s.inbox_sent:
                await self._send(
                    ws,
                    {
                        "type": "to_device",
                        "id": r["id"],
                        "sender": r["sender"],
                        "sender_device": r["sender_device"],
                        "body": orjson.loads(r["body"]),
                    },
                )
                s.inbox_sent = r["id"]
