"""One pure-ASGI middleware for cross-cutting concerns: request ids, header and body limits,
slow bodies, rate limits, Prometheus metrics and structured access logs.

Pure ASGI rather than ``BaseHTTPMiddleware``: it adds little per request and does not buffer
streaming responses (SSE, video segments).

What it refuses, as problem JSON:

- 431 when a request has more than ``max_header_count`` headers or their names and values
  total more than ``max_header_bytes`` (the server bounds the raw header block before that:
  ``services.app.server_config``);
- 429 with Retry-After past the rate limit. The bucket is the caller's API key, read with the
  same parser as authentication (``services.deps.api_key_from``) and resolved once, so every
  spelling of ``Authorization`` lands in one bucket; callers without a valid key share their
  client address's bucket (an IPv6 client its /64);
- 413 when the body passes the route's limit, declared (Content-Length) or counted (chunked),
  even when the app was already parsing it;
- 408 when the body stalls for ``body_timeout_s`` or, past that grace, arrives slower on
  average than ``body_min_bytes_per_s``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import logging
import re
import secrets
import time

import anyio.to_thread
import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.routing import Mount

from services.auth import KeyStore, hash_key
from services.deps import RESOLVED_KEY, api_key_from
from services.errors import DomainError
from services.ratelimit import TokenBucketLimiter

access_log = logging.getLogger("blueprint.access")

REGISTRY = CollectorRegistry(auto_describe=True)


def route_template(scope: dict) -> str:
    """The route that answered, as a template (``/videos/{video_id}``): an ASGI app mounted
    under a prefix (the shortener's ``/s`` redirects) counts as ``<prefix>/{path}``; a path
    no route matched is ``unmatched``, so labels stay few whatever clients send."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return path
    app = scope.get("app")
    request_path = scope.get("path", "")
    for candidate in getattr(app, "routes", []):
        prefix = getattr(candidate, "path", "")
        if isinstance(candidate, Mount) and prefix and request_path.startswith(prefix + "/"):
            return prefix + "/{path}"
    return "unmatched"


REQUESTS = Counter(
    "http_requests_total", "HTTP requests", ["method", "route", "status"], registry=REGISTRY
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

# The children of REQUESTS and LATENCY by (method, route, status), looked up once each.
_SERIES: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

UNLIMITED_PATHS = ("/healthz", "/metrics", "/docs", "/openapi.json", "/redoc")

# Request ids: a random per-process prefix and a counter, unique without a system call per
# request (uuid4 reads the kernel's random source every time, which is slow under load).
_ID_PREFIX = secrets.token_hex(10)
_ID_COUNTER = itertools.count(1)


_SAFE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
_CLOSE = (b"connection", b"close")


def new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_ID_COUNTER) & 0xFFFFFFFFFFFF:012x}"


def _problem_body(status: int, title: str, detail: str) -> bytes:
    return orjson.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})


def _first(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The first value of header ``name``: the one Starlette's ``Request.headers`` (and so
    authentication) reads."""
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


def client_bucket(host: str) -> str:
    """The rate-limit identity of an anonymous client: its IPv4 address, or its IPv6 /64 (one
    host usually holds a whole /64, so per-address buckets would be free to multiply)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "ip:" + host
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return "ip:" + str(ip.ipv4_mapped)
        return "ip:" + str(ipaddress.ip_network((ip, 64), strict=False))
    return "ip:" + str(ip)


