import threading
import time

import pytest

from services.cache import CacheClient, CacheUnavailable, InProcessNode
from services.cache.metrics import CacheMetrics
from services.cache.ring import HashRing
from services.cache.writebehind import WriteBehind, WriteBehindError
from tests.fake_clock import FakeClock


def _client(n=3, clock=time.monotonic, **kw):
    nodes = [InProcessNode(f"n{i}", 10_000, clock=clock) for i in range(n)]
    return CacheClient(nodes, clock=clock, **kw), nodes


def test_each_key_is_written_to_replica_count_distinct_nodes():
    client, nodes = _client(4, replicas=2)
    for i in range(200):
        client.set(f"k{i}", i)
    for i in range(200):
        holders = [n.name for n in nodes if n.get(f"k{i}") is not None]
        assert sorted(holders) == sorted(client.replicas_for(f"k{i}"))
        assert len(holders) == 2


def test_losing_a_node_loses_no_write_through_data_and_reads_fail_over():
    client, nodes = _client(3, replicas=2)
    for i in range(300):
        client.set(f"k{i}", {"v": i})
    nodes[1].down = True
    assert all(client.get(f"k{i}") == {"v": i} for i in range(300))
    assert client.metrics.counts["failovers"] > 0
    assert "n1" in client.down_nodes()


def test_writes_succeed_while_one_replica_is_down_and_fail_only_when_all_are():
    client, nodes = _client(2, replicas=2)
    nodes[0].down = True
    assert client.set("a", 1) == 1
    assert client.get("a") == 1
    nodes[1].down = True
    with pytest.raises(CacheUnavailable):
        client.set("b", 2)
    assert client.get("b") is None


def test_ttl_expires_entries():
    clock = FakeClock(1_000.0)
    client, nodes = _client(1, clock=clock, replicas=1)
    client.set("t", "x", ttl=0.05)
    clock.advance(0.04)
    assert client.get("t") == "x"
    clock.advance(0.02)
    assert client.get("t") is None
    assert nodes[0].expired == 1


def test_single_flight_runs_the_loader_once_for_concurrent_misses():
    client, _ = _client()
    calls = []
    gate = threading.Event()

    def loader():
        calls.append(1)
        gate.wait(1)
        return {"loaded": True}

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(client.get_or_load("hot", loader)))
        for _ in range(16)
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 5  # every follower is waiting on the one flight
    while client.metrics.counts["coalesced"] < 15 and time.monotonic() < deadline:
        time.sleep(0.005)
    gate.set()
    for t in threads:
        t.join(5)
    assert len(calls) == 1
    assert results == [{"loaded": True}] * 16
    assert client.get("hot") == {"loaded": True}


def test_loader_errors_reach_every_waiter_and_nothing_is_cached():
    client, _ = _client()

    def loader():
        raise RuntimeError("db down")

    with pytest.raises(RuntimeError, match="db down"):
        client.get_or_load("k", loader)
    assert client.get("k") is None


def test_near_cache_serves_hot_keys_without_a_node_hop():
    client, nodes = _client(1, replicas=1, hot_threshold=3, near_ttl=5)
    client.set("hot", 42)
    for _ in range(10):
        assert client.get("hot") == 42
    nodes[0].down = True  # the near copy still answers
    assert client.get("hot") == 42
    assert client.metrics.counts["near_hits"] > 0


def test_a_write_through_this_client_invalidates_the_near_copy():
    client, _ = _client(1, replicas=1, hot_threshold=2, near_ttl=60)
    client.set("k", 1)
    for _ in range(5):
        client.get("k")
    client.set("k", 2)
    assert client.get("k") == 2


def test_adding_a_fifth_node_moves_about_a_fifth_of_the_keys():
    ring4 = HashRing([f"n{i}" for i in range(4)])
    ring5 = HashRing([f"n{i}" for i in range(5)])
    keys = [f"key-{i}" for i in range(20_000)]
    moved = sum(ring4.owner(k) != ring5.owner(k) for k in keys) / len(keys)
    assert abs(moved - 0.2) <= 0.2 * 0.2
    assert all(ring5.owner(k) == "n4" for k in keys if ring4.owner(k) != ring5.owner(k))


def test_join_and_leave_keep_every_key_readable():
    client, nodes = _client(4, replicas=1)
    for i in range(1000):
        client.set(f"k{i}", i)
    moved = client.add_node(InProcessNode("n4", 10_000))
    assert 100 < moved < 350
    assert all(client.get(f"k{i}") == i for i in range(1000))
    client.remove_node("n0")
    assert all(client.get(f"k{i}") == i for i in range(1000))
    assert sum(len(list(n.keys())) for n in client.nodes.values()) == 1000


def test_write_through_writes_the_store_before_the_cache():
    client, _ = _client()
    order = []
    client.write_through("k", 1, lambda k, v: order.append(("store", k, v)))
    assert order == [("store", "k", 1)] and client.get("k") == 1


def test_write_behind_retries_a_failing_store_and_flushes_on_close():
    stored = {}
    fail = {"left": 3}

    def writer(batch):
        if fail["left"] > 0:
            fail["left"] -= 1
            raise ConnectionError("store unavailable")
        stored.update(batch)

    queue = WriteBehind(writer, interval=0.01)
    client, _ = _client()
    for i in range(100):
        client.write_behind(f"k{i}", i, queue)
    client.write_behind("k0", "latest", queue)  # coalesced
    queue.close(timeout=5)
    assert len(stored) == 100 and stored["k0"] == "latest"
    assert queue.failures >= 1 and queue.pending == 0


def test_write_behind_close_raises_when_the_store_never_comes_back():
    def writer(batch):
        raise ConnectionError("gone")

    queue = WriteBehind(writer, interval=10)
    queue.enqueue("k", 1)
    with pytest.raises(WriteBehindError):
        queue.close(timeout=0.2)
    assert queue.pending == 1


def test_metrics_are_reported_to_the_lake_as_cache_events(emitter, settings):
    from warehouse.ingest import ingest_spool
    from warehouse.lake import Lake

    metrics = CacheMetrics(emitter, interval=3600, name="t")
    client = CacheClient([InProcessNode("n0", 10)], replicas=1, metrics=metrics)
    for i in range(30):
        client.set(f"k{i}", i)
    for i in range(30):
        client.get(f"k{i}")
    client.close()
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    df = Lake(settings.lake_dir).query(
        "SELECT attrs FROM events WHERE system = 'cache' AND type = 'stats'"
    )
    import json

    attrs = json.loads(df["attrs"][0])
    assert attrs["hits"] + attrs["misses"] == 30
    assert attrs["evictions_total"] == 20
