"""Live availability: every change to a unit's inventory reaches subscribed clients at once.

Holds, lapses, releases, cancellations and admin price or count changes publish the unit
they touched; each SSE client (``GET /booking/live``) has a bounded queue and re-reads the
units it watches when one of them changes. A slow client loses the oldest notices, never
blocks a booking.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any


class LiveFeed:
    def __init__(self, queue_size: int = 256) -> None:
        self._lock = threading.Lock()
        self._subs: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = []
        self.queue_size = queue_size

    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(self.queue_size)
        with self._lock:
            self._subs.append((asyncio.get_running_loop(), queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        with self._lock:
            self._subs = [(loop, q) for loop, q in self._subs if q is not queue]

    def publish(self, change: dict[str, Any]) -> None:
        """Thread-safe; called from the service's worker threads."""
        with self._lock:
            subs = list(self._subs)
        for loop, queue in subs:
            try:
                loop.call_soon_threadsafe(_put, queue, change)
            except RuntimeError:  # its loop is closed: the client is gone
                self.unsubscribe(queue)


def _put(queue: asyncio.Queue, change: dict[str, Any]) -> None:
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(change)
