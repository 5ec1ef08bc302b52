"""Edge access logs into the lake: requests are queued cheaply on the hot path and a
background thread (``services.periodic.Periodic``, so a failed write does not end it) turns
them into ``cdn/access`` events in batches (one fsync per batch)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from services.periodic import Periodic
from warehouse.emitter import Emitter
from warehouse.events import Event


class AccessLog:
    """Batches access records for one edge process."""

    def __init__(
        self, emitter: Emitter, *, edge: str, region: str, role: str, interval_s: float = 0.5
    ) -> None:
        self.emitter = emitter
        self.edge, self.region, self.role = edge, region, role
        self.interval_s = interval_s
        self._pending: list[tuple] = []
        self._lock = threading.Lock()
        self.written = 0
        self._loop = Periodic(f"accesslog-{edge}", join_timeout_s=5.0)
        self._loop.start(interval_s, self._drain)

    def record(
        self, method: str, url: str, status: int, cache: str, nbytes: int, latency_ms: float
    ) -> None:
        """Queue one request (called on the event loop; never blocks on I/O)."""
        self._pending.append((datetime.now(UTC), method, url, status, cache, nbytes, latency_ms))

    def _drain(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return
            events = [
                Event(
                    system="cdn",
                    type="access",
                    actor=self.edge,
                    entity=url,
                    ts=ts,
                    attrs={
                        "edge": self.edge,
                        "region": self.region,
                        "role": self.role,
                        "method": method,
                        "status": status,
                        "cache": cache,
                        "bytes": nbytes,
                        "latency_ms": round(latency_ms, 3),
                    },
                )
                for ts, method, url, status, cache, nbytes, latency_ms in batch
            ]
            self.emitter.emit_events(events)
            self.written += len(events)

    def close(self) -> None:
        """Write what is queued and seal the spool segment so ingestion sees it."""
        self._loop.stop()
        self._drain()
        self.emitter.flush()
        self.emitter.close()
