"""Events that acknowledge nothing to anyone, spooled in batches.

Some events are many and nobody waits for them (booking's searches, rides' positions and
quotes): paying one fsync each would cost more than the work they record, so a service holds
them in an ``EventSpool`` and writes them in batches (when its sweeper calls ``flush``, or
when enough are pending). Events a caller is told about are emitted one by one instead.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from warehouse.emitter import Emitter
from warehouse.events import Event

log = logging.getLogger(__name__)


class EventSpool:
    """Events of one system held in memory until a batch is written."""

    def __init__(
        self, emitter: Emitter, system: str, *, batch: int = 100, limit: int = 1000
    ) -> None:
        """From ``batch`` pending events a background thread writes them; from ``limit`` the
        caller writes them itself (``batch == limit``: always the caller, no thread)."""
        self.emitter = emitter
        self.system = system
        self.batch = batch
        self.limit = limit
        self._pending: list[Event] = []
        self._lock = threading.Lock()
        self._flush_scheduled = False
        self._flusher = ThreadPoolExecutor(1, thread_name_prefix=f"{system}-events")

    def add(self, type_: str, **fields: Any) -> None:
        """A full batch is written by a background thread, so no caller waits for the fsync;
        if writing falls far behind (the spool refuses or stalls), callers write
        themselves: pushed back, never dropped."""
        with self._lock:
            self._pending.append(Event(system=self.system, type=type_, **fields))
            pending = len(self._pending)
            full = pending >= self.limit
            schedule = not full and pending >= self.batch and not self._flush_scheduled
            if schedule:
                self._flush_scheduled = True
        if full:
            self.flush()
        elif schedule:
            self._flusher.submit(self._flush_in_background)

    def _flush_in_background(self) -> None:
        with self._lock:
            self._flush_scheduled = False
        try:
            self.flush()
        except Exception:  # noqa: BLE001 - the events stay pending; the next flush retries
            log.exception("could not spool %s events", self.system)

    def flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            self.emitter.emit_events(batch)
        except BaseException:
            with self._lock:  # not written: keep them, oldest first
                self._pending[:0] = batch
            raise

    def close(self) -> None:
        """Wait for a batch being written, then write what is left."""
        self._flusher.shutdown(wait=True)
        self.flush()
