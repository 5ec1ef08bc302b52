"""How the platform's HTTP servers are run: the limits only a server can enforce, on the
raw connection, before an app sees a request.

``server_config`` is used by ``blueprint serve``, the shortener's redirect edge and tests that
need a real server.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, ClassVar

import httptools
import uvicorn
from uvicorn.protocols.http.flow_control import HIGH_WATER_LIMIT
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from warehouse.settings import Settings

_HEADER_TIMEOUT_BODY = b"request headers took too long\r\n"
# Written raw: no request was parsed to answer.
_HEADER_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s"
    % (len(_HEADER_TIMEOUT_BODY), _HEADER_TIMEOUT_BODY)
)


class _PieceCycle(RequestResponseCycle):
    """uvicorn's request/response cycle with the request body held as the pieces it came in
    (from the parser, or straight from the socket: ``_bypass_parser``), each passed to the app
    as it is.

    uvicorn's own cycle appends every piece to a ``bytearray`` and copies it out again in
    ``receive``: two copies of every body byte on the event loop. Here ``receive`` hands out
    one held piece per message, uncopied. Flow control is uvicorn's: reading pauses while
    more than ``HIGH_WATER_LIMIT`` bytes are held and resumes once the app has taken them."""

    pieces: deque[bytes]
    held: int

    def hold(self, piece: bytes) -> None:
        self.pieces.append(piece)
        self.held += len(piece)
        self.message_event.set()

    async def receive(self) -> Any:  # the ASGI receive callable
        if self.waiting_for_100_continue and not self.transport.is_closing():
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.waiting_for_100_continue = False
        if not self.disconnected and not self.response_complete:
            if self.held <= HIGH_WATER_LIMIT:
                self.flow.resume_reading()
            await self.message_event.wait()
        if self.disconnected or self.response_complete:
            return {"type": "http.disconnect"}
        pieces = self.pieces
        body = b""
        if pieces:
            body = pieces.popleft()
            self.held -= len(body)
        if not pieces:
            self.message_event.clear()
        return {"type": "http.request", "body": body, "more_body": self.more_body or bool(pieces)}


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (llhttp, in C) with the limits uvicorn lacks.

    A connection's first request must send its whole header block within
    ``header_timeout_s`` of the connection opening, and a later request within
    ``header_timeout_s`` of its first byte (idle keep-alive connections are uvicorn's
    ``timeout_keep_alive``). A client that is too slow gets 408 and the connection closes;
    one that sent nothing is just closed. A header block that grows past
    ``max_header_block`` bytes without ending gets 431 and a close (llhttp bounds nothing;
    the middleware then applies the exact header count and size limits).

    It replaced h11, in Python, which cost about 0.3 more CPU-seconds per GiB of request
    body, all of them on the event loop (``make bench-files``). The request body reaches the
    app as the pieces it came in, uncopied (``_PieceCycle``), and a Content-Length body past
    the read that ended its headers skips the parser (``_bypass_parser``)."""

    header_timeout_s: ClassVar[float] = 10.0
    max_header_block: ClassVar[int] = 32 * 1024

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_started = False
        self._header_bytes: int | None = 0  # of the header block so far; None once it ended
        self._body_left = 0  # bytes of a Content-Length body not yet received
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._body_left:
            self._bypass_parser(data)
            return
        if self._header_bytes is not None:
            self._header_bytes += len(data)
            if not self._header_started:
                self._header_started = True
                self._arm_header_timer()
        super().data_received(data)
        if (
            self._header_bytes is not None
            and self._header_bytes > self.max_header_block
            and not self.transport.is_closing()
        ):
            self._refuse_header_block()

    def on_headers_complete(self) -> None:
        self._header_bytes = None
        self._disarm_header_timer()
        existing = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not existing and type(cycle) is RequestResponseCycle:
            # Not yet running (its task starts on the next loop turn, or later when
            # pipelined): it becomes a _PieceCycle, which only adds state and overrides
            # receive, before the app can call receive.
            cycle.__class__ = _PieceCycle
            cycle.pieces = deque()
            cycle.held = 0
            if cycle.keep_alive and not self.parser.should_upgrade():
                self._body_left = _content_length(self.headers)

    def on_body(self, body: bytes) -> None:
        if self._body_left:
            self._body_left -= len(body)
        self._take(body)

    def _take(self, body: bytes) -> None:
        cycle = self.cycle
        if not isinstance(cycle, _PieceCycle):  # pragma: no cover - uvicorn's own cycle
            super().on_body(body)
            return
        if (self.parser.should_upgrade() and self._should_upgrade()) or cycle.response_complete:
            return
        cycle.hold(body)
        if cycle.held > HIGH_WATER_LIMIT:
            self.flow.pause_reading()

    def on_message_complete(self) -> None:
        self._body_left = 0
        super().on_message_complete()
        self._header_bytes = 0  # the next request's header block starts

    def _bypass_parser(self, data: bytes) -> None:
        """Take the next piece of a Content-Length body without the parser, which would only
        copy it: a read that is all body reaches the app as it came from the socket. When
        the body ends, a fresh parser takes the connection's next request (the old one
        still expects the body it never saw)."""
        self._unset_keepalive_if_required()
        left = self._body_left
        piece = data if len(data) <= left else data[:left]
        self._body_left = left - len(piece)
        self._take(piece)
        if self._body_left:
            return
        self.parser = httptools.HttpRequestParser(self)
        self.parser.set_dangerous_leniencies(lenient_data_after_close=True)
        self.on_message_complete()
        if len(data) > left:
            self.data_received(data[left:])

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout_s, self._header_timeout)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        self._header_started = False

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or self._header_bytes is None:
            return
        if self._header_started:
            self.logger.warning("Request headers not received within %gs.", self.header_timeout_s)
            self.transport.write(_HEADER_TIMEOUT_RESPONSE)
        self.transport.close()

    def _refuse_header_block(self) -> None:
        limit = self.max_header_block
        self.logger.warning("Request header block over %d bytes.", limit)
        body = b"request header block over %d bytes\r\n" % limit
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n%s" % (len(body), body)
        )
        self.transport.close()


