"""Click events, recorded off the redirect path.

The redirect must not wait for an fsync, so clicks go to an in-memory queue that a thread
hands to the durable emitter every ``interval`` seconds in one batch (one group-committed
spool frame). A crash can lose at most the last interval's clicks; shutdown flushes them all.
"""

from __future__ import annotations

import threading
from collections import deque

from warehouse.emitter import Emitter
from warehouse.events import Event


class ClickRecorder:
    def __init__(self, emitter: Emitter, interval: float = 0.5) -> None:
        self.emitter = emitter
        self.interval = interval
        self._queue: deque[Event] = deque()
        self._stop = threading.Event()
        self.recorded = 0
        self._thread = threading.Thread(target=self._run, name="shortener-clicks", daemon=True)
        self._thread.start()

    def record(self, code: str, referrer: str | None, user_agent: str | None,
               cache: str) -> None:  # fmt: skip
        """Queue one click (referrer, user agent; the event carries the time)."""
        self._queue.append(Event(
            system="shortener", type="click", entity=code,
            attrs={"referrer": (referrer or "")[:512], "user_agent": (user_agent or "")[:512],
                   "cache": cache},
        ))  # fmt: skip

    def flush(self) -> int:
        batch: list[Event] = []
        q = self._queue
        while q:
            batch.append(q.popleft())
        if batch:
            try:
                self.emitter.emit_events(batch)
            except Exception:
                q.extendleft(reversed(batch))  # keep them for the next attempt
                raise
            self.recorded += len(batch)
        return len(batch)

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
