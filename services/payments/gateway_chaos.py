"""Faults the local gateway injects on command: what the chaos tests and benchmarks break.

``fail`` answers 503 before acting; ``timeout`` and ``drop`` mangle the answer *after* the
work committed (the caller cannot tell whether it happened); ``duplicate_webhooks`` delivers
events twice; ``delay_s`` holds each request in flight before it acts.
"""

from __future__ import annotations

import threading


class Chaos:
    """Faults injected on command, each for the next ``n`` requests (thread-safe)."""

    KINDS = ("fail", "timeout", "drop", "duplicate_webhooks")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._left = dict.fromkeys(self.KINDS, 0)
        self.delay_s = 0.0  # how long each request stays in flight before it acts

    def inject(self, kind: str, n: int = 1) -> None:
        if kind not in self._left:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(self.KINDS)}")
        with self._lock:
            self._left[kind] = max(0, int(n))

    def take(self, kind: str) -> bool:
        with self._lock:
            if self._left[kind] > 0:
                self._left[kind] -= 1
                return True
            return False

    def clear(self) -> None:
        with self._lock:
            self._left = dict.fromkeys(self.KINDS, 0)
        self.delay_s = 0.0
