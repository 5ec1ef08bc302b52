"""Per-client rate limit of an edge: one token bucket per client address.

Each client may make ``burst`` requests at once and ``rate`` per second after that. Buckets
live in an LRU map of at most ``max_clients``: a bucket idle long enough to have refilled is
indistinguishable from a fresh one and is dropped first, so memory stays bounded however many
addresses an abusive client rotates through (when the map is full of active clients, the least
recently seen is evicted and comes back with a full bucket: the cap wins over exactness).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

import orjson

from services.cdn.respond import Reply


class TokenBuckets:
    """``check(client)`` spends one token; it answers None (allowed) or the seconds until the
    next token (refused)."""

    def __init__(
        self,
        rate: float,
        burst: float,
        *,
        max_clients: int = 65_536,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1 or max_clients < 1:
            raise ValueError("rate must be > 0, burst >= 1 and max_clients >= 1")
        self.rate = float(rate)
        self.burst = float(burst)
        self.max_clients = max_clients
        self.clock = clock
        self.idle_s = self.burst / self.rate  # a bucket idle this long is full again
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at
        self.refused = 0
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._buckets)

    def check(self, client: str) -> float | None:
        now = self.clock()
        tokens, at = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1.0:
            self._buckets[client] = (tokens - 1.0, now)
            self._evict(now)
            return None
        self._buckets[client] = (tokens, now)
        self._evict(now)
        self.refused += 1
        return (1.0 - tokens) / self.rate

    def _evict(self, now: float) -> None:
        """Drop buckets idle long enough to be full (oldest first), then the least recently
        used ones while over ``max_clients``."""
        buckets = self._buckets
        while buckets:
            client, (_, at) = next(iter(buckets.items()))
            if now - at < self.idle_s and len(buckets) <= self.max_clients:
                break
            del buckets[client]
            self.evicted += 1


def too_many(retry_after_s: float, client: str) -> Reply:
    """429 with ``Retry-After`` (whole seconds, at least 1) and a problem body (RFC 9457)."""
    seconds = max(1, math.ceil(retry_after_s))
    body = orjson.dumps(
        {
            "type": "about:blank",
            "title": "Too Many Requests",
            "status": 429,
            "detail": f"rate limit for {client} exceeded: retry in {seconds} s",
        }
    )
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"cache-control", b"no-store"),
        (b"retry-after", str(seconds).encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    return Reply(429, headers, body)
