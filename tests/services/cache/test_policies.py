import pytest

from services.cache.policies import FIFOPolicy, LFUPolicy, LRUPolicy, make_policy
from services.cache.sketch import FrequencySketch
from services.cache.wtinylfu import WTinyLFUPolicy


def test_lru_evicts_the_least_recently_used_key():
    c = LRUPolicy(2)
    c.put("a", 1)
    c.put("b", 2)
    c.get("a")
    assert c.put("c", 3) == [("b", 2)]
    assert "a" in c and "c" in c


def test_lfu_evicts_the_least_frequently_used_key():
    c = LFUPolicy(2)
    c.put("a", 1)
    c.put("b", 2)
    for _ in range(3):
        c.get("b")
    c.get("a")
    assert c.put("c", 3) == [("a", 1)]
    assert c.pop("b") == 2 and len(c) == 1


def test_sketch_counts_and_ages_by_halving():
    s = FrequencySketch(64)
    for _ in range(9):
        s.increment("hot")
    assert s.frequency("hot") >= 9
    assert s.frequency("never") <= 1
    s.reset()
    assert 4 <= s.frequency("hot") <= 5


def test_wtinylfu_keeps_a_hot_set_through_a_scan_that_flushes_lru():
    hot = [f"h{i}" for i in range(50)]
    lru, tiny = LRUPolicy(100), WTinyLFUPolicy(100)
    for policy in (lru, tiny):
        for _ in range(20):
            for k in hot:
                policy.access(k)
        for i in range(1000):  # a one-off scan
            policy.access(f"scan{i}")
    assert sum(k in tiny for k in hot) >= 45
    assert sum(k in lru for k in hot) == 0


def test_wtinylfu_never_exceeds_capacity_and_reports_evictions():
    c = WTinyLFUPolicy(50)
    evicted = 0
    for i in range(2000):
        evicted += len(c.put(i % 300, i))
        assert len(c) <= 50
    assert evicted >= 250 and len(c) == 50


def test_hill_climber_grows_the_window_on_a_recency_biased_workload():
    c = WTinyLFUPolicy(100)
    start = c.max_window
    # Blocks of 20 keys, each block used three times in a row and never again: only a window
    # wider than 20 catches the reuse, frequency history is worthless.
    for block in range(1500):
        for _ in range(3):
            for j in range(20):
                c.access(block * 20 + j)
    assert c.max_window > max(start, 20)
    assert c.max_window + c.max_main == 100


def test_unknown_policy_is_rejected():
    with pytest.raises(ValueError, match="unknown eviction policy"):
        make_policy("mru", 10)


def _fifo_model(capacity, ops):
    """FIFO from its definition: a queue of keys in insertion order; reads never reorder."""
    queue, evicted = [], []
    for op, key in ops:
        if op == "put" and key not in queue:
            queue.append(key)
            if len(queue) > capacity:
                evicted.append(queue.pop(0))
    return queue, evicted


def test_fifo_evicts_in_insertion_order_however_often_a_key_is_hit():
    c = FIFOPolicy(3)
    for k in "abc":
        c.put(k, k.upper())
    for _ in range(10):  # "a" is the hottest key, and still the first to go
        assert c.get("a") == "A"
    c.put("b", "B2")  # an overwrite keeps b's place in the queue
    assert c.put("d", "D") == [("a", "A")]
    assert c.put("e", "E") == [("b", "B2")]
    assert list(c.keys()) == ["c", "d", "e"]


def test_fifo_matches_its_definition_on_random_hit_heavy_sequences():
    import random

    rng = random.Random(7)
    for _ in range(50):
        capacity = rng.randint(1, 6)
        ops = [(rng.choice(["get", "get", "put"]), rng.randrange(10)) for _ in range(200)]
        c = make_policy("fifo", capacity)
        evicted = []
        for op, key in ops:
            if op == "get":
                c.get(key)
            else:
                evicted += [k for k, _ in c.put(key, key)]
        queue, want = _fifo_model(capacity, ops)
        assert evicted == want and list(c.keys()) == queue


def test_fifo_node_evicts_the_oldest_write_despite_reads():
    from services.cache.nodes import InProcessNode

    node = InProcessNode("f", 2, "fifo")
    node.set("old", b"1")
    node.set("new", b"2")
    for _ in range(5):
        node.get("old")
    node.set("newest", b"3")
    assert node.get("old") is None and node.get("new") == b"2" and node.evictions == 1
