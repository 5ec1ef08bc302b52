"""Write-behind: the cache answers at once, the store of record is written in batches later.

Writes to the same key coalesce (the latest value wins). A background thread flushes every
``interval`` seconds; a failed batch stays queued and is retried with exponential backoff.
``close()`` flushes everything still queued and raises if the store stays unreachable, so a
clean shutdown never drops a write silently.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

Writer = Callable[[list[tuple[str, Any]]], None]


class WriteBehindError(RuntimeError):
    """Some writes could not reach the store of record before shutdown."""


class WriteBehind:
    def __init__(
        self,
        writer: Writer,
        *,
        interval: float = 0.2,
        batch_size: int = 500,
        max_backoff: float = 5.0,
    ) -> None:
        self.writer = writer
        self.interval = interval
        self.batch_size = batch_size
        self.max_backoff = max_backoff
        self._pending: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self.flushed = 0
        self.failures = 0
        self._backoff = 0.0
        self._thread = threading.Thread(target=self._run, name="cache-write-behind", daemon=True)
        self._thread.start()

    def enqueue(self, key: str, value: Any) -> None:
        with self._lock:
            self._pending.pop(key, None)
            self._pending[key] = value
            if len(self._pending) >= self.batch_size:
                self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush_once(self) -> bool:
        """Write one batch; False when the writer failed (the batch stays queued)."""
        with self._lock:
            batch = list(self._pending.items())[: self.batch_size]
        if not batch:
            return True
        try:
            self.writer(batch)
        except Exception:  # noqa: BLE001 - any store error means "retry later"
            self.failures += 1
            return False
        with self._lock:
            for key, value in batch:
                if key in self._pending and self._pending[key] is value:
                    del self._pending[key]
        self.flushed += len(batch)
        return True

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(self.interval + self._backoff)
            self._wake.clear()
            if self._stop:
                break
            while self._pending:
                if self.flush_once():
                    self._backoff = 0.0
                else:
                    self._backoff = min(self.max_backoff, max(0.05, self._backoff * 2))
                    break

    def close(self, timeout: float = 10.0) -> None:
        """Stop the thread and flush what is queued, retrying until ``timeout``."""
        self._stop = True
        self._wake.set()
        self._thread.join(timeout)
        deadline = time.monotonic() + timeout
        delay = 0.05
        while self._pending:
            if self.flush_once():
                continue
            if time.monotonic() >= deadline:
                raise WriteBehindError(f"{len(self._pending)} writes did not reach the store")
            time.sleep(delay)
            delay = min(self.max_backoff, delay * 2)
