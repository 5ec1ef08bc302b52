"""The Dynamo cluster on loopback: replication, any node coordinating, sloppy quorums with
hinted handoff, read repair, Merkle anti-entropy, siblings, per-connection R and W."""

from __future__ import annotations

import socket
import time

import pytest
import redis

from services.kv.launch import LocalCluster
from services.kv.resp import encode_command
from services.kv.versions import Version, decode, encode
from tests.services.kv.helpers import stats, wait_for


def client(node, **kw) -> redis.Redis:
    return redis.Redis(port=node.port, socket_timeout=5, protocol=2, **kw)


def read_until(sock, suffix: bytes) -> bytes:
    """Everything ``sock`` sends until it ends with ``suffix`` (or the peer closes)."""
    got = b""
    while not got.endswith(suffix):
        chunk = sock.recv(4096)
        if not chunk:
            break
        got += chunk
    return got


def someone_down(c: redis.Redis) -> bool:
    """Whether the node's gossip table shows some member dead (skipped by coordinators)."""
    return b"dead" in dict(c.execute_command("KV.RING")).values()


@pytest.fixture(scope="module")
def five(tmp_path_factory):
    cluster = LocalCluster.create(
        tmp_path_factory.mktemp("kv5"), 5, extra=["--anti-entropy-s", "0.2"]
    )
    cluster.start()
    yield cluster
    cluster.stop()


def test_any_node_answers_for_any_key(five):
    clients = [client(n) for n in five.nodes]
    clients[0].mset({f"any:{i}": i for i in range(200)})
    for c in clients:
        assert c.mget([f"any:{i}" for i in range(200)]) == [b"%d" % i for i in range(200)]
    assert clients[3].dbsize() >= 200
    assert sorted(clients[4].keys("any:1?")) == sorted(f"any:1{i}".encode() for i in range(10))
    found = set()
    cursor = 0
    while True:
        cursor, page = clients[2].scan(cursor, match="any:*", count=40)
        found.update(page)
        if cursor == 0:
            break
    assert len(found) == 200


def test_a_pipeline_of_gets_and_sets_answers_in_order_and_reads_its_own_writes(five):
    """Pipelined GET/SET are coordinated together, with a key repeated later in the pipeline
    waiting for its earlier request: the replies are those of running them one by one."""
    c = client(five.nodes[1])
    pipe = c.pipeline(transaction=False)
    model: dict[str, bytes] = {}
    expected: list = []
    for i in range(300):
        key = f"pipe:{i % 37}"
        if i % 3 == 2:
            pipe.get(key)
            expected.append(model.get(key))
        else:
            pipe.set(key, i)
            model[key] = b"%d" % i
            expected.append(True)
    pipe.incr("pipe:counter")  # not batched: runs between the batched ones, in order
    pipe.get("pipe:counter")
    expected += [1, b"1"]
    assert pipe.execute() == expected
    other = client(five.nodes[4])
    assert other.get("pipe:5") == c.get("pipe:5")
    assert stats(c)["writes"] >= 200