class _Rejected(Exception):
    """Raised into the app from ``receive`` when the body breaks a limit."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


class _BodyReceive:
    """The app's ``receive`` for one request: counts the body against ``limit`` (413) and cuts
    off a body that stalls for ``timeout_s`` or, past that grace, arrives slower on average
    than ``min_rate`` bytes/s (408). Once the body has ended, calls just wait (for a
    disconnect) with no deadline.

    One object per request and one timer: each wait moves the deadline and the timer, when it
    fires, checks the wait in progress against it (re-arming itself if the deadline moved on),
    so a body of many pieces costs a few clock reads per piece rather than a timeout context
    (a timer scheduled and cancelled) each."""

    __slots__ = (
        "_cancelling",
        "_deadline",
        "_loop",
        "_task",
        "_timer",
        "done",
        "limit",
        "min_rate",
        "rejection",
        "receive",
        "received",
        "timeout_s",
        "waited",
    )

    def __init__(self, receive, limit: int, timeout_s: float, min_rate: int) -> None:
        self.receive = receive
        self.limit = limit
        self.timeout_s = timeout_s
        self.min_rate = min_rate
        self.received = 0
        self.waited = 0.0  # seconds spent waiting for body pieces so far
        self.done = False
        self.rejection: _Rejected | None = None
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task | None = None  # the one waiting, while one is
        self._deadline = 0.0
        self._cancelling = 0

    async def __call__(self):
        if self.rejection is not None:
            raise self.rejection
        if self.done:  # later calls wait for a disconnect: no deadline
            return await self.receive()
        if self._task is not None:  # another task is already waiting: one deadline each
            return await self._guarded()
        budget = self.timeout_s
        if self.min_rate > 0:
            # Past the grace, the time spent waiting must be paid for by bytes received.
            owed = self.timeout_s + self.received / self.min_rate - self.waited
            budget = max(min(budget, owed), 0.001)
        loop = self._loop
        began = loop.time()
        self._deadline = deadline = began + budget
        timer = self._timer
        if timer is None or timer.when() > deadline:
            if timer is not None:
                timer.cancel()
            self._timer = loop.call_at(deadline, self._expire, deadline)
        self._task = task = asyncio.current_task()
        self._cancelling = task.cancelling()
        try:
            message = await self.receive()
        except asyncio.CancelledError:
            if self.rejection is not None and task.uncancel() <= self._cancelling:
                raise self.rejection from None
            raise
        finally:
            self._task = None
            self.waited += loop.time() - began
        return self._count(message)

    async def _guarded(self):
        """A wait beside another one, under a timeout of its own (rare: apps read a body
        from one task)."""
        began = self._loop.time()
        budget = self.timeout_s
        if self.min_rate > 0:
            owed = self.timeout_s + self.received / self.min_rate - self.waited
            budget = max(min(budget, owed), 0.001)
        try:
            async with asyncio.timeout(budget):
                message = await self.receive()
        except TimeoutError:
            raise self._stalled() from None
        finally:
            self.waited += self._loop.time() - began
        return self._count(message)

    def _count(self, message):
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.rejection = _Rejected(
                    413, "Content Too Large", f"request body over the {self.limit}-byte limit"
                )
                raise self.rejection
            self.done = not message.get("more_body", False)
        else:
            self.done = True
        return message

    def _stalled(self) -> _Rejected:
        self.rejection = _Rejected(
            408,
            "Request Timeout",
            f"the request body stalled: no data for {self.timeout_s:g} s, or "
            f"slower than {self.min_rate} bytes/s on average",
        )
        return self.rejection

    def _expire(self, armed: float) -> None:
        self._timer = None
        task = self._task
        if task is None or self.rejection is not None:
            return  # no wait in progress: the next one arms the timer again
        if self._deadline > armed:  # the wait in progress began later: its own deadline
            self._timer = self._loop.call_at(self._deadline, self._expire, self._deadline)
            return
        self._stalled()
        task.cancel()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class PlatformMiddleware:
    def __init__(
        self,
        app,
        *,
        limiter: TokenBucketLimiter,
        max_body_bytes: int,
        body_limits: dict[str, int] | None = None,
        keystore: KeyStore | None = None,
        max_header_count: int = 100,
        max_header_bytes: int = 32 * 1024,
        body_timeout_s: float = 15.0,
        body_min_bytes_per_s: int = 1024,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.max_body_bytes = max_body_bytes
        self.body_limits = body_limits if body_limits is not None else {}
        self.keystore = keystore
        self.max_header_count = max_header_count
        self.max_header_bytes = max_header_bytes
        self.body_timeout_s = body_timeout_s
        self.body_min_bytes_per_s = body_min_bytes_per_s

    def _body_limit(self, path: str) -> int:
        best = self.max_body_bytes
        best_len = -1
        for prefix, limit in self.body_limits.items():
            if path.startswith(prefix) and len(prefix) > best_len:
                best, best_len = limit, len(prefix)
        return best

    async def _reject(self, send, status: int, title: str, detail: str, headers=()) -> None:
        body = _problem_body(status, title, detail)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    *headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _header_problem(self, raw: list[tuple[bytes, bytes]]) -> str | None:
        if len(raw) > self.max_header_count:
            return f"{len(raw)} request headers; at most {self.max_header_count} are accepted"
        size = sum(map(len, itertools.chain.from_iterable(raw)))
        if size > self.max_header_bytes:
            return f"request headers total {size} bytes; at most {self.max_header_bytes}"
        return None

    async def _rate_identity(self, scope, raw: list[tuple[bytes, bytes]]) -> str:
        """The caller's bucket: its valid API key, else its client address."""
        key = api_key_from(_first(raw, b"x-api-key"), _first(raw, b"authorization"))
        if key is not None:
            if self.keystore is None:
                return "k:" + hash_key(key)
            try:
                principal = self.keystore.cached(key) or await anyio.to_thread.run_sync(
                    self.keystore.resolve, key
                )
            except DomainError as exc:  # a refused key: authentication says why
                scope["state"][RESOLVED_KEY] = (key, exc)
            else:
                scope["state"][RESOLVED_KEY] = (key, principal)
                if principal is not None:
                    return "k:" + hash_key(key)
        return client_bucket(str((scope.get("client") or ("?",))[0]))

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        raw = scope.get("headers") or []
        given = _first(raw, b"x-request-id") or ""
        # A caller's id is kept only when it is a plain token (it is echoed in a header).
        request_id = given if _SAFE_ID.fullmatch(given.encode("latin-1")) else new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        path = scope.get("path", "")
        status_holder = {"status": 500}
        body: _BodyReceive | None = None
        response_started = False

        async def send_wrapper(message) -> None:
            nonlocal response_started
            if body is not None and body.rejection is not None and not response_started:
                return  # the app's answer to a body it could not read; ours replaces it
            if message["type"] == "http.response.start":
                response_started = True
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        async def refuse(status: int, title: str, detail: str, headers=()) -> None:
            nonlocal response_started
            response_started = True
            status_holder["status"] = status
            headers = [*headers, (b"x-request-id", request_id.encode())]
            await self._reject(send, status, title, detail, headers)

        problem = self._header_problem(raw)
        if problem is not None:
            await refuse(431, "Request Header Fields Too Large", problem, [_CLOSE])
            self._observe(scope, started, 431, request_id)
            return

        if not path.startswith(UNLIMITED_PATHS):
            wait = self.limiter.acquire(await self._rate_identity(scope, raw))
            if wait > 0:
                await refuse(
                    429,
                    "Too Many Requests",
                    "rate limit exceeded; retry after the number of seconds in Retry-After",
                    [(b"retry-after", self.limiter.retry_after_header(wait).encode())],
                )
                self._observe(scope, started, 429, request_id)
                return

        limit = self._body_limit(path)
        declared = _first(raw, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            detail = f"request body over the {limit}-byte limit"
            await refuse(413, "Content Too Large", detail, [_CLOSE])
            self._observe(scope, started, 413, request_id)
            return

        body = _BodyReceive(receive, limit, self.body_timeout_s, self.body_min_bytes_per_s)
        try:
            try:
                await self.app(scope, body, send_wrapper)
            except _Rejected:
                if body.rejection is None:
                    raise
            finally:
                body.close()
            rejection = body.rejection
            if rejection is not None and not response_started:
                await refuse(rejection.status, rejection.title, rejection.detail, [_CLOSE])
        finally:
            self._observe(scope, started, status_holder["status"], request_id)

    def _observe(self, scope, started: float, status: int, request_id: str) -> None:
        template = route_template(scope)
        elapsed = time.perf_counter() - started
        method = scope.get("method", "")
        counted = _SERIES.get((method, template, status))
        if counted is None:  # labels() validates and locks: once per series, not per request
            counted = _SERIES[(method, template, status)] = (
                REQUESTS.labels(method, template, str(status)),
                LATENCY.labels(method, template),
            )
        counted[0].inc()
        counted[1].observe(elapsed)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "%s %s %s",
                method,
                scope.get("path", ""),
                status,
                extra={
                    "request_id": request_id,
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 3),
                    "client": str((scope.get("client") or ("?",))[0]),
                },
            )
