"""A node's connection to one peer: pipelined RESP requests over one TCP connection, replies
matched in order, every request bounded by a timeout.

A failed or timed-out connection is dropped with everything in flight on it (the callers see
``PeerError`` and count the peer as not having answered); the next request reconnects.

Replies are parsed as they arrive (an ``asyncio.Protocol``, no reader task) and handed to
their callers at once: a reply settles its future, or calls its callback, in the same turn of
the event loop it was read in. Every hop through the loop is latency a quorum write waits
for, and a busy loop's turns are long.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

import hiredis

from services.kv.resp import encode_command

Answer = Callable[[Any], None]  # called with the reply, or with a ``PeerError``


class PeerError(Exception):
    """The peer did not answer in time, or refused."""


class _Link(asyncio.Protocol):
    """One connection: replies matched in order to the callbacks waiting for them."""

    def __init__(self, name: str, counters: Counter[str] | None = None) -> None:
        self.name = name
        self.counters = counters
        self.transport: asyncio.Transport | None = None
        self.parser = hiredis.Reader(replyError=PeerError)
        self.pending: deque[list] = deque()  # [answer, timer, settled]
        self.out: list[bytes] = []
        self.flush_scheduled = False
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        parser = self.parser
        try:
            parser.feed(data)
            while (reply := parser.gets()) is not False:
                if not self.pending:
                    raise PeerError("reply with no request")
                _deliver(self.pending.popleft(), reply)
        except (PeerError, hiredis.ProtocolError):
            self.drop(f"{self.name}: bad reply", "bad_reply")

    def connection_lost(self, exc: Exception | None) -> None:
        self.drop(f"{self.name}: connection lost")

    def is_closing(self) -> bool:
        return self.closed or self.transport is None or self.transport.is_closing()

    def drop(self, why: str, kind: str = "lost") -> None:
        """Close, failing everything in flight (replies are matched by position); ``kind``
        (lost, timeout, bad_reply, closed) is counted with the requests it failed."""
        if not self.closed and self.counters is not None:
            self.counters[f"peer_drops_{kind}"] += 1
            self.counters[f"peer_drops_{kind}_requests"] += len(self.pending)
        self.closed = True
        self.out = []
        pending, self.pending = self.pending, deque()
        for entry in pending:
            _deliver(entry, PeerError(why))
        if self.transport is not None:
            with contextlib.suppress(Exception):
                self.transport.close()

    def send(self, payload: bytes, answer: Answer, timeout_s: float, at_once: bool = False) -> None:
        loop = asyncio.get_running_loop()
        entry: list = [answer, None, False]
        entry[1] = loop.call_later(timeout_s, self._expire, entry)
        self.pending.append(entry)
        if at_once and not self.out:  # a batch already: it leaves now
            self.transport.write(payload)  # type: ignore[union-attr]
            return
        # Requests made in one turn of the event loop leave in one write (one system call).
        self.out.append(payload)
        if not self.flush_scheduled:
            self.flush_scheduled = True
            loop.call_soon(self._flush)

    def _flush(self) -> None:
        self.flush_scheduled = False
        out, self.out = self.out, []
        if out and not self.is_closing():
            self.transport.write(b"".join(out) if len(out) > 1 else out[0])  # type: ignore[union-attr]

    def _expire(self, entry: list) -> None:
        if not entry[2]:
            _deliver(entry, PeerError(f"{self.name}: timed out"))
            # Replies are matched by position: after a timeout the stream is out of step.
            self.drop(f"{self.name}: connection dropped after a timeout", "timeout")


class PeerClient:
    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        timeout_s: float = 1.0,
        counters: Counter[str] | None = None,
    ) -> None:
        self.name = name
        self.counters = counters
        self.host = host
        self.port = port
        self.timeout_s = timeout_s
        self._link: _Link | None = None
        self._connecting: asyncio.Lock | None = None

    async def _connect(self) -> _Link:
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._link is not None and not self._link.is_closing():
                return self._link
            loop = asyncio.get_running_loop()
            try:
                _, link = await asyncio.wait_for(
                    loop.create_connection(
                        lambda: _Link(self.name, self.counters), self.host, self.port
                    ),
                    self.timeout_s,
                )
            except (OSError, TimeoutError) as exc:
                if self.counters is not None:
                    self.counters["peer_connect_failures"] += 1
                raise PeerError(f"{self.name}: cannot connect ({exc!r})") from None
            self._link = link
            return link

    async def call(self, *args: bytes | str | int, timeout_s: float | None = None) -> Any:
        """Send one request and wait for its reply (an error reply raises ``PeerError``)."""
        return await self._call_encoded(encode_command(args), timeout_s)

    async def _call_encoded(self, payload: bytes, timeout_s: float | None) -> Any:
        link = self._link
        if link is None or link.is_closing():
            await self._connect()
        return await self.request_encoded(payload, timeout_s=timeout_s)

    def request(self, *args: bytes | str | int, timeout_s: float | None = None) -> asyncio.Future:
        """A future for the reply (``PeerError`` for an error reply, a timeout, a lost
        connection). Sends at once when connected; otherwise connects first, in a task."""
        return self.request_encoded(encode_command(args), timeout_s=timeout_s)

    def request_encoded(self, payload: bytes, timeout_s: float | None = None) -> asyncio.Future:
        """``request`` for a request already encoded as RESP (one array of bulk strings)."""
        link = self._link
        if link is None or link.is_closing():
            return asyncio.ensure_future(self._call_encoded(payload, timeout_s))
        fut = asyncio.get_running_loop().create_future()

        def answer(reply: Any) -> None:
            if fut.done():
                return
            if isinstance(reply, PeerError):
                fut.set_exception(reply)
            else:
                fut.set_result(reply)

        link.send(payload, answer, timeout_s or self.timeout_s)
        return fut

    def request_cb(self, payload: bytes, answer: Answer, timeout_s: float | None = None) -> None:
        """Send ``payload`` (encoded RESP) at once and call ``answer`` with the reply (or a
        ``PeerError``) in the turn of the event loop it arrives in: the batched replica path,
        which has no use for a future and batches its turn's requests itself."""
        link = self._link
        if link is None or link.is_closing():
            fut = asyncio.ensure_future(self._call_encoded(payload, timeout_s))
            fut.add_done_callback(lambda f: answer(_outcome(f)))
            return
        link.send(payload, answer, timeout_s or self.timeout_s, at_once=True)

    async def close(self) -> None:
        if self._link is not None:
            self._link.drop(f"{self.name}: closed", "closed")
            self._link = None


def _deliver(entry: list, reply: Any) -> None:
    """Hand ``reply`` to the request's caller, once; a caller's failure is reported to the
    loop, never allowed to break the connection the other requests share."""
    if entry[2]:
        return
    entry[2] = True
    if entry[1] is not None:
        entry[1].cancel()
    try:
        entry[0](reply)
    except Exception as exc:
        asyncio.get_running_loop().call_exception_handler(
            {"message": "a peer reply's callback failed", "exception": exc}
        )


def _outcome(fut: asyncio.Future) -> Any:
    """A finished request's reply, or the ``PeerError`` it failed with."""
    if fut.cancelled():
        return PeerError("cancelled")
    exc = fut.exception()
    if exc is None:
        return fut.result()
    return exc if isinstance(exc, PeerError) else PeerError(repr(exc))