def test_pipelined_gets_return_values_of_every_size_byte_for_byte(five):
    """Replies of a run of GETs, written header by header, for values at and around the
    sizes whose headers are made once, an empty value and a missing key."""
    c = client(five.nodes[2])
    sizes = [0, 1, 9, 10, 4095, 4096, 4097, 70_000]
    values = {f"size:{n}": bytes(range(256)) * (n // 256) + bytes(n % 256) for n in sizes}
    pipe = c.pipeline(transaction=False)
    for key, value in values.items():
        pipe.set(key, value)
    pipe.execute()
    pipe = c.pipeline(transaction=False)
    for key in [*values, "size:absent"]:
        pipe.get(key)
    assert pipe.execute() == [*values.values(), None]


def test_each_key_is_stored_on_n_replicas(five):
    c = client(five.nodes[0])
    c.set("replicated", "yes")
    holders = 0
    for node in five.nodes:
        blob = client(node).execute_command("KV.R.GET", "replicated")
        holders += blob is not None
    assert holders == 3


def test_a_down_node_gets_its_writes_back_by_hinted_handoff(five):
    victim = five.nodes[4]
    five_clients = [client(n) for n in five.nodes[:4]]
    victim.kill()
    # every coordinator must skip it: a write sent to a member still believed alive is not hinted
    assert wait_for(lambda: all(someone_down(c) for c in five_clients))
    keys = [f"hint:{i}" for i in range(300)]
    for i, key in enumerate(keys):
        five_clients[i % 4].set(key, i)
    held = sum(stats(c)["hints_held"] for c in five_clients)
    assert held > 0
    five.restart(victim)
    assert wait_for(lambda: sum(stats(c)["hints_held"] for c in five_clients) == 0, 15)
    assert sum(stats(c).get("hints_replayed", 0) for c in five_clients) >= held
    # the returned node now holds its share without any read having repaired it
    mine = sum(client(victim).execute_command("KV.R.GET", k) is not None for k in keys)
    assert mine >= 300 * 3 // 5 * 0.8


def test_concurrent_writes_become_siblings_and_the_newest_wins(five):
    a, b = client(five.nodes[0]), client(five.nodes[1])
    a.set("sib", "first")
    # two writers that have each seen nothing of the other: KV.RW 1 1 on disjoint coordinators
    a.execute_command("KV.RW", 1, 1)
    b.execute_command("KV.RW", 1, 1)
    a.set("sib2", "from-a")
    b.set("sib2", "from-b")
    shown = client(five.nodes[2]).get("sib2")
    assert shown in (b"from-a", b"from-b")
    siblings = client(five.nodes[2]).execute_command("KV.SIBLINGS", "sib2")
    assert 1 <= len(siblings) <= 2
    newest = max(siblings, key=lambda s: (int(s[1].split(b".")[0]), int(s[1].split(b".")[1])))
    if len(siblings) == 2:
        assert shown == newest[2]


def test_kv_rw_rejects_quorums_outside_1_to_n(five):
    c = client(five.nodes[0])
    with pytest.raises(redis.ResponseError, match="between 1 and N=3"):
        c.execute_command("KV.RW", 4, 1)


def test_anti_entropy_repairs_a_replica_that_missed_writes(tmp_path):
    cluster = LocalCluster.create(tmp_path, 3, extra=["--anti-entropy-s", "0.05"])
    cluster.start()
    try:
        c = client(cluster.nodes[0])
        cluster.nodes[2].kill()
        assert wait_for(lambda: someone_down(c))
        for i in range(100):
            c.set(f"ae:{i}", i)
        cluster.restart(cluster.nodes[2])
        third = client(cluster.nodes[2])

        def converged() -> bool:
            return all(third.execute_command("KV.R.GET", f"ae:{i}") for i in range(100))

        assert wait_for(converged, 30)
        repaired = sum(stats(client(n)).get("ae_keys_repaired", 0) for n in cluster.nodes)
        assert repaired >= 100
    finally:
        cluster.stop()


def test_digest_reads_return_the_newest_version_and_repair_the_coordinator(tmp_path):
    """GETs ask the second replica only for a digest (the dots of the coordinator's copy);
    where the copies differ the replica's versions come back, the newest wins and the stale
    copy is repaired. Here the coordinator's own copy is the stale one."""
    cluster = LocalCluster.create(tmp_path, 3, extra=["--anti-entropy-s", "600"])
    cluster.start()
    try:
        first, second, third = (client(n) for n in cluster.nodes)
        keys = [f"dig:{i}" for i in range(20)]
        for k in keys:
            first.set(k, b"old")
        newer: dict[str, bytes] = {}
        for k in keys[::2]:
            (old,) = decode(first.execute_command("KV.R.GET", k))
            version = Version("n2", 1, {old.node: old.counter}, (old.hlc[0] + 1, 0), b"new")
            blob = encode([version])
            for c in (second, third):  # every other copy moves on; the coordinator's does not
                c.execute_command("KV.R.PUT", k, blob)
            newer[k] = blob
        pipe = first.pipeline(transaction=False)
        for k in [*keys, "dig:absent"]:
            pipe.get(k)
        got = pipe.execute()
        assert got[:-1] == [b"new" if k in newer else b"old" for k in keys]
        assert got[-1] is None
        assert wait_for(
            lambda: all(first.execute_command("KV.R.GET", k) == b for k, b in newer.items())
        )
        assert stats(first).get("read_repairs", 0) >= len(newer)
        assert stats(first).get("batch_check_keys", 0) >= len(keys)
    finally:
        cluster.stop()


def test_a_replica_batch_split_at_an_element_boundary_is_answered_once(five):
    """A peer's batch of replica puts arriving in two reads, the first ending right after one
    of its elements past 1 KiB, is one request with one reply: its rest read as inline
    commands put every later reply on the link out of step (the NOREPLICAS bursts)."""
    node = five.nodes[0]
    version = Version("n9", 1, {}, (int(time.time() * 1000), 0), b"v" * 100, None)
    args = [b"KV.R.MPUT"]
    for i in range(20):
        args += [b"split:%d" % i, encode([version]), b""]
    wire = encode_command(args)
    cut = wire.index(b"$8\r\nsplit:12")
    with socket.create_connection(("127.0.0.1", node.port), timeout=5) as s:
        s.sendall(wire[:cut])
        time.sleep(0.3)  # the node reads the first part on its own
        s.sendall(wire[cut:] + encode_command([b"PING"]))
        got = read_until(s, b"+PONG\r\n")
    assert got == b":20\r\n+PONG\r\n"
    held = client(node).execute_command("KV.R.GET", "split:19")
    assert [v.value for v in decode(held)] == [b"v" * 100]


def test_replica_batches_answered_at_once_keep_their_replies_in_order(tmp_path):
    """Without fsync a batch of replica puts is durable in the call that logs it at once:
    pipelined with other requests on one connection, every reply still leaves in order."""
    cluster = LocalCluster.create(tmp_path, 2, n=2, r=1, w=1, extra=["--no-fsync"])
    cluster.start()
    try:
        node = cluster.nodes[0]
        version = Version("n9", 1, {}, (int(time.time() * 1000), 0), b"v", None)
        wire = b""
        for batch in range(3):
            args = [b"KV.R.MPUT"]
            for i in range(batch + 2):
                args += [b"order:%d:%d" % (batch, i), encode([version]), b""]
            wire += encode_command(args) + encode_command([b"PING"])
        wire += encode_command([b"KV.R.GET", b"order:2:3"]) + encode_command([b"ECHO", b"end"])
        with socket.create_connection(("127.0.0.1", node.port), timeout=5) as s:
            s.sendall(wire)
            got = read_until(s, b"$3\r\nend\r\n")
        assert got.startswith(b":2\r\n+PONG\r\n:3\r\n+PONG\r\n:4\r\n+PONG\r\n$")
        assert decode(client(node).execute_command("KV.R.GET", "order:2:3"))[0].value == b"v"
    finally:
        cluster.stop()
