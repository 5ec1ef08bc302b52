"""Presence from heartbeats, kept in the cache tier with a TTL, and last seen.

A user is online while ``chat:presence:<user>`` exists; each heartbeat renews its TTL. To
stay cheap (Synapse found presence "increasingly heavy", matrix-org/synapse#3971) a process
renews a user's key at most once per third of the TTL, whatever the heartbeat rate, and
emits an event only when a user comes online or goes offline, never per heartbeat.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from warehouse.emitter import Emitter

PREFIX = "chat:presence:"


class Presence:
    def __init__(
        self,
        cache: Any,
        emitter: Emitter | None,
        ttl_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.cache = cache
        self.emitter = emitter
        self.ttl_s = ttl_s
        self.clock = clock
        self._renewed: dict[str, float] = {}
        self._lock = threading.Lock()
        self.writes = 0

    def heartbeat(self, user_id: str) -> None:
        """Mark ``user_id`` online now (renewing the cache key only when due)."""
        now = self.clock()
        with self._lock:
            last = self._renewed.get(user_id)
            if last is not None and now - last < self.ttl_s / 3:
                return
            self._renewed[user_id] = now
        was_online = last is not None and now - last < self.ttl_s
        if not was_online:
            was_online = self.cache.get(PREFIX + user_id) is not None
        self.cache.set(PREFIX + user_id, {"last_seen": now}, ttl=self.ttl_s)
        self.writes += 1
        if not was_online and self.emitter is not None:
            self.emitter.emit("chat", "presence_changed", entity=user_id, attrs={"online": True})

    def offline(self, user_id: str) -> None:
        """The user's last connected device left: offline now, last seen now."""
        now = self.clock()
        with self._lock:
            self._renewed.pop(user_id, None)
        self.cache.set(PREFIX + user_id, {"last_seen": now, "offline": True}, ttl=self.ttl_s)
        if self.emitter is not None:
            self.emitter.emit("chat", "presence_changed", entity=user_id, attrs={"online": False})

    def status(self, user_id: str, stored_last_seen: float | None = None) -> dict[str, Any]:
        """``online`` and ``last_seen``; once the key expired, ``stored_last_seen`` (what the
        store recorded when the user's devices disconnected)."""
        value = self.cache.get(PREFIX + user_id)
        if value is None:
            return {"user_id": user_id, "online": False, "last_seen": stored_last_seen}
        last = float(value["last_seen"])
        online = not value.get("offline") and self.clock() - last < self.ttl_s
        return {"user_id": user_id, "online": online, "last_seen": last}
