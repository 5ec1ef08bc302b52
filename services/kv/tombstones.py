"""Tombstone garbage collection: deleted keys do not grow storage forever, and never come back.

A delete is a version with no value (a tombstone), so that a replica that missed it cannot
bring the old value back through read repair, hints or anti-entropy. A tombstone is purged
once it cannot matter any more:

1. it is older (by its hybrid logical clock) than ``tombstone_grace_s`` (default 60 s), so
   writes and repairs in flight when it was made have landed;
2. no member of the ring is dead (a dead home might still hold the old value; members that
   left handed everything over and are out of the ring);
3. asked now, every home of the key answers with exactly this tombstone (same dots), and
   every other node holds either nothing for the key or the same tombstone (a hint);
4. then the key's first home (the only node that starts a collection of that key) tells each
   holder to purge it *if it still holds that exact tombstone* (``KV.R.PURGE key digest``), so
   a write that arrived meanwhile is kept, and purges its own copy last.

A holder that misses the purge keeps the tombstone, which anti-entropy spreads again and a
later round collects: the failure modes leave a tombstone, never a value.
"""

from __future__ import annotations

import time
from typing import Any

from services.kv.peers import PeerError
from services.kv.versions import decode, digest

BUDGET = 200  # tombstones examined per round


def is_tombstone(versions: list) -> bool:
    return bool(versions) and all(v.value is None for v in versions)


async def collect(cluster: Any, budget: int = BUDGET) -> int:
    """One round: purge the tombstones this node is first home of that are safe to drop."""
    c = cluster
    if any(n in c.down for n in c.ring.nodes) or len(c.ring.nodes) < 2:
        return 0
    cutoff = time.time() * 1000 - c.config.tombstone_grace_s * 1000
    n = c.n
    candidates = []
    for key in c.replica.tombstones:
        versions = c.replica.data[key]
        if not is_tombstone(versions) or max(v.hlc[0] for v in versions) > cutoff:
            continue
        if c.ring.preference_list(key, n)[0] != c.name:
            continue
        candidates.append(key)
        if len(candidates) >= budget:
            break
    purged = 0
    for key in candidates:
        purged += await _collect_one(c, key, n)
    if purged:
        c.counters["tombstones_purged"] += purged
        c.record("kv_tombstones_purged", count=purged)
    return purged


async def _collect_one(c: Any, key: bytes, n: int) -> int:
    mine = c.replica.data.get(key)
    if mine is None or not is_tombstone(mine):
        return 0
    want = digest(mine)
    homes = set(c.ring.preference_list(key, n))
    holders = []
    for name in c.ring.nodes:
        if name == c.name:
            continue
        try:
            blob = await c.peers[name].call(b"KV.R.GET", key)
        except (PeerError, KeyError):
            return 0
        if blob is None:
            if name in homes:
                return 0  # a home without the tombstone: anti-entropy has not reached it yet
            continue
        if digest(decode(blob)) != want:
            return 0
        holders.append(name)
    for name in holders:
        try:
            await c.peers[name].call(b"KV.R.PURGE", key, want)
        except PeerError:
            return 0
    if c.replica.data.get(key) is mine:
        c.replica.drop(key)
        return 1
    return 0


def purge(replica: Any, key: bytes, want: bytes) -> int:
    """At a holder: drop ``key`` (data and hints) only if it is still that exact tombstone."""
    dropped = 0
    versions = replica.data.get(key)
    if versions is not None and is_tombstone(versions) and digest(versions) == want:
        replica.drop(key)
        dropped = 1
    for home, held in list(replica.hints.items()):
        got = held.get(key)
        if got is not None and is_tombstone(got) and digest(got) == want:
            replica.drop_hint(home, key)
            dropped = 1
    return dropped
