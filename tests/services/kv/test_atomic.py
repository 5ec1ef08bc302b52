"""Read-modify-writes are atomic across coordinators (run at the key's serialiser), and
SIGTERM makes a node leave its cluster gracefully: node processes on loopback, redis-py."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from services.kv.launch import LocalCluster
from services.kv.ring import Ring
from tests.services.kv.helpers import stats, wait_for


def client(node, **kw) -> redis.Redis:
    return redis.Redis(port=node.port, socket_timeout=20, protocol=2, **kw)


def hammer(nodes, per_client: int, command, *, stop_after=None):
    """One thread per coordinator in ``nodes`` runs ``command(c, t, i)`` ``per_client`` times;
    returns (acknowledged replies, attempts) over all threads. A failed request (error reply,
    lost connection) is an attempt whose outcome is unknown."""
    acked: list = []
    attempts = [0]
    lock = threading.Lock()

    def run(t: int, node) -> None:
        c = client(node)
        for i in range(per_client):
            with lock:
                attempts[0] += 1
            try:
                reply = command(c, t, i)
            except (redis.ResponseError, redis.ConnectionError, redis.TimeoutError):
                continue
            with lock:
                acked.append(reply)

    threads = [threading.Thread(target=run, args=(t, n)) for t, n in enumerate(nodes)]
    for th in threads:
        th.start()
    if stop_after is not None:
        stop_after(acked)
    for th in threads:
        th.join(120)
    return acked, attempts[0]


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    # No faults here: a node slowed by a loaded machine must not be taken for dead (that
    # would move a key's serialiser mid-test, which these tests do not cover).
    cluster = LocalCluster.create(
        tmp_path_factory.mktemp("kv3a"), 3, extra=["--suspect-s", "10", "--probe-timeout-s", "2"]
    )
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.mark.parametrize("mode", ["eventual", "linearizable"])
def test_concurrent_increments_through_every_coordinator_are_never_lost(three, mode):
    nodes = [*three.nodes, *three.nodes]  # 6 clients, two per coordinator
    per_client = 60 if mode == "eventual" else 25
    key = f"ctr:{mode}"

    def incr(c: redis.Redis, t: int, i: int) -> int:
        if i == 0:
            c.execute_command("KV.CONSISTENCY", mode)
        return c.incr(key)

    acked, attempts = hammer(nodes, per_client, incr)
    assert len(acked) == attempts == len(nodes) * per_client
    assert sorted(acked) == list(range(1, attempts + 1))  # each INCR saw the one before
    assert all(int(client(n).get(key)) == attempts for n in three.nodes)


def test_concurrent_appends_and_float_increments_are_atomic(three):
    nodes = [*three.nodes, *three.nodes]

    def append(c: redis.Redis, t: int, i: int) -> int:
        return c.append("log", b"%c" % (65 + t))

    acked, attempts = hammer(nodes, 30, append)
    assert sorted(acked) == list(range(1, attempts + 1))  # every length seen once
    value = client(three.nodes[0]).get("log")
    assert sorted(value) == sorted(65 + t for t in range(len(nodes)) for _ in range(30))

    def incrbyfloat(c: redis.Redis, t: int, i: int) -> float:
        return c.incrbyfloat("f", 0.5)

    acked, attempts = hammer(nodes, 20, incrbyfloat)
    assert len(set(acked)) == len(acked) == attempts
    assert float(client(three.nodes[1]).get("f")) == attempts * 0.5


def test_a_failing_command_among_combined_ones_changes_nothing(three):
    """INCRs of a non-integer fail with Redis's error while APPENDs of the same key, queued
    with them at the serialiser, all apply."""
    client(three.nodes[0]).set("mixed", "x")

    def mixed(c: redis.Redis, t: int, i: int) -> list:
        pipe = c.pipeline(transaction=False)
        for _ in range(20):
            pipe.incr("mixed")
            pipe.append("mixed", "y")
        return pipe.execute(raise_on_error=False)

    acked, attempts = hammer([*three.nodes, *three.nodes], 3, mixed)
    assert len(acked) == attempts
    replies = [r for batch in acked for r in batch]
    errors = [r for r in replies if isinstance(r, redis.ResponseError)]
    assert len(errors) == len(replies) // 2
    assert {str(e) for e in errors} == {"value is not an integer or out of range"}
    lengths = sorted(r for r in replies if not isinstance(r, redis.ResponseError))
    assert lengths == list(range(2, len(lengths) + 2))  # every APPEND saw the one before
    assert client(three.nodes[1]).get("mixed") == b"x" + b"y" * len(lengths)


def test_pipelined_increments_on_many_keys_from_every_coordinator(three):
    """Every node is at once a serialiser for some keys and a coordinator forwarding to the
    others: deep pipelines on many keys must neither deadlock nor lose an increment."""
    keys = [f"many:{i}" for i in range(60)]
    rounds, depth = 3, 300

    def batch(c: redis.Redis, t: int, i: int) -> list:
        pipe = c.pipeline(transaction=False)
        for j in range(depth):
            pipe.incrby(keys[(t * 7 + i * 13 + j) % len(keys)], 1 + j % 3)
        return pipe.execute()

    started = time.monotonic()
    acked, attempts = hammer(three.nodes, rounds, batch)
    assert len(acked) == attempts == len(three.nodes) * rounds
    assert time.monotonic() - started < 60
    want = {k: 0 for k in keys}
    for t in range(len(three.nodes)):
        for i in range(rounds):
            for j in range(depth):
                want[keys[(t * 7 + i * 13 + j) % len(keys)]] += 1 + j % 3
    got = client(three.nodes[2]).mget(keys)
    assert {k: int(v) for k, v in zip(keys, got, strict=True)} == want


def test_increments_survive_the_serialiser_being_killed(tmp_path):
    cluster = LocalCluster.create(
        tmp_path, 3, extra=["--suspect-s", "1.0", "--probe-timeout-s", "0.3"]
    )
    cluster.start()
    try:
        ring = Ring([n.name for n in cluster.nodes], 64)
        key = next(
            k
            for k in (f"kill:{i}" for i in range(1000))
            if ring.preference_list(k.encode(), 3)[0] == "n3"
        )
        victim = cluster.node("n3")
        coordinators = [cluster.node("n1"), cluster.node("n2")] * 3

        def kill_midway(acked: list) -> None:
            assert wait_for(lambda: len(acked) >= 150, 60)
            victim.kill()

        acked, attempts = hammer(
            coordinators, 80, lambda c, t, i: c.incr(key), stop_after=kill_midway
        )
        assert len(acked) > 150
        assert len(set(acked)) == len(acked)  # no two increments read the same value
        final = int(client(cluster.node("n1")).get(key))
        # Every acknowledged increment is in; only those whose outcome was unknown may be.
        assert len(acked) <= final <= attempts
        assert max(acked) <= final
    finally:
        cluster.stop()


def test_sigterm_leaves_the_ring_handing_off_every_key(tmp_path):
    cluster = LocalCluster.create(tmp_path, 3)
    cluster.start()
    try:
        n1, n2, n3 = cluster.nodes
        keys = [f"roll:{i}" for i in range(400)]
        client(n1).mset({k: k for k in keys})
        client(n3).set("via-n3", "x")
        keys.append("via-n3")
        n3.proc.terminate()
        assert n3.proc.wait(timeout=60) == 0
        for node in (n1, n2):
            c = client(node)
            assert dict(c.execute_command("KV.RING")).get(b"n3") in (None, b"left")
            assert stats(c)["hints_held"] == 0  # no copy lives only as a hint
            held = [c.execute_command("KV.R.GET", k) is not None for k in keys]
            assert all(held)  # both survivors are the homes (N=2 of 2) and hold every key
        reader = client(n2)
        reader.execute_command("KV.RW", 2, 2)
        assert reader.mget(keys) == [k.encode() if k != "via-n3" else b"x" for k in keys]
        # A rolling restart: the node comes back, rejoins, and nothing went missing.
        cluster.restart(n3)
        assert wait_for(
            lambda: dict(client(n1).execute_command("KV.RING")).get(b"n3") == b"alive", 15
        )
        assert client(n3).mget(keys) == [k.encode() if k != "via-n3" else b"x" for k in keys]
    finally:
        cluster.stop()
