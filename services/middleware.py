"""One pure-ASGI middleware for cross-cutting concerns: request ids, body size limits, rate
limits, Prometheus metrics and structured access logs.

Pure ASGI rather than ``BaseHTTPMiddleware``: it adds little per request and does not buffer
streaming responses (SSE, video segments).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import secrets
import time

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram

from services.ratelimit import TokenBucketLimiter

access_log = logging.getLogger("blueprint.access")

REGISTRY = CollectorRegistry(auto_describe=True)
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

UNLIMITED_PATHS = ("/healthz", "/metrics", "/docs", "/openapi.json", "/redoc")

# Request ids: a random per-process prefix and a counter, unique without a system call per
# request (uuid4 reads the kernel's random source every time, which is slow under load).
_ID_PREFIX = secrets.token_hex(10)
_ID_COUNTER = itertools.count(1)


_SAFE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")


def new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_ID_COUNTER) & 0xFFFFFFFFFFFF:012x}"


def _problem_body(status: int, title: str, detail: str) -> bytes:
    return orjson.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})


class PlatformMiddleware:
    def __init__(
        self,
        app,
        *,
        limiter: TokenBucketLimiter,
        max_body_bytes: int,
        body_limits: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.max_body_bytes = max_body_bytes
        self.body_limits = body_limits if body_limits is not None else {}

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

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"")
        # A caller's id is kept only when it is a plain token (it is echoed in a header).
        request_id = given.decode() if _SAFE_ID.fullmatch(given) else new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        path = scope.get("path", "")
        status_holder = {"status": 500}

        async def send_wrapper(message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        # Rate limit per API key (hashed), else per client address.
        if not path.startswith(UNLIMITED_PATHS):
            key = headers.get(b"x-api-key") or headers.get(b"authorization")
            if key:
                ident = "k:" + hashlib.sha256(key).hexdigest()[:16]
            else:
                ident = "ip:" + str((scope.get("client") or ("?",))[0])
            wait = self.limiter.acquire(ident)
            if wait > 0:
                status_holder["status"] = 429
                await self._reject(
                    send_wrapper,
                    429,
                    "Too Many Requests",
                    "rate limit exceeded; retry after the number of seconds in Retry-After",
                    [(b"retry-after", self.limiter.retry_after_header(wait).encode())],
                )
                self._observe(scope, started, status_holder["status"], request_id)
                return

        limit = self._body_limit(path)
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(
                send_wrapper, 413, "Content Too Large", f"request body over the {limit}-byte limit"
            )
            self._observe(scope, started, 413, request_id)
            return

        received = 0

        async def receive_wrapper():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, receive_wrapper, send_wrapper)
        except _BodyTooLarge as exc:
            status_holder["status"] = 413
            await self._reject(
                send_wrapper,
                413,
                "Content Too Large",
                f"request body over the {exc.limit}-byte limit",
            )
        finally:
            self._observe(scope, started, status_holder["status"], request_id)

    def _observe(self, scope, started: float, status: int, request_id: str) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        elapsed = time.perf_counter() - started
        method = scope.get("method", "")
        REQUESTS.labels(method, template, str(status)).inc()
        LATENCY.labels(method, template).observe(elapsed)
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


class _BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit
