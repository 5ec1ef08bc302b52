"""The cache client: one interface over many nodes, in-process or Redis.

- Placement: consistent hashing with virtual nodes; each key lives on ``replicas`` nodes.
- Writes are write-through to every live replica (a write succeeds when at least one replica
  took it); reads try the replicas in ring order and fail over past a node that is down. A
  down node is skipped for ``retry_down_after`` seconds, then probed again.
- ``get_or_load`` is read-through with single-flight: concurrent misses of one key run the
  loader once and share its result, so a hot key's expiry cannot stampede the database.
- A near-cache keeps decoded values of *hot* keys (sketch frequency over a threshold) in this
  process for a short TTL: the hottest redirects skip even the node hop. Writes through this
  client invalidate it; other writers' changes show up within ``near_ttl`` seconds. Near
  copies are shared objects: callers must treat returned values as read-only.
- ``add_node``/``remove_node`` move only the keys whose replica set changed.

Values are JSON (orjson), so Redis and in-process nodes hold the same bytes.

Consistency is chosen per client (``consistency=``, ``BLUEPRINT_CACHE_CONSISTENCY``):

- ``"eventual"`` (default; R=1, W=1): the fast path above. A read costs one node hop (or
  none, from the near-cache) and fails over past down replicas; a write needs one ack.
  Replicas that were down keep their old copies until overwritten, and another client's
  write shows up in the near-cache only after ``near_ttl``: a read may return a value older
  than an acknowledged write (a stale read), though never one that was never written.
- ``"strong"`` (quorums with R + W > N; majority R = W = N // 2 + 1 unless given): values
  carry versions from a hybrid logical clock, writes need W acks, reads ask R or more
  replicas, return the newest and repair the stale ones, and answer only once W replicas
  hold what they return (``services.cache.quorum``, which also says what eviction does to
  the guarantee). A read never returns a value older than a write acknowledged before the
  read began, whichever client wrote it: read-your-writes and monotonic reads across
  replicas and clients. The near-cache is off. Cost: every read asks every live replica (N
  hops instead of one), every write is a conditional write on N replicas, deletes leave
  tombstones for ``tombstone_ttl``, and with fewer than R (or W) replicas reachable the call raises
  ``QuorumUnavailable`` instead of answering from what is left.

``with_consistency`` gives a second client of the other kind over the same nodes, near-cache
and metrics, so one process can pick per call. Both read each other's values: eventual writes
carry a version too (stored unconditionally), so a strong read orders them like its own.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, Literal

import orjson

from services.cache.metrics import CacheMetrics
from services.cache.nodes import CacheNode, CacheUnavailable, NodeDown
from services.cache.quorum import Quorum, QuorumUnavailable
from services.cache.ring import HashRing
from services.cache.sketch import FrequencySketch
from services.cache.versions import TAG, HybridClock, body_of, encode, new_writer_id
from services.cache.writebehind import WriteBehind

__all__ = ["CONSISTENCY", "CacheClient", "CacheUnavailable", "QuorumUnavailable"]
CONSISTENCY = ("eventual", "strong")
Consistency = Literal["eventual", "strong"]


class _Flight:
    __slots__ = ("done", "value", "error")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class CacheClient:
    def __init__(
        self,
        nodes: Iterable[CacheNode],
        *,
        replicas: int = 2,
        vnodes: int = 160,
        near_cache_size: int = 256,
        near_ttl: float = 1.0,
        hot_threshold: int = 4,
        retry_down_after: float = 2.0,
        metrics: CacheMetrics | None = None,
        clock: Callable[[], float] = time.monotonic,
        consistency: Consistency = "eventual",
        read_quorum: int | None = None,
        write_quorum: int | None = None,
        tombstone_ttl: float = 86_400.0,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.nodes: dict[str, CacheNode] = {}
        self.ring = HashRing(vnodes=vnodes)
        self.replicas = replicas
        for node in nodes:
            self.nodes[node.name] = node
            self.ring.add(node.name)
        self.near_cache_size = near_cache_size
        self.near_ttl = near_ttl
        self.hot_threshold = hot_threshold
        self.retry_down_after = retry_down_after
        self.metrics = metrics or CacheMetrics()
        self.metrics.client = self
        self._near: OrderedDict[str, tuple[Any, float]] = OrderedDict()
        self._hot = FrequencySketch(max(64, near_cache_size * 4))
        self._down_until: dict[str, float] = {}
        self._flights: dict[str, _Flight] = {}
        self._lock = threading.Lock()
        self._hlc = HybridClock(wall)
        self._writer = new_writer_id()
        self._wall = wall
        self.tombstone_ttl = tombstone_ttl
        self._set_consistency(consistency, read_quorum, write_quorum)

    # -- consistency -------------------------------------------------------------------------
    def _set_consistency(self, consistency: str, r: int | None, w: int | None) -> None:
        n = self.replicas
        if consistency == "eventual":
            if (r or 1) != 1 or (w or 1) != 1:
                raise ValueError("eventual consistency reads and writes one replica (R=W=1)")
            self.quorum: Quorum | None = None
        elif consistency == "strong":
            r = n // 2 + 1 if r is None else r
            w = n // 2 + 1 if w is None else w
            if not (1 <= r <= n and 1 <= w <= n):
                raise ValueError(f"quorums must lie in 1..N: R={r}, W={w}, N={n}")
            if r + w <= n:
                raise ValueError(
                    f"strong consistency needs R + W > N so every read meets the last write: "
                    f"R={r}, W={w}, N={n}"
                )
            self.quorum = Quorum(
                n,
                r,
                w,
                hlc=self._hlc,
                writer=self._writer,
                tombstone_ttl=self.tombstone_ttl,
                wall=self._wall,
            )
        else:
            raise ValueError(f"consistency is one of {', '.join(CONSISTENCY)}, not {consistency!r}")
        self.consistency = consistency

    @property
    def read_quorum(self) -> int:
        return self.quorum.r if self.quorum else 1

    @property
    def write_quorum(self) -> int:
        return self.quorum.w if self.quorum else 1

    def with_consistency(
        self,
        consistency: Consistency,
        read_quorum: int | None = None,
        write_quorum: int | None = None,
    ) -> CacheClient:
        """A client over the same nodes, ring, near-cache, clock and metrics, but of the
        given consistency (``self`` when it already is)."""
        if consistency == self.consistency and read_quorum is write_quorum is None:
            return self
        other = copy.copy(self)
        other._set_consistency(consistency, read_quorum, write_quorum)
        return other

    # -- placement and health ----------------------------------------------------------------
    def replicas_for(self, key: str) -> list[str]:
        return self.ring.preference_list(key, self.replicas)

    def _candidates(self, key: str) -> list[CacheNode]:
        names = self.replicas_for(key)
        now = self.clock()
        up = [n for n in names if self._down_until.get(n, 0.0) <= now]
        # If every replica is marked down, probe them anyway rather than fail blind.
        return [self.nodes[n] for n in (up or names)]

    def _mark_down(self, node: CacheNode) -> None:
        self._down_until[node.name] = self.clock() + self.retry_down_after
        self.metrics.count("node_errors")

    def down_nodes(self) -> list[str]:
        now = self.clock()
        return sorted(n for n, t in self._down_until.items() if t > now)

    # -- near cache --------------------------------------------------------------------------
    def _near_get(self, key: str) -> Any:
        entry = self._near.get(key)
        if entry is None:
            return _MISS
        value, expires = entry
        if expires <= self.clock():
            self._near.pop(key, None)
            return _MISS
        return value

    def _near_offer(self, key: str, value: Any) -> None:
        if self.near_cache_size <= 0 or self._hot.frequency(key) < self.hot_threshold:
            return
        with self._lock:
            self._near[key] = (value, self.clock() + self.near_ttl)
            self._near.move_to_end(key)
            while len(self._near) > self.near_cache_size:
                self._near.popitem(last=False)

    def _near_drop(self, key: str) -> None:
        with self._lock:
            self._near.pop(key, None)

    # -- reads -------------------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        """The cached value, or ``default`` on a miss; fails over past down replicas."""
        if self.quorum is not None:
            raw = self.quorum.read(self, key)
            if raw is None:
                self.metrics.count("misses")
                return default
            self.metrics.count("hits")
            return orjson.loads(raw)
        self._hot.increment(key)
        value = self._near_get(key)
        if value is not _MISS:
            self.metrics.count("hits")
            self.metrics.count("near_hits")
            return value
        raw = self._read(key)
        if raw and raw[0] == TAG:  # a versioned value: strip the header
            raw = body_of(raw)
        if raw is None:
            self.metrics.count("misses")
            return default
        self.metrics.count("hits")
        value = orjson.loads(raw)
        self._near_offer(key, value)
        return value

    def _read(self, key: str) -> bytes | None:
        tried = 0
        for node in self._candidates(key):
            try:
                raw = node.get(key)
            except NodeDown:
                self._mark_down(node)
                tried += 1
                continue
            if tried:
                self.metrics.count("failovers")
            self._down_until.pop(node.name, None)
            return raw
        return None

    def get_or_load(
        self,
        key: str,
        loader: Callable[[], Any],
        ttl: float | None = None,
        ttl_for: Callable[[Any], float | None] | None = None,
    ) -> Any:
        """Read-through: on a miss run ``loader`` once for all concurrent callers, then cache.

        ``loader`` returning ``None`` caches nothing. ``ttl_for(value)`` may pick the TTL.
        """
        value = self.get(key, _MISS)
        if value is not _MISS:
            return value
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = _Flight()
        if not leader:
            self.metrics.count("coalesced")
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value
        try:
            self.metrics.count("loads")
            flight.value = loader()
            if flight.value is not None:
                self.set(key, flight.value, ttl_for(flight.value) if ttl_for else ttl)
            return flight.value
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    # -- writes ------------------------------------------------------------------------------
    def set(self, key: str, value: Any, ttl: float | None = None) -> int:
        """Write-through to every live replica; returns the acks, raises if there were none
        (strong: ``QuorumUnavailable`` below W acks)."""
        if ttl is not None and ttl <= 0:
            self.delete(key)
            return 0
        raw = orjson.dumps(value)
        self._near_drop(key)
        if self.quorum is not None:
            acks = self.quorum.write(self, key, raw, ttl)
            self.metrics.count("sets")
            return acks
        # versioned too, so strong readers can order eventual writes (last writer wins)
        expires_ms = 0 if ttl is None else int((self._wall() + ttl) * 1000)
        raw = encode(self._hlc.now(), self._writer, expires_ms, raw)
        acks = 0
        for name in self.replicas_for(key):
            node = self.nodes[name]
            try:
                node.set(key, raw, ttl)
                acks += 1
            except NodeDown:
                self._mark_down(node)
        self.metrics.count("sets")
        if acks == 0:
            raise CacheUnavailable(f"no replica of {key!r} is reachable")
        return acks

    def delete(self, key: str) -> None:
        """Drop ``key`` from every live replica (strong: a tombstone on W or more)."""
        self._near_drop(key)
        if self.quorum is not None:
            self.quorum.delete(self, key)
            return
        for name in self.replicas_for(key):
            node = self.nodes[name]
            try:
                node.delete(key)
            except NodeDown:
                self._mark_down(node)

    def write_through(
        self, key: str, value: Any, store: Callable[[str, Any], None], ttl: float | None = None
    ) -> None:
        """Write the store of record first, then the cache: a crash leaves at worst a miss."""
        store(key, value)
        self.set(key, value, ttl)

    def write_behind(
        self, key: str, value: Any, queue: WriteBehind, ttl: float | None = None
    ) -> None:
        """Cache now, store later through ``queue`` (which flushes on close, with retries)."""
        self.set(key, value, ttl)
        queue.enqueue(key, value)

    # -- membership --------------------------------------------------------------------------
    def add_node(self, node: CacheNode, migrate: bool = True) -> int:
        """Join ``node``; returns how many keys were copied to their new replicas."""
        self.nodes[node.name] = node
        self.ring.add(node.name)
        return self._rebalance() if migrate else 0

    def remove_node(self, name: str, migrate: bool = True) -> int:
        """Leave: hand the node's keys to their new replicas first (when it still answers)."""
        node = self.nodes[name]
        self.ring.remove(name)
        moved = 0
        if migrate:
            try:
                keys = list(node.keys())
            except NodeDown:
                keys = []
            for key in keys:
                moved += self._copy(node, key)
        del self.nodes[name]
        self._down_until.pop(name, None)
        return moved

    def _copy(self, source: CacheNode, key: str) -> int:
        try:
            raw = source.get(key)
        except NodeDown:
            return 0
        if raw is None:
            return 0
        copied = 0
        for name in self.replicas_for(key):
            target = self.nodes[name]
            if target is source:
                continue
            try:
                if target.get(key) is None:
                    target.set(key, raw, None)
                    copied = 1
            except NodeDown:
                self._mark_down(target)
        return copied

    def _rebalance(self) -> int:
        moved = 0
        for node in list(self.nodes.values()):
            try:
                keys = list(node.keys())
            except NodeDown:
                continue
            for key in keys:
                if node.name in self.replicas_for(key):
                    continue
                moved += self._copy(node, key)
                with contextlib.suppress(NodeDown):
                    node.delete(key)
        return moved

    # -- stats -------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        nodes = {}
        for name, node in self.nodes.items():
            try:
                nodes[name] = {"up": True, **node.stats()}
            except NodeDown:
                nodes[name] = {"up": False}
        return {
            **self.metrics.snapshot(),
            "replicas": self.replicas,
            "consistency": self.consistency,
            "read_quorum": self.read_quorum,
            "write_quorum": self.write_quorum,
            "read_repairs": self.metrics.counts["read_repairs"],
            "quorum_failures": self.metrics.counts["quorum_failures"],
            "vnodes": self.ring.vnodes,
            "near_cache_entries": len(self._near),
            "nodes": nodes,
            "down": self.down_nodes(),
        }

    def close(self) -> None:
        self.metrics.report(self)
        for node in self.nodes.values():
            node.close()


_MISS: Any = object()
