"""One device's WebSocket session: what it was sent, what it acknowledged, what is due.

Delivery is pulled, not pushed. Fan-out only tells a session that a conversation has a new
``seq`` (with the row, into a bounded buffer); the session's sender loop then sends every
``seq`` after the last one it sent, in order, taking rows from that buffer when they are
there and from the store a page at a time when they are not (a reconnect, a long absence,
a buffer that overflowed, a row committed by another process). So a slow device never
blocks fan-out to others, nothing is sent twice on one socket, and nothing is skipped: a
range that was purged is announced with a ``gap`` frame instead.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from services.chat.model import Message
from services.errors import DomainError

CLOSE_SLOW = 4008  # the socket could not keep up: reconnect and resync from the cursors
CLOSE_AUTH = 4001
CLOSE_PROTOCOL = 4002


def problem(exc: DomainError) -> dict[str, Any]:
    """The ``error`` frame of a domain error."""
    return {"type": "error", "status": exc.status, "message": exc.message}


@dataclass
class ConvState:
    """One conversation of one session. ``sent``: last seq written to the socket;
    ``acked``: last seq the device acknowledged; ``known``: last seq known to exist."""

    sent: int
    acked: int
    known: int
    inflight: deque[tuple[int, float, float]] = field(default_factory=deque)
    live: dict[int, Message] = field(default_factory=dict)
    read: int = 0


class Session:
    """State of one connected device; the hub drives it (``services.chat.hub``)."""

    def __init__(self, user: str, device: str, *, live_buffer: int, control_buffer: int) -> None:
        self.user = user
        self.device = device
        self.convs: dict[str, ConvState] = {}
        self.dirty: set[str] = set()
        self.control: asyncio.Queue[dict[str, Any]] = asyncio.Queue(control_buffer)
        self.wake = asyncio.Event()
        self.live_buffer = live_buffer
        self.buffered = 0
        self.inbox_dirty = True
        self.inbox_sent = 0
        self.closed = False
        self.overflow = False
        # Flow control of the socket, kept by the hub's watchdog (``services.chat.sending``):
        # when the pending send started (0 when none), whether it was cut off as stalled.
        self.sending_since = 0.0
        self.stalled = False
        self.sender: asyncio.Task | None = None

    def offer(self, message: Message) -> None:
        """A committed row of a conversation this session follows (called on the loop)."""
        state = self.convs.get(message.conv_id)
        if state is None:
            return
        state.known = max(state.known, message.seq)
        if message.seq > state.sent and self.buffered < self.live_buffer:
            state.live[message.seq] = message
            self.buffered += 1
        self.dirty.add(message.conv_id)
        self.wake.set()

    def post(self, frame: dict[str, Any], *, droppable: bool = False) -> bool:
        """Queue a control frame (an answer, a receipt, typing). A full queue drops an
        ephemeral frame; for any other it marks the session for a disconnect (the client
        resyncs and resends, idempotently)."""
        try:
            self.control.put_nowait(frame)
        except asyncio.QueueFull:
            if not droppable:
                self.overflow = True
            self.wake.set()
            return False
        self.wake.set()
        return True

    def take_live(self, state: ConvState, seq: int) -> Message | None:
        message = state.live.pop(seq, None)
        if message is not None:
            self.buffered -= 1
        return message

    def drop_live_through(self, state: ConvState, seq: int) -> None:
        for s in [s for s in state.live if s <= seq]:
            del state.live[s]
            self.buffered -= 1
