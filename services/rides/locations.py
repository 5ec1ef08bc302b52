"""Where drivers are: the live position index, keyed by H3 cell, in the cache tier.

Positions change every few seconds per driver, so they never touch the database: they live
in the cache tier, next to each driver's cell membership.

- ``MemoryIndex`` (the embedded default): a cell -> drivers map and a driver -> position map
  in this process, guarded by one lock.
- ``RedisIndex`` (scaled out, when ``BLUEPRINT_REDIS_URL`` is set): a Redis set per cell, a
  hash per driver and a sorted set of last-seen times, so every API process sees every
  driver. Reads of a k-ring are one pipelined round trip.

Both age out drivers silent for ``stale_after_s`` (``expire``) and answer "who is in these
cells" (``in_cells``). Whether a driver is *free* is not decided here: the store's
conditional update is the truth; ``busy`` only spares offers that would certainly fail.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from services.rides import geo


@dataclass(frozen=True)
class Position:
    driver_id: str
    lat: float
    lng: float
    cell: str
    ts: float
    busy: bool = False


class LocationIndex(Protocol):
    def update(self, driver_id: str, lat: float, lng: float, ts: float) -> Position: ...

    def set_busy(self, driver_id: str, busy: bool) -> None: ...

    def remove(self, driver_id: str) -> None: ...

    def get(self, driver_id: str) -> Position | None: ...

    def in_cells(self, cells: Iterable[str]) -> list[Position]: ...

    def all(self) -> list[Position]: ...

    def expire(self, before: float) -> list[str]: ...

    def __len__(self) -> int: ...


class MemoryIndex:
    """The in-process index (one lock; updates and ring reads are O(cells touched))."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pos: dict[str, Position] = {}
        self._cells: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._pos)

    def update(self, driver_id: str, lat: float, lng: float, ts: float) -> Position:
        c = geo.cell(lat, lng)
        with self._lock:
            old = self._pos.get(driver_id)
            busy = old.busy if old else False
            if old is not None and old.cell != c:
                members = self._cells.get(old.cell)
                if members is not None:
                    members.discard(driver_id)
                    if not members:
                        del self._cells[old.cell]
            self._cells.setdefault(c, set()).add(driver_id)
            pos = Position(driver_id, lat, lng, c, ts, busy)
            self._pos[driver_id] = pos
            return pos

    def set_busy(self, driver_id: str, busy: bool) -> None:
        with self._lock:
            old = self._pos.get(driver_id)
            if old is not None:
                self._pos[driver_id] = Position(
                    old.driver_id, old.lat, old.lng, old.cell, old.ts, busy
                )

    def remove(self, driver_id: str) -> None:
        with self._lock:
            old = self._pos.pop(driver_id, None)
            if old is not None:
                members = self._cells.get(old.cell)
                if members is not None:
                    members.discard(driver_id)
                    if not members:
                        del self._cells[old.cell]

    def get(self, driver_id: str) -> Position | None:
        return self._pos.get(driver_id)

    def in_cells(self, cells: Iterable[str]) -> list[Position]:
        with self._lock:
            out = []
            for c in cells:
                for d in self._cells.get(c, ()):
                    out.append(self._pos[d])
            return out

    def all(self) -> list[Position]:
        with self._lock:
            return list(self._pos.values())

    def expire(self, before: float) -> list[str]:
        with self._lock:
            gone = [d for d, p in self._pos.items() if p.ts < before]
        for d in gone:
            self.remove(d)
        return gone


class RedisIndex:
    """The shared index on Redis: ``<prefix>:cell:<h3>`` sets, ``<prefix>:pos:<driver>``
    hashes and the ``<prefix>:seen`` sorted set (driver -> last update time)."""

    def __init__(self, url: str, prefix: str = "rides") -> None:
        import redis

        self.r = redis.Redis.from_url(url, socket_timeout=2.0)
        self.prefix = prefix

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def __len__(self) -> int:
        return int(self.r.zcard(self._k("seen")))

    def update(self, driver_id: str, lat: float, lng: float, ts: float) -> Position:
        c = geo.cell(lat, lng)
        old = self.r.hget(self._k("pos", driver_id), "cell")
        pipe = self.r.pipeline(transaction=True)
        if old is not None and old.decode() != c:
            pipe.srem(self._k("cell", old.decode()), driver_id)
        pipe.sadd(self._k("cell", c), driver_id)
        pipe.hset(self._k("pos", driver_id), mapping={"lat": lat, "lng": lng, "cell": c, "ts": ts})
        pipe.hsetnx(self._k("pos", driver_id), "busy", 0)
        pipe.zadd(self._k("seen"), {driver_id: ts})
        pipe.hget(self._k("pos", driver_id), "busy")
        busy = pipe.execute()[-1]
        return Position(driver_id, lat, lng, c, ts, busy == b"1")

    def set_busy(self, driver_id: str, busy: bool) -> None:
        key = self._k("pos", driver_id)
        if self.r.exists(key):
            self.r.hset(key, "busy", 1 if busy else 0)

    def remove(self, driver_id: str) -> None:
        old = self.r.hget(self._k("pos", driver_id), "cell")
        pipe = self.r.pipeline(transaction=True)
        if old is not None:
            pipe.srem(self._k("cell", old.decode()), driver_id)
        pipe.delete(self._k("pos", driver_id))
        pipe.zrem(self._k("seen"), driver_id)
        pipe.execute()

    def _position(self, driver_id: str, h: dict) -> Position | None:
        if not h:
            return None
        return Position(
            driver_id,
            float(h[b"lat"]),
            float(h[b"lng"]),
            h[b"cell"].decode(),
            float(h[b"ts"]),
            h.get(b"busy") == b"1",
        )

    def get(self, driver_id: str) -> Position | None:
        return self._position(driver_id, self.r.hgetall(self._k("pos", driver_id)))

    def _load(self, ids: list[str]) -> list[Position]:
        pipe = self.r.pipeline(transaction=False)
        for d in ids:
            pipe.hgetall(self._k("pos", d))
        found = [self._position(d, h) for d, h in zip(ids, pipe.execute(), strict=True)]
        return [p for p in found if p is not None]

    def in_cells(self, cells: Iterable[str]) -> list[Position]:
        pipe = self.r.pipeline(transaction=False)
        for c in cells:
            pipe.smembers(self._k("cell", c))
        ids = sorted({m.decode() for members in pipe.execute() for m in members})
        return self._load(ids)

    def all(self) -> list[Position]:
        return self._load([m.decode() for m in self.r.zrange(self._k("seen"), 0, -1)])

    def expire(self, before: float) -> list[str]:
        gone = [m.decode() for m in self.r.zrangebyscore(self._k("seen"), "-inf", f"({before}")]
        for d in gone:
            self.remove(d)
        return gone

    def clear(self) -> None:
        """Delete this index's own keys (tests; never a flush of the server)."""
        for key in self.r.scan_iter(match=self._k("*"), count=1000):
            self.r.delete(key)
