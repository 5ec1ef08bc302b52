"""Hit, miss and eviction counters of a cache client, reported to the lake as events.

Every ``interval`` seconds (checked on use, no thread) the client's counter deltas and its
nodes' eviction counts go out as one ``cache``/``stats`` event; the lake then answers "what was
the hit ratio at 14:00" with SQL.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from warehouse.emitter import Emitter


class CacheMetrics:
    def __init__(
        self, emitter: Emitter | None = None, interval: float = 10.0, name: str = "default"
    ) -> None:
        self.emitter = emitter
        self.interval = interval
        self.name = name
        self.counts: Counter[str] = Counter()
        self._reported: Counter[str] = Counter()
        self._next = time.monotonic() + interval
        self._lock = threading.Lock()
        self.client: Any = None

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] += n
        if self.emitter is not None and time.monotonic() >= self._next:
            self.report(self.client)

    def snapshot(self) -> dict[str, Any]:
        c = self.counts
        lookups = c["hits"] + c["misses"]
        return {
            **{
                k: c[k]
                for k in (
                    "hits",
                    "misses",
                    "near_hits",
                    "loads",
                    "coalesced",
                    "sets",
                    "failovers",
                    "node_errors",
                )
            },
            "hit_ratio": round(c["hits"] / lookups, 4) if lookups else None,
        }

    def report(self, client: Any = None) -> dict[str, int] | None:
        """Emit the counts since the last report (nothing when there is no emitter)."""
        with self._lock:
            self._next = time.monotonic() + self.interval
            delta = {k: v - self._reported[k] for k, v in self.counts.items()}
            self._reported = Counter(self.counts)
        if self.emitter is None:
            return None
        evictions = 0
        if client is not None:
            for node in list(client.nodes.values()):
                try:
                    evictions += int(node.stats().get("evictions", 0))
                except Exception:  # noqa: BLE001 - a down node has no stats to add
                    continue
        lookups = delta.get("hits", 0) + delta.get("misses", 0)
        attrs = {
            **delta,
            "evictions_total": evictions,
            "lookups": lookups,
            "hit_ratio": (delta.get("hits", 0) / lookups) if lookups else None,
        }
        self.emitter.emit("cache", "stats", actor=self.name, entity=self.name, attrs=attrs)
        return delta
