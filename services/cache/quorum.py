"""Quorum reads and writes (N, R, W) with read repair, for a cache client's strong mode.

Each key lives on the N nodes of its preference list (the client's ``replicas``); there is no
sloppy quorum or hinted handoff, so a read quorum always meets the last acknowledged write's
quorum when R + W > N.

- **Write**: a new version from the client's hybrid logical clock goes to every replica as a
  conditional write (a replica keeps a newer version it already has, and says so). The write
  succeeds when W replicas hold it. A replica that refuses with a newer version makes the
  writer retry above that version (a bounded number of times), so an acknowledged write is
  newer than every write acknowledged before it began, even across clients whose clocks
  disagree. When 2W <= N two write quorums need not meet, so the writer first reads the
  versions held by R replicas and starts above the newest.
- **Read**: asks every replica that is not marked down (and the down ones too when that gives
  fewer than R answers), needs R answers, returns the newest value, and writes it back
  (conditionally) to every answering replica that held an older copy or none: that is the
  read repair, inline, so a replica that missed writes while it was down is brought up to
  date by the first quorum read of each key. The read returns only once W replicas hold the
  value (else ``QuorumUnavailable``): the ABD register's write-back, so a later read, whose
  quorum meets those W, cannot return an older value than this one (monotonic reads across
  clients, even when the value came from a write that failed and reached one replica).
- **Delete** writes a tombstone with ``tombstone_ttl``, spread by repairs like a value, so a
  replica that missed the delete cannot resurrect the value through a repair.

Fewer than R (or W) answering replicas raise ``QuorumUnavailable`` naming the counts: a strong
client never degrades silently to a weaker read or write. A failed write may still have
reached some replicas (it is neither acknowledged nor guaranteed absent), as in any quorum
system.

Limit: a quorum needs the replicas to keep what they acknowledged. A cache evicts; a replica
that evicted a key (or a Redis server restarted without persistence) answers "absent", and if
the remaining answers of a read quorum are older copies, the read returns one of those. Size
nodes so quorum keys are not evicted (``stats`` counts evictions per node).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from services.cache.nodes import CacheUnavailable, NodeDown
from services.cache.versions import (
    HybridClock,
    body_of,
    encode,
    expires_ms_of,
    hlc_of,
    version_of,
)

if TYPE_CHECKING:
    from services.cache.client import CacheClient
    from services.cache.nodes import CacheNode

WRITE_TRIES = 4


def _order(raw: bytes) -> tuple[bytes, bool]:
    """Newest first by version; among unversioned answers a plain value beats an absence."""
    return version_of(raw), bool(raw)


class QuorumUnavailable(CacheUnavailable):
    """Fewer replicas answered than the read or write quorum needs."""


class Quorum:
    """The strong mode's read, write and delete, over a client's placement and health."""

    def __init__(
        self,
        n: int,
        r: int,
        w: int,
        *,
        hlc: HybridClock,
        writer: int,
        tombstone_ttl: float,
        wall: Callable[[], float],
    ) -> None:
        self.n, self.r, self.w = n, r, w
        self.hlc = hlc
        self.writer = writer
        self.tombstone_ttl = tombstone_ttl
        self.wall = wall

    # -- asking replicas ---------------------------------------------------------------------
    def _answers(self, client: CacheClient, key: str, need: int) -> list[tuple[CacheNode, bytes]]:
        """(node, raw or b"") from the key's live replicas; the down ones too if short."""
        names = client.replicas_for(key)
        down = set(client.down_nodes())
        answers: list[tuple[CacheNode, bytes]] = []
        for batch in ([n for n in names if n not in down], [n for n in names if n in down]):
            if batch and batch[0] in down and len(answers) >= need:
                break
            for name in batch:
                node = client.nodes[name]
                try:
                    raw = node.get(key)
                except NodeDown:
                    client._mark_down(node)
                    continue
                client._down_until.pop(name, None)
                answers.append((node, raw or b""))
        if len(answers) < need:
            client.metrics.count("quorum_failures")
            raise QuorumUnavailable(
                f"read of {key!r}: {len(answers)} of {len(names)} replicas answered, the read "
                f"quorum is {need} (R={self.r}, W={self.w}, N={self.n}); not serving a value "
                "that might be stale"
            )
        return answers

    # -- read --------------------------------------------------------------------------------
    def read(self, client: CacheClient, key: str) -> bytes | None:
        """The newest JSON among R or more replicas (None: absent or deleted), repaired."""
        answers = self._answers(client, key, self.r)
        newest = max((raw for _, raw in answers), key=_order)
        if not newest:
            return None
        self.hlc.observe(hlc_of(newest))
        mine = version_of(newest)
        if mine:  # plain JSON carries no version or TTL to repair with
            ttl = self._remaining(newest)
            if ttl is not None and ttl <= 0:
                return None  # expired by the writer's clock; replicas drop it themselves
            holders = 0  # replicas that now hold this version or a newer one
            for node, raw in answers:
                if version_of(raw) >= mine:
                    holders += 1
                    continue
                try:
                    node.set_versioned(key, newest, ttl)
                except NodeDown:
                    client._mark_down(node)
                    continue
                client.metrics.count("read_repairs")
                holders += 1
            if holders < self.w:
                # The newest copy may come from a write that never reached W replicas; served
                # from fewer than W, a later read quorum could miss it and go back in time.
                client.metrics.count("quorum_failures")
                raise QuorumUnavailable(
                    f"read of {key!r}: the newest copy is on {holders} replicas after repair, "
                    f"the write quorum is {self.w} (R={self.r}, W={self.w}, N={self.n}); not "
                    "serving a value a later read might not see"
                )
        return body_of(newest)

    def _remaining(self, raw: bytes) -> float | None:
        expires = expires_ms_of(raw)
        return None if expires == 0 else expires / 1000 - self.wall()

    # -- write -------------------------------------------------------------------------------
    def write(self, client: CacheClient, key: str, body: bytes, ttl: float | None) -> int:
        """Store ``body`` (b"" for a tombstone) on W or more replicas; returns the acks."""
        names = client.replicas_for(key)
        if 2 * self.w <= self.n:  # write quorums may not meet: learn the newest version first
            newest = max((raw for _, raw in self._answers(client, key, self.r)), key=_order)
            self.hlc.observe(hlc_of(newest))
        expires_ms = 0 if ttl is None else int((self.wall() + ttl) * 1000)
        acks = 0
        for _ in range(WRITE_TRIES):
            raw = encode(self.hlc.now(), self.writer, expires_ms, body)
            acks, newer = 0, b""
            for name in names:
                node = client.nodes[name]
                try:
                    refused = node.set_versioned(key, raw, ttl)
                except NodeDown:
                    client._mark_down(node)
                    continue
                if refused is None:
                    acks += 1
                else:
                    newer = max(newer, refused)
            if acks >= self.w or not newer:
                break
            self.hlc.observe(hlc_of(newer))  # a newer write got there first: go above it
        if acks < self.w:
            client.metrics.count("quorum_failures")
            raise QuorumUnavailable(
                f"write of {key!r}: {acks} of {len(names)} replicas acknowledged, the write "
                f"quorum is {self.w} (R={self.r}, W={self.w}, N={self.n}); the write is not "
                "acknowledged (replicas that took it may still serve it)"
            )
        return acks

    def delete(self, client: CacheClient, key: str) -> int:
        """A quorum delete: a tombstone that outlives stale copies for ``tombstone_ttl``."""
        return self.write(client, key, b"", self.tombstone_ttl)
