"""Cache node backends behind one interface: in-process stores (default) and Redis servers.

A node stores bytes with an optional TTL. Any failure to reach it raises ``NodeDown``, which is
what the client fails over on. In-process nodes can be taken down on purpose (``down=True``)
so fault tests need no servers.

``set_versioned`` is the one conditional write quorum clients need: store a versioned value
(``services.cache.versions``) unless the node already holds a newer one, atomically (under
the node's lock in process, in a Lua script on Redis).

Eviction: in-process nodes evict by the ``policy`` they are built with (FIFO, LRU, LFU or
W-TinyLFU). A Redis node evicts by its server's ``maxmemory-policy``, which has LRU, LFU,
random and TTL variants but no FIFO: the ``policy`` setting does not reach Redis servers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Protocol

from services.cache.policies import MISSING, make_policy
from services.cache.versions import version_of


class CacheUnavailable(RuntimeError):
    """Not enough replicas of the key could be reached."""


class NodeDown(ConnectionError):
    """The node did not answer; the client tries the next replica."""


class CacheNode(Protocol):
    name: str

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None: ...

    def set_versioned(self, key: str, value: bytes, ttl: float | None = None) -> bytes | None: ...

    def delete(self, key: str) -> None: ...

    def keys(self) -> Iterator[str]: ...

    def stats(self) -> dict[str, int]: ...

    def close(self) -> None: ...


class InProcessNode:
    """A bounded store in this process, evicting by ``policy``; thread-safe."""

    def __init__(
        self,
        name: str,
        capacity: int = 100_000,
        policy: str = "wtinylfu",
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.clock = clock
        self.policy_name = policy
        self._store = make_policy(policy, capacity)
        self._lock = threading.Lock()
        self.down = False
        self.evictions = 0
        self.expired = 0

    def _check(self) -> None:
        if self.down:
            raise NodeDown(f"cache node {self.name} is down")

    def get(self, key: str) -> bytes | None:
        if self.down:
            raise NodeDown(f"cache node {self.name} is down")
        with self._lock:
            entry = self._store.get(key, MISSING)
        if entry is MISSING:
            return None
        value, expires = entry
        if expires is not None and expires <= self.clock():
            with self._lock:
                self._store.pop(key)
            self.expired += 1
            return None
        return value

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self._check()
        expires = None if ttl is None else self.clock() + ttl
        with self._lock:
            evicted = self._store.put(key, (value, expires))
            self.evictions += len(evicted)

    def set_versioned(self, key: str, value: bytes, ttl: float | None = None) -> bytes | None:
        """Store ``value`` unless a newer version is held; None if the node now holds it (or
        an equal version), else the newer version that refused it."""
        self._check()
        now = self.clock()
        mine = version_of(value)
        with self._lock:
            entry = self._store.get(key, MISSING)
            if entry is not MISSING and (entry[1] is None or entry[1] > now):
                held = version_of(entry[0])
                if held > mine:
                    return held
                if held == mine and mine:
                    return None
            evicted = self._store.put(key, (value, None if ttl is None else now + ttl))
            self.evictions += len(evicted)
        return None

    def delete(self, key: str) -> None:
        self._check()
        with self._lock:
            self._store.pop(key)

    def keys(self) -> Iterator[str]:
        self._check()
        with self._lock:
            return iter(list(self._store.keys()))

    def stats(self) -> dict[str, int]:
        self._check()  # a down node answers nothing, as a dead server would
        return {"entries": len(self._store), "evictions": self.evictions, "expired": self.expired}

    def close(self) -> None:
        pass


class RedisNode:
    """A Redis server as a cache node (redis-py, short timeouts so fail-over is quick)."""

    def __init__(self, name: str, url: str, timeout: float = 0.5) -> None:
        import redis

        self.name = name
        self.url = url
        self._redis = redis
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry_on_timeout=False
        )
        self._set_versioned = self.client.register_script(_SET_VERSIONED)

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (self._redis.ConnectionError, self._redis.TimeoutError, OSError) as exc:
            raise NodeDown(f"cache node {self.name} ({self.url}) is down: {exc}") from exc

    def get(self, key: str) -> bytes | None:
        return self._call(self.client.get, key)

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        px = None if ttl is None else max(1, int(ttl * 1000))
        self._call(self.client.set, key, value, px=px)

    def set_versioned(self, key: str, value: bytes, ttl: float | None = None) -> bytes | None:
        """As ``InProcessNode.set_versioned``, atomically in one Lua script."""
        px = 0 if ttl is None else max(1, int(ttl * 1000))
        held = self._call(self._set_versioned, keys=[key], args=[value, px])
        return held or None

    def delete(self, key: str) -> None:
        self._call(self.client.delete, key)

    def keys(self) -> Iterator[str]:
        raw = self._call(lambda: list(self.client.scan_iter(count=1000)))
        return iter([k.decode() for k in raw])

    def stats(self) -> dict[str, int]:
        info = self._call(self.client.info, "stats")
        size = self._call(self.client.dbsize)
        return {
            "entries": int(size),
            "evictions": int(info.get("evicted_keys", 0)),
            "expired": int(info.get("expired_keys", 0)),
        }

    def close(self) -> None:
        self.client.close()


# KEYS[1]; ARGV[1] the versioned value, ARGV[2] its TTL in ms (0: none). Versions are
# fixed-width lowercase hex after a "v", so byte order is version order; plain JSON is oldest.
_SET_VERSIONED = """
local cur = redis.call('GET', KEYS[1])
local mine = string.sub(ARGV[1], 1, 25)
if cur and string.sub(cur, 1, 1) == 'v' then
  local held = string.sub(cur, 1, 25)
  if held > mine then return held end
  if held == mine then return false end
end
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
return false
"""
