"""A Python client of the messaging WebSocket, built on ``websockets`` (asyncio).

It is what ``blueprint chat send/listen``, the workload, the benchmark and the tests use,
and it is the reference for other clients: it keeps a cursor per conversation and sends it
in ``hello`` on every (re)connect, applies each ``seq`` once and in order (a row at or below
the cursor is counted as a duplicate and dropped, never applied), acknowledges cumulatively,
and resends every message the server has not accepted yet under its original ``client_id``,
so a resend after a disconnect or a server crash is stored once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import websockets
from websockets.exceptions import ConnectionClosed, WebSocketException


@dataclass
class Received:
    conv: str
    seq: int
    kind: str
    sender: str
    body: Any
    ts: float  # when the server stored it
    at: float  # when this client applied it
    client_id: str | None = None


@dataclass
class ClientLog:
    """What a device saw: rows applied in order, and every anomaly (which must stay empty)."""

    applied: list[Received] = field(default_factory=list)
    duplicates: int = 0
    reorders: int = 0
    gaps: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    reconnects: int = 0


class ChatClient:
    def __init__(
        self,
        url: str,
        api_key: str,
        device: str,
        *,
        on_frame: Callable[[dict[str, Any]], None] | None = None,
        ack_every: int = 32,
    ) -> None:
        self.url = url
        self.api_key = api_key
        self.device = device
        self.on_frame = on_frame
        self.ack_every = ack_every
        self.cursors: dict[str, int] = {}
        self.pending: dict[str, tuple[str, Any, float]] = {}  # client_id -> (conv, body, ts)
        self.accepted: dict[str, int] = {}  # client_id -> seq
        self.log = ClientLog()
        self.welcome: dict[str, Any] | None = None
        self._ws: Any = None
        self._unacked: dict[str, int] = {}
        self.envelopes: list[dict[str, Any]] = []  # to_device frames (key shares), in order
        self._envelope_ack = 0
        self._envelope_acked = 0
        self._seen: dict[str, set[int]] = {}
        self._changed = asyncio.Event()

    # -- connection ------------------------------------------------------------------------
    async def connect(self, timeout: float = 10.0) -> dict[str, Any]:
        """Open the socket, say hello with the cursors, resend what is not accepted yet."""
        return await asyncio.wait_for(self._connect(timeout), timeout * 2)

    async def _connect(self, timeout: float) -> dict[str, Any]:
        ws = await websockets.connect(
            self.url, max_size=2**22, open_timeout=timeout, proxy=None, ping_interval=None
        )
        hello = {
            "type": "hello",
            "device": self.device,
            "api_key": self.api_key,
            "cursors": self.cursors,
        }
        await ws.send(orjson.dumps(hello).decode())
        frame = orjson.loads(await asyncio.wait_for(ws.recv(), timeout))
        if frame.get("type") != "welcome":
            await ws.close()
            raise ConnectionError(f"not welcomed: {frame}")
        self._ws = ws
        self.welcome = frame
        for c in frame["conversations"]:
            self.cursors.setdefault(c["conv"], c["cursor"])
        for client_id, (conv, body, ts) in list(self.pending.items()):
            await self._send_frame(
                {"type": "send", "conv": conv, "client_id": client_id, "body": body, "ts": ts}
            )
        return frame

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._flush_acks()
                await self._ws.close()
            self._ws = None

    @property
    def connected(self) -> bool:
        return self._ws is not None

    async def _send_frame(self, frame: dict[str, Any]) -> None:
        if self._ws is None:
            raise ConnectionError("not connected")
        await self._ws.send(orjson.dumps(frame).decode())

    # -- sending ---------------------------------------------------------------------------
    async def send(self, conv: str, body: Any, client_id: str | None = None) -> str:
        """Queue a message; it is (re)sent until the server accepts it."""
        client_id = client_id or uuid.uuid4().hex
        ts = time.time()
        self.pending[client_id] = (conv, body, ts)
        with contextlib.suppress(ConnectionClosed, ConnectionError):
            await self._send_frame(
                {"type": "send", "conv": conv, "client_id": client_id, "body": body, "ts": ts}
            )
        return client_id

    async def frame(self, frame: dict[str, Any]) -> None:
        """Send any other frame (typing, read, to_device, ping...)."""
        await self._send_frame(frame)

    # -- receiving -------------------------------------------------------------------------
    async def run(self) -> None:
        """Read frames until the socket closes (``ConnectionClosed`` is swallowed)."""
        ws = self._ws
        try:
            while True:
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.05)
                except TimeoutError:
                    await self._flush_acks()
                    continue
                self._handle(orjson.loads(raw))
                if sum(self._unacked.values()) >= self.ack_every:
                    await self._flush_acks()
        except ConnectionClosed:
            pass
        finally:
            if self._ws is ws:
                self._ws = None

    async def run_forever(self, stop: asyncio.Event, backoff_s: float = 0.05) -> None:
        """Stay connected until ``stop``: reconnect (resync from cursors) after any drop."""
        while not stop.is_set():
            try:
                if self._ws is None:
                    await self.connect()
                reader = asyncio.create_task(self.run())
                stopper = asyncio.create_task(stop.wait())
                await asyncio.wait({reader, stopper}, return_when=asyncio.FIRST_COMPLETED)
                stopper.cancel()
                if stop.is_set():
                    await self.close()
                    with contextlib.suppress(Exception):
                        await reader
                    return
            except (OSError, WebSocketException, ConnectionError, TimeoutError):
                pass  # refused, cut, or a handshake answered by a dying server: retry
            self._ws = None
            self.log.reconnects += 1
            await asyncio.sleep(backoff_s)
            backoff_s = min(1.0, backoff_s * 1.5)

    async def _flush_acks(self) -> None:
        if self._ws is not None and self._envelope_ack > self._envelope_acked:
            with contextlib.suppress(ConnectionClosed):
                await self._send_frame({"type": "ack_to_device", "id": self._envelope_ack})
                self._envelope_acked = self._envelope_ack
        if not self._unacked or self._ws is None:
            return
        todo, self._unacked = self._unacked, {}
        for conv in todo:
            with contextlib.suppress(ConnectionClosed):
                await self._send_frame({"type": "ack", "conv": conv, "seq": self.cursors[conv]})

    def _handle(self, f: dict[str, Any]) -> None:
        kind = f.get("type")
        if kind == "msg":
            conv, seq = f["conv"], f["seq"]
            cursor = self.cursors.get(conv, 0)
            if seq <= cursor:
                if seq in self._seen.get(conv, ()):
                    self.log.duplicates += 1
                else:
                    self.log.reorders += 1
                return
            self.cursors[conv] = seq
            self._seen.setdefault(conv, set()).add(seq)
            self._unacked[conv] = self._unacked.get(conv, 0) + 1
            self.log.applied.append(
                Received(
                    conv,
                    seq,
                    f["kind"],
                    f["sender"],
                    f["body"],
                    f["ts"],
                    time.time(),
                    f.get("client_id"),
                )
            )
        elif kind == "accepted":
            self.pending.pop(f["client_id"], None)
            self.accepted[f["client_id"]] = f["seq"]
        elif kind == "to_device":
            if f["id"] > self._envelope_ack:
                self.envelopes.append(f)
                self._envelope_ack = f["id"]
        elif kind == "gap":
            self.log.gaps.append(f)
            self.cursors[f["conv"]] = max(self.cursors.get(f["conv"], 0), f["to"])
        elif kind == "error":
            self.log.errors.append(f)
            if f.get("client_id") in self.pending and f.get("status", 500) < 500:
                self.pending.pop(f["client_id"], None)  # refused for good: do not resend
        self._changed.set()
        if self.on_frame is not None:
            self.on_frame(f)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` holds (checked after each frame), or ``TimeoutError``."""
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("condition not met in time")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.1))

    def seqs(self, conv: str) -> list[int]:
        return [r.seq for r in self.log.applied if r.conv == conv]
