"""Token-bucket rate limiting, reusable by any service (per key, per user, per IP)."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict


class TokenBucketLimiter:
    """``rate`` tokens per ``per_seconds`` with bursts up to ``burst``; thread-safe.

    ``acquire(key)`` returns 0.0 when allowed, else the seconds to wait: what a 429's
    Retry-After should say. At most ``max_keys`` buckets are kept: the least recently used
    one goes first (a bucket idle for ``burst / rate`` seconds is full again anyway, so
    forgetting it changes nothing), so a stream of new identities cannot grow memory.
    """

    def __init__(
        self,
        rate: float,
        per_seconds: float = 60.0,
        burst: float | None = None,
        *,
        max_keys: int = 100_000,
        clock=time.monotonic,
    ) -> None:
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self.rate = rate / per_seconds
        self.burst = burst if burst is not None else rate
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def acquire(self, key: str, cost: float = 1.0) -> float:
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= cost:
                self._buckets[key] = (tokens - cost, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (cost - tokens) / self.rate if self.rate > 0 else math.inf
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait

    def retry_after_header(self, wait: float) -> str:
        if math.isinf(wait):
            return "3600"  # a zero rate: nothing will be allowed; say "much later"
        return str(max(1, math.ceil(wait)))
