"""Click events, recorded off the redirect path.

The redirect must not wait for an fsync, so clicks go to an in-memory queue that a thread
hands to the durable emitter every ``interval`` seconds in one batch (one group-committed
spool frame). A crash can lose at most the last interval's clicks; shutdown flushes them all.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import UTC, datetime

from warehouse.emitter import Emitter
from warehouse.events import Event


class ClickRecorder:
    def __init__(self, emitter: Emitter, interval: float = 0.5) -> None:
        self.emitter = emitter
        self.interval = interval
        self._queue: deque[tuple] = deque()
        self._stop = threading.Event()
        self.recorded = 0
        self._thread = threading.Thread(target=self._run, name="shortener-clicks", daemon=True)
        self._thread.start()

    def record(self, code: str, referrer: str | None, user_agent: str | None, cache: str) -> None:
        """Queue one click (referrer, user agent, time); the event is built off the hot path."""
        self._queue.append((code, referrer, user_agent, cache, time.time()))

    def flush(self) -> int:
        raw: list[tuple] = []
        q = self._queue
        while q:
            raw.append(q.popleft())
        if raw:
            try:
                self.emitter.emit_events([_event(*r) for r in raw])
            except Exception:
                q.extendleft(reversed(raw))  # keep them for the next attempt
                raise
            self.recorded += len(raw)
        return len(raw)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - retried next interval; emit raised (spool full)
                continue

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.flush()


def _event(code: str, referrer: str | None, user_agent: str | None, cache: str, ts: float) -> Event:
    return Event(
        system="shortener",
        type="click",
        entity=code,
        ts=datetime.fromtimestamp(ts, UTC),
        attrs={
            "referrer": (referrer or "")[:512],
            "user_agent": (user_agent or "")[:512],
            "cache": cache,
        },
    )
