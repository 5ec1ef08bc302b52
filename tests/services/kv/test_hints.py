"""Hints for replicas that fail while believed up (Cassandra keeps hints for a replica whose
write times out): the coordinator keeps the write for the member and replays it at the hint
rate once the member answers again."""

from __future__ import annotations

import redis

from services.kv.launch import LocalCluster
from services.kv.ring import Ring
from tests.services.kv.helpers import stats, wait_for


def client(node) -> redis.Redis:
    return redis.Redis(port=node.port, socket_timeout=30, protocol=2)


def test_a_replica_timing_out_while_believed_alive_gets_a_hint_replayed_later(tmp_path):
    # Suspicion never turns into a dead verdict here, and anti-entropy never runs: only a
    # hint can bring the paused member the writes it missed.
    cluster = LocalCluster.create(
        tmp_path,
        3,
        extra=["--suspect-s", "600", "--request-timeout-s", "1", "--anti-entropy-s", "600"],
    )
    cluster.start()
    try:
        coordinator, _, victim = cluster.nodes
        c = client(coordinator)
        victim.pause()
        try:
            batched = [f"late:{i}" for i in range(20)]
            pipe = c.pipeline(transaction=False)
            for i, key in enumerate(batched):
                pipe.set(key, i)
            assert all(pipe.execute())  # W=2: this node and the live peer
            # A SET with options takes the general (one-key) path, at the key's first home.
            ring = Ring([n.name for n in cluster.nodes])
            named = (f"late:ex:{i}" for i in range(1000))
            single = [k for k in named if ring.preference_list(k.encode(), 3)[0] == "n1"][:3]
            for key in single:
                assert c.set(key, "v", ex=3600)
            keys = batched + single
            assert wait_for(lambda: stats(c).get("hints_on_failure", 0) >= len(keys), 15)
            ring = dict(c.execute_command("KV.RING"))
            assert ring[victim.name.encode()] != b"dead"  # still believed up: no stand-in
            assert stats(c)["hints_held"] >= len(keys)
        finally:
            victim.resume()
        assert wait_for(lambda: stats(c)["hints_held"] == 0, 30)
        assert stats(c).get("hints_replayed", 0) >= len(keys)
        v = client(victim)
        assert all(v.execute_command("KV.R.GET", key) is not None for key in keys)
    finally:
        cluster.stop()
