"""A node's connection to one peer: pipelined RESP requests over one TCP connection, replies
matched in order, every request bounded by a timeout.

A failed or timed-out connection is dropped with everything in flight on it (the callers see
``PeerError`` and count the peer as not having answered); the next request reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any

import hiredis

from services.kv.resp import encode_command


class PeerError(Exception):
    """The peer did not answer in time, or refused."""


class PeerClient:
    def __init__(self, name: str, host: str, port: int, timeout_s: float = 1.0) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.timeout_s = timeout_s
        self._writer: asyncio.StreamWriter | None = None
        self._pending: deque[asyncio.Future] = deque()
        self._reader_task: asyncio.Task | None = None
        self._connecting: asyncio.Lock | None = None
        self._out: list[bytes] = []
        self._flush_scheduled = False

    async def _connect(self) -> asyncio.StreamWriter:
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._writer is not None and not self._writer.is_closing():
                return self._writer
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port), self.timeout_s
                )
            except (OSError, TimeoutError) as exc:
                raise PeerError(f"{self.name}: cannot connect ({exc!r})") from None
            self._writer = writer
            self._reader_task = asyncio.create_task(self._read_loop(reader, writer))
            return writer

    async def _read_loop(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        parser = hiredis.Reader(replyError=PeerError)
        try:
            while True:
                data = await reader.read(256 * 1024)
                if not data:
                    break
                parser.feed(data)
                while (reply := parser.gets()) is not False:
                    if not self._pending:
                        raise PeerError("reply with no request")
                    fut = self._pending.popleft()
                    if not fut.done():
                        fut.set_result(reply)
        except (OSError, PeerError, hiredis.ProtocolError):
            pass
        finally:
            self._drop(writer)

    def _drop(self, writer: asyncio.StreamWriter) -> None:
        if self._writer is writer:
            self._writer = None
            self._out = []
            pending, self._pending = self._pending, deque()
            for fut in pending:
                if not fut.done():
                    fut.set_exception(PeerError(f"{self.name}: connection lost"))
        with contextlib.suppress(Exception):
            writer.close()

    async def call(self, *args: bytes | str | int, timeout_s: float | None = None) -> Any:
        """Send one request and wait for its reply (an error reply raises ``PeerError``)."""
        return await self._call_encoded(encode_command(args), timeout_s)

    async def _call_encoded(self, payload: bytes, timeout_s: float | None) -> Any:
        writer = self._writer
        if writer is None or writer.is_closing():
            await self._connect()
        return await self.request_encoded(payload, timeout_s=timeout_s)

    def request(self, *args: bytes | str | int, timeout_s: float | None = None) -> asyncio.Future:
        """A future for the reply (``PeerError`` for an error reply, a timeout, a lost
        connection). Sends at once when connected; otherwise connects first, in a task."""
        return self.request_encoded(encode_command(args), timeout_s=timeout_s)

    def request_encoded(self, payload: bytes, timeout_s: float | None = None) -> asyncio.Future:
        """``request`` for a request already encoded as RESP (one array of bulk strings)."""
        writer = self._writer
        loop = asyncio.get_running_loop()
        if writer is None or writer.is_closing():
            return asyncio.ensure_future(self._call_encoded(payload, timeout_s))
        fut = loop.create_future()
        self._pending.append(fut)
        # Requests made in one turn of the event loop leave in one write (one system call).
        self._out.append(payload)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_soon(self._flush, writer)
        timer = loop.call_later(timeout_s or self.timeout_s, self._expire, fut, writer)
        out = loop.create_future()

        def settle(f: asyncio.Future) -> None:
            timer.cancel()
            if out.done():
                return
            if f.exception() is not None:
                out.set_exception(f.exception())  # type: ignore[arg-type]
            elif isinstance(f.result(), PeerError):
                out.set_exception(f.result())
            else:
                out.set_result(f.result())

        fut.add_done_callback(settle)
        return out

    def _flush(self, writer: asyncio.StreamWriter) -> None:
        self._flush_scheduled = False
        out, self._out = self._out, []
        if out and not writer.is_closing():
            writer.write(b"".join(out))

    def _expire(self, fut: asyncio.Future, writer: asyncio.StreamWriter) -> None:
        if not fut.done():
            fut.set_exception(PeerError(f"{self.name}: timed out"))
            # Replies are matched by position: after a timeout the stream is out of step.
            self._drop(writer)

    async def close(self) -> None:
        if self._writer is not None:
            self._drop(self._writer)
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(BaseException):
                await self._reader_task
