"""Tombstone GC on real node processes: held while a replica is missing, purged once every
replica has the tombstone, and no deleted value comes back."""

from __future__ import annotations

import time

import redis

from services.kv.launch import LocalCluster
from tests.services.kv.helpers import wait_for

KEYS = [f"gc:{i}" for i in range(60)]


def client(node) -> redis.Redis:
    return redis.Redis(port=node.port, socket_timeout=5, protocol=2)


def purged(nodes) -> int:
    total = 0
    for node in nodes:
        flat = client(node).execute_command("KV.STATS")
        total += dict(zip(flat[::2], flat[1::2], strict=True)).get(b"tombstones_purged", 0)
    return total


def raw(node, key: str):
    return client(node).execute_command("KV.R.GET", key)


def test_tombstones_are_purged_only_when_every_replica_has_them_and_nothing_resurrects(tmp_path):
    extra = ["--anti-entropy-s", "0.2", "--tombstone-grace-s", "1"]
    cluster = LocalCluster.create(tmp_path, 3, extra=extra)
    cluster.start()
    try:
        n1, n2, n3 = cluster.nodes
        c1 = client(n1)
        c1.mset({k: "old" for k in KEYS})
        kept = "gc:kept"
        c1.set(kept, "stays")
        n3.kill()  # n3 keeps the old values and misses the deletes
        assert wait_for(lambda: dict(c1.execute_command("KV.RING"))[b"n3"] == b"dead", 15)
        assert c1.delete(*KEYS) == len(KEYS)
        time.sleep(2.5)  # past the grace period: still held, since a replica is dead
        assert purged(cluster.nodes[:2]) == 0
        assert all(raw(n1, k) is not None for k in KEYS)  # tombstones
        assert c1.mget(KEYS) == [None] * len(KEYS)

        cluster.restart(n3)  # anti-entropy hands n3 the tombstones, then GC purges them
        assert wait_for(lambda: purged(cluster.nodes) >= len(KEYS), 40)
        assert wait_for(lambda: all(raw(n, k) is None for n in cluster.nodes for k in KEYS), 20)
        time.sleep(1.5)  # more anti-entropy rounds: the old values must not come back
        for node in cluster.nodes:
            c = client(node)
            assert c.mget(KEYS) == [None] * len(KEYS)
            assert all(raw(node, k) is None for k in KEYS)
            assert c.get(kept) == b"stays"  # a live key is never collected
            assert c.exists(*KEYS) == 0
    finally:
        cluster.stop()