def _content_length(headers: list[tuple[bytes, bytes]]) -> int:
    """The body length a request declares when it is framed by Content-Length alone (one such
    header, no Transfer-Encoding); 0 otherwise."""
    length = 0
    for name, value in headers:
        if name == b"transfer-encoding" or (name == b"content-length" and length):
            return 0
        if name == b"content-length":
            value = value.strip()
            if not value.isdigit():
                return 0
            length = int(value) or -1
    return max(length, 0)


def server_config(
    app: Any, settings: Settings, *, host: str | None = None, port: int | None = None, **extra: Any
) -> uvicorn.Config:
    """The uvicorn configuration the platform is served with.

    - HTTP/1.1 through httptools with the header block bounded (twice ``max_header_bytes``,
      to leave room for the request line; the middleware then applies the exact header count
      and size limits) and read within ``header_timeout_s`` (``GuardedHttpToolsProtocol``);
    - idle keep-alive connections closed after ``keep_alive_s``; 503 past
      ``max_connections`` open connections;
    - ``X-Forwarded-For``/``-Proto`` believed only from ``trusted_proxies`` (none by default:
      uvicorn's own default trusts loopback, which would let any local client pick its
      rate-limit bucket).
    """
    trusted = settings.trusted_proxy_list
    protocol = type(
        "GuardedHttpToolsProtocol",
        (GuardedHttpToolsProtocol,),
        {
            "header_timeout_s": settings.header_timeout_s,
            "max_header_block": 2 * settings.max_header_bytes,
        },
    )
    options: dict[str, Any] = {
        "host": host or settings.host,
        "port": port or settings.port,
        "http": protocol,
        "timeout_keep_alive": settings.keep_alive_s,
        "limit_concurrency": settings.max_connections,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted,
        **extra,
    }
    return uvicorn.Config(app, **options)
