"""Token-bucket rate limiting, reusable by any service (per key, per user, per IP)."""

from __future__ import annotations

import math
import threading
import time


class TokenBucketLimiter:
    """``rate`` tokens per ``per_seconds`` with bursts up to ``burst``; thread-safe.

    ``acquire(key)`` returns 0.0 when allowed, else the seconds to wait: what a 429's
    Retry-After should say.
    """

    def __init__(self, rate: float, per_seconds: float = 60.0, burst: float | None = None) -> None:
        self.rate = rate / per_seconds
        self.burst = burst if burst is not None else rate
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str, cost: float = 1.0) -> float:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= cost:
                self._buckets[key] = (tokens - cost, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (cost - tokens) / self.rate if self.rate > 0 else math.inf

    def retry_after_header(self, wait: float) -> str:
        return str(max(1, math.ceil(wait)))
