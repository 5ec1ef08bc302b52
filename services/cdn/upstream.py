"""The edge's client for its upstream (a shield or the origin): pooled httpx with timeouts,
and errors mapped to the status a proxy owes its client (502 refused/broken, 504 timeout)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

#: Idle upstream connections are closed before this, under the 5 s idle timeout of common
#: servers (Node, Apache), so the edge rarely reuses a connection the upstream is closing.
KEEPALIVE_EXPIRY_S = 2.0
#: Methods retried once when the connection dies before any response: the idempotent ones
#: (RFC 9110 §9.2.2: a second attempt has the same effect as one, so a client may repeat it
#: when it cannot tell whether the first arrived; RFC 9112 §9.3.1). POST and other methods
#: are never repeated: the upstream may already have acted on them.
RETRIED = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


class UpstreamError(Exception):
    """The upstream could not give a complete response.

    ``disconnected`` when no usable answer came back at all (refused, reset, timed out, cut
    short): the edge is then "disconnected" in the sense of RFC 9111 §4.2.4.
    """

    def __init__(self, status: int, reason: str, *, disconnected: bool = True) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.disconnected = disconnected


def map_error(exc: Exception, *, mid_body: bool = False) -> UpstreamError:
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamError(504, f"upstream timed out ({type(exc).__name__})")
    if isinstance(exc, httpx.ConnectError):
        return UpstreamError(502, "upstream refused the connection")
    if mid_body:
        return UpstreamError(502, f"upstream body truncated ({type(exc).__name__})")
    return UpstreamError(502, f"upstream failed: {type(exc).__name__}")


@dataclass(slots=True)
class Fetched:
    """An upstream response: complete (``body``) or still streaming (``response``).

    ``response_time`` is when its header section arrived (RFC 9111 §4.2.3 "the time of
    receiving the response"), so the time a large body takes to arrive is not counted as age.
    """

    status: int
    headers: dict[str, str]
    raw_headers: list[tuple[str, str]]
    request_time: float
    response_time: float
    body: bytes | None = None
    prefix: list[bytes] = field(default_factory=list)
    response: httpx.Response | None = None

    async def aclose(self) -> None:
        if self.response is not None:
            await self.response.aclose()


class Upstream:
    """One pooled connection set to ``base_url``; counts every request it sends.

    ``clock`` stamps request and response times (wall time: they become stored_at and Age).
    """

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 10.0,
        max_connections: int = 64,
        max_object_bytes: int = 64 * 1024 * 1024,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.base_url = base_url.rstrip("/")
        self.max_object_bytes = max_object_bytes
        self.requests = 0
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=read_timeout),
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=32,
                keepalive_expiry=KEEPALIVE_EXPIRY_S,
            ),
            follow_redirects=False,
            trust_env=False,
        )
        # Send only what the client (or the edge) sent: no Accept or User-Agent of httpx's own.
        for name in ("accept", "user-agent"):
            self.client.headers.pop(name, None)

    async def fetch(
        self,
        url: str,
        headers: dict[str, str],
        *,
        method: str = "GET",
        content: bytes | None = None,
    ) -> Fetched:
        """Send ``method url``; the body is read whole unless it exceeds ``max_object_bytes``,
        in which case the rest is left streaming in ``Fetched.response`` (the caller must
        close it). Field lines the upstream repeated are combined into one value.

        Raises ``UpstreamError`` on refusal, timeout, an invalid status, or a body cut short.
        """
        self.requests += 1
        request_time = self.clock()
        # Field values go as the bytes the client sent (latin-1 round trip), never re-encoded.
        raw_request = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        request = self.client.build_request(
            method, self.base_url + url, headers=raw_request, content=content
        )
        try:
            try:
                response = await self.client.send(request, stream=True)
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
                if method not in RETRIED:
                    raise
                # A kept-alive connection the upstream closed as it was reused: once more.
                self.requests += 1
                request = self.client.build_request(
                    method, self.base_url + url, headers=raw_request, content=content
                )
                response = await self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise map_error(exc) from exc
        if not 100 <= response.status_code <= 599:  # RFC 9110 §15: not a status code
            await response.aclose()
            reason = f"upstream sent an invalid status code {response.status_code}"
            raise UpstreamError(502, reason, disconnected=False)
        raw = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in response.headers.raw]
        combined: dict[str, str] = {}
        for name, value in raw:
            combined[name] = f"{combined[name]}, {value}" if name in combined else value
        fetched = Fetched(
            status=response.status_code,
            headers=combined,
            raw_headers=raw,
            request_time=request_time,
            response_time=self.clock(),
        )
        declared = fetched.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_object_bytes:
            fetched.response = response
            return fetched
        chunks: list[bytes] = []
        total = 0
        try:
            async for chunk in response.aiter_raw():
                chunks.append(chunk)
                total += len(chunk)
                if total > self.max_object_bytes:
                    fetched.prefix = chunks
                    fetched.response = response
                    return fetched
        except httpx.HTTPError as exc:
            await response.aclose()
            raise map_error(exc, mid_body=True) from exc
        await response.aclose()
        fetched.body = b"".join(chunks)
        return fetched

    async def aclose(self) -> None:
        await self.client.aclose()
