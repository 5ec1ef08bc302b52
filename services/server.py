"""How the platform's HTTP servers are run: the limits only a server can enforce, on the
raw connection, before an app sees a request.

``server_config`` is used by ``blueprint serve``, the shortener's redirect edge and tests that
need a real server.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from warehouse.settings import Settings

_HEADER_TIMEOUT_BODY = b"request headers took too long\r\n"
# Written raw: h11 cannot answer a request it has not parsed yet.
_HEADER_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s"
    % (len(_HEADER_TIMEOUT_BODY), _HEADER_TIMEOUT_BODY)
)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header-read deadline, which uvicorn lacks.

    A connection's first request must send its whole header block within
    ``header_timeout_s`` of the connection opening, and a later request within
    ``header_timeout_s`` of its first byte (idle keep-alive connections are uvicorn's
    ``timeout_keep_alive``). A client that is too slow gets 408 and the connection closes;
    one that sent nothing is just closed. A header block past h11's buffer limit
    (``h11_max_incomplete_event_size``) gets 431 rather than uvicorn's generic 400.
    """

    header_timeout_s: ClassVar[float] = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_started = False
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._header_started = True
            self._arm_header_timer()
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm_header_timer()  # the header block is in (or the request failed)

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
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self._header_started:
            self.logger.warning("Request headers not received within %gs.", self.header_timeout_s)
            self.transport.write(_HEADER_TIMEOUT_RESPONSE)
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        limit = self.config.h11_max_incomplete_event_size or h11.DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
        if len(self.conn.trailing_data[0]) <= limit:
            super().send_400_response(msg)
            return
        self.logger.warning("Request header block over %d bytes.", limit)
        body = f"request header block over {limit} bytes\r\n".encode()
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        reason = b"Request Header Fields Too Large"
        response = h11.Response(status_code=431, headers=headers, reason=reason)
        self.transport.write(self.conn.send(response))
        self.transport.write(self.conn.send(h11.Data(data=body)))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()


def server_config(
    app: Any, settings: Settings, *, host: str | None = None, port: int | None = None, **extra: Any
) -> uvicorn.Config:
    """The uvicorn configuration the platform is served with.

    - HTTP/1.1 through h11 with the header block bounded (``h11_max_incomplete_event_size``,
      twice ``max_header_bytes`` to leave room for the request line; the middleware then
      applies the exact header count and size limits) and read within ``header_timeout_s``
      (``GuardedH11Protocol``);
    - idle keep-alive connections closed after ``keep_alive_s``; 503 past
      ``max_connections`` open connections;
    - ``X-Forwarded-For``/``-Proto`` believed only from ``trusted_proxies`` (none by default:
      uvicorn's own default trusts loopback, which would let any local client pick its
      rate-limit bucket).
    """
    trusted = settings.trusted_proxy_list
    protocol = type(
        "GuardedH11Protocol", (GuardedH11Protocol,), {"header_timeout_s": settings.header_timeout_s}
    )
    options: dict[str, Any] = {
        "host": host or settings.host,
        "port": port or settings.port,
        "http": protocol,
        "h11_max_incomplete_event_size": 2 * settings.max_header_bytes,
        "timeout_keep_alive": settings.keep_alive_s,
        "limit_concurrency": settings.max_connections,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted,
        **extra,
    }
    return uvicorn.Config(app, **options)
