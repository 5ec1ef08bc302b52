"""Join and leave on real node processes: only the moved ranges are streamed, nothing is lost."""

from __future__ import annotations

import time

import redis

from services.kv.launch import LocalCluster
from services.kv.ring import Ring
from tests.services.kv.helpers import stats as kv_stats
from tests.services.kv.helpers import wait_for

KEYS = [f"rb:{i}" for i in range(400)]


def client(node) -> redis.Redis:
    return redis.Redis(port=node.port, socket_timeout=5, protocol=2)


def stats(node) -> dict[str, int]:
    return kv_stats(client(node))


def held(node) -> set[str]:
    c = client(node)
    return {k for k in KEYS if c.execute_command("KV.R.GET", k) is not None}


def test_a_joining_node_receives_exactly_its_ranges_and_only_they_move(tmp_path):
    cluster = LocalCluster.create(tmp_path, 3, extra=["--anti-entropy-s", "30"])
    cluster.start()
    try:
        c1 = client(cluster.nodes[0])
        c1.mset({k: k.upper() for k in KEYS})
        total_bytes = sum(len(k) for k in KEYS)
        joiner = cluster.add_joiner("n4", cluster.nodes[0])
        joiner.start()
        cluster.wait(joiner)
        new = Ring(["n1", "n2", "n3", "n4"], 64)
        mine = {k for k in KEYS if "n4" in new.preference_list(k.encode(), 3)}
        assert 0 < len(mine) < len(KEYS)

        def moved() -> bool:
            return sum(stats(n).get("rebalance_keys_sent", 0) for n in cluster.nodes) >= len(mine)

        assert wait_for(moved, 30.0)
        time.sleep(1.0)  # nothing more may arrive
        sent = sum(stats(n).get("rebalance_keys_sent", 0) for n in cluster.nodes)
        assert sent == len(mine)  # each moved replica once; unmoved keys never
        assert stats(joiner).get("stray_keys_sent", 0) == 0
        streamed = sum(stats(n).get("rebalance_bytes_sent", 0) for n in cluster.nodes)
        assert total_bytes < streamed < 200 * len(mine)
        assert held(joiner) == mine
        for node in cluster.nodes[:3]:
            homes = {k for k in KEYS if node.name in new.preference_list(k.encode(), 3)}
            assert held(node) == homes, node.name  # the losers dropped what they handed over
        for node in cluster.nodes:
            got = client(node).mget(KEYS)
            assert got == [k.upper().encode() for k in KEYS]
        members = {m[0]: m[3] for m in c1.execute_command("KV.MEMBERS")}
        assert members == {b"n1": b"alive", b"n2": b"alive", b"n3": b"alive", b"n4": b"alive"}
    finally:
        cluster.stop()


def test_a_leaving_node_hands_its_ranges_over_and_no_key_is_lost(tmp_path):
    extra = ["--anti-entropy-s", "0.5", "--tombstone-grace-s", "0.5"]
    cluster = LocalCluster.create(tmp_path, 4, extra=extra)
    cluster.start()
    try:
        client(cluster.nodes[0]).mset({k: k for k in KEYS})
        leaver = cluster.nodes[1]
        had = held(leaver)
        assert had
        sent = client(leaver).execute_command("KV.LEAVE")
        assert leaver.proc is not None
        leaver.proc.wait(timeout=15)
        rest = [n for n in cluster.nodes if n is not leaver]
        new = Ring([n.name for n in rest], 64)
        old = Ring([n.name for n in cluster.nodes], 64)
        gained = sum(
            len(set(new.preference_list(k.encode(), 3)) - set(old.preference_list(k.encode(), 3)))
            for k in KEYS
        )
        assert sent == gained == len(had)
        for node in rest:
            homes = {k for k in KEYS if node.name in new.preference_list(k.encode(), 3)}
            assert held(node) >= homes, node.name
            states = dict(client(node).execute_command("KV.RING"))
            assert leaver.name.encode() not in states  # out of the ring
            assert client(node).mget(KEYS) == [k.encode() for k in KEYS]
        # a member that left does not block tombstone GC (only dead ones do)
        gone = KEYS[:20]
        assert client(rest[0]).delete(*gone) == len(gone)

        def collected() -> bool:
            return sum(stats(n).get("tombstones_purged", 0) for n in rest) >= len(gone)

        assert wait_for(collected, 30.0)
        assert all(client(n).execute_command("KV.R.GET", k) is None for n in rest for k in gone)
    finally:
        cluster.stop()


def test_writes_during_a_join_are_all_readable_afterwards(tmp_path):
    """Acknowledged writes made while a node joins (some reach a node that has not heard of
    it yet) are all readable at quorum once the stray sweep and anti-entropy ran."""
    import threading

    cluster = LocalCluster.create(tmp_path, 3, extra=["--anti-entropy-s", "0.5"])
    cluster.start()
    acked: dict[str, str] = {}
    stop = threading.Event()

    def writer(node, prefix: str) -> None:
        c = client(node)
        i = 0
        while not stop.is_set() and i < 3000:
            key, value = f"{prefix}:{i}", f"v{i}"
            try:
                c.set(key, value)
            except redis.RedisError:
                pass
            else:
                acked[key] = value
            i += 1

    threads = [
        threading.Thread(target=writer, args=(n, f"w{j}")) for j, n in enumerate(cluster.nodes)
    ]
    try:
        for t in threads:
            t.start()
        time.sleep(0.5)
        joiner = cluster.add_joiner("n4", cluster.nodes[1])
        joiner.start()
        cluster.wait(joiner)
        time.sleep(2.0)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert len(acked) > 100
        keys = sorted(acked)

        def all_readable() -> bool:
            got = client(cluster.nodes[3]).mget(keys)
            return got == [acked[k].encode() for k in keys]

        assert wait_for(all_readable, 40.0)
        for node in cluster.nodes[:3]:
            assert client(node).mget(keys) == [acked[k].encode() for k in keys]
    finally:
        stop.set()
        cluster.stop()
