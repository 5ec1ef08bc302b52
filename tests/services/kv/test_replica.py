"""A replica holds replicated writes encoded until read: it must answer, log and compare
exactly as if it had decoded and merged each one."""

from __future__ import annotations

from services.kv.replica import Replica
from services.kv.ring import Ring
from services.kv.versions import Version, decode, dots, encode
from tests.services.kv.helpers import RecordingLog


def _pair() -> tuple[Replica, RecordingLog, Replica, RecordingLog]:
    ring = Ring(["a", "b", "c"])
    log_encoded, log_decoded = RecordingLog(), RecordingLog()
    return Replica(ring, log_encoded), log_encoded, Replica(ring, log_decoded), log_decoded


def _v(node: str, counter: int, ctx: dict[str, int], ms: int, value: bytes | None) -> Version:
    return Version(node, counter, ctx, (ms, 0), value)


def test_a_replicated_write_held_encoded_reads_back_as_the_versions_it_carries() -> None:
    encoded, _, _, _ = _pair()
    blob = encode([_v("a", 1, {}, 10, b"x")])
    assert encoded.put_encoded(b"k", blob) == (10, 0)
    assert dict.get(encoded.data, b"k") == blob  # held as it arrived
    assert encoded.get_blob(b"k") == blob
    assert encoded.get(b"k") == decode(blob)
    assert encoded.get(b"k") is encoded.data.get(b"k")  # decoded once, then kept


def test_writes_held_encoded_merge_log_and_index_exactly_as_decoded_puts() -> None:
    encoded, log_encoded, decoded, log_decoded = _pair()
    writes = [
        (b"k1", [_v("a", 1, {}, 10, b"one")]),
        (b"k1", [_v("a", 2, {"a": 1}, 11, b"two")]),  # successor
        (b"k1", [_v("a", 2, {"a": 1}, 11, b"two")]),  # the same write again
        (b"k1", [_v("b", 1, {"a": 1}, 12, b"sib")]),  # concurrent with a:2: siblings
        (b"k1", [_v("a", 3, {"a": 2, "b": 1}, 13, b"won")]),  # supersedes both
        (b"k1", [_v("a", 1, {}, 10, b"one")]),  # stale: already seen
        (b"k2", [_v("c", 1, {}, 20, None)]),  # a delete
        (b"k2", [_v("c", 2, {"c": 1}, 21, b"back")]),  # overwrites the tombstone
        (b"k3", [_v("a", 1, {}, 30, b"x"), _v("b", 1, {}, 31, b"y")]),  # two versions
        (b"k4", [_v("b", 1, {}, 40, b"z")]),
    ]
    for i, (key, versions) in enumerate(writes):
        blob = encode(versions)
        stamp = encoded.put_encoded(key, blob)
        assert stamp == max(v.hlc for v in versions)
        decoded.put(key, decode(blob), blob)
        if i == 6:
            assert encoded.tombstones == decoded.tombstones == {b"k2"}
    for key in (b"k1", b"k2", b"k3", b"k4"):
        assert encoded.get_blob(key) == decoded.get_blob(key)
    ranges = set(encoded.by_range) | set(decoded.by_range)
    for r in ranges:
        assert encoded.merkle_leaves(r) == decoded.merkle_leaves(r)
    for key in (b"k1", b"k2", b"k3", b"k4"):
        assert encoded.get(key) == decoded.get(key)
    assert encoded.tombstones == decoded.tombstones == set()
    assert [k for k, _ in log_encoded.records] == [k for k, _ in log_decoded.records]
    assert [decode(v) for _, v in log_encoded.records if v] == [
        decode(v) for _, v in log_decoded.records if v
    ]


def test_anti_entropy_reads_a_key_held_encoded_without_decoding_it_for_good() -> None:
    encoded, _, _, _ = _pair()
    blob = encode([_v("a", 1, {}, 10, b"x")])
    encoded.put_encoded(b"k", blob)
    encoded.merkle_leaves(encoded.ring.range_of(b"k"))
    assert dict.get(encoded.data, b"k") == blob


def test_a_digest_read_of_a_key_held_encoded_sees_its_dots_without_decoding_it() -> None:
    encoded, _, decoded, _ = _pair()
    writes = [
        (b"k", [_v("a", 1, {}, 10, b"one")]),
        (b"k", [_v("a", 2, {"a": 1}, 11, b"two")]),  # successor: held encoded
        (b"k", [_v("b", 1, {"a": 1}, 12, b"sib")]),  # concurrent: siblings
        (b"j", [_v("c", 1, {}, 20, b"j")]),
    ]
    for key, versions in writes:
        blob = encode(versions)
        encoded.put_encoded(key, blob)
        decoded.put(key, decode(blob), blob)
        assert encoded.dots_of(key) == dots(decoded.get(key))
    assert type(dict.get(encoded.data, b"j")) is bytes  # still held encoded
    r = encoded.ring.range_of(b"j")
    assert encoded.merkle_leaves(r) == decoded.merkle_leaves(r)
    assert encoded.dots_of(b"missing") == dots([]) == b""
    encoded.add_hint("c", b"j", [_v("c", 2, {"c": 1}, 21, b"hinted")])
    assert encoded.dots_of(b"j") == dots(encoded.get(b"j")) == b"c:2"


def test_the_digests_of_several_leaves_are_those_of_each_leaf_together() -> None:
    replica, _, _, _ = _pair()
    for i in range(400):
        replica.put(b"k%d" % i, [_v("a", i + 1, {}, 10, b"x")])
    ranges = {replica.ring.range_of(b"k%d" % i) for i in range(400)}
    for r in ranges:
        each = [replica.leaf_digests(r, [leaf]) for leaf in range(16)]
        assert sum(map(len, each)) == len(replica.by_range[r])
        assert replica.leaf_digests(r, [1, 5, 9]) == {**each[1], **each[5], **each[9]}
        assert replica.leaf_digests(r, range(16)) == {
            k: d for leaf in each for k, d in leaf.items()
        }


def test_random_chains_of_one_nodes_writes_are_held_exactly_as_decoded_puts() -> None:
    """Writes whose contexts name only their own node (one coordinator's chain, compared at
    fixed offsets) mixed with others, replayed in random order with repeats and deletes."""
    import random

    rng = random.Random(3)
    for _ in range(200):
        encoded, log_encoded, decoded, log_decoded = _pair()
        writes = []
        for counter in range(1, 8):
            node = rng.choice("aab")
            if rng.random() < 0.7:
                ctx = {node: counter - 1} if counter > 1 else {}
            else:
                ctx = {n: rng.randrange(0, 8) for n in rng.sample("abc", rng.randrange(0, 3))}
            value = None if rng.random() < 0.2 else b"v%d" % counter
            writes.append(_v(node, counter, ctx, 100 + counter, value))
        order = [rng.choice(writes) for _ in range(12)]
        for v in order:
            blob = encode([v])
            assert encoded.put_encoded(b"k", blob) == v.hlc
            decoded.put(b"k", decode(blob), blob)
            assert encoded.get_blob(b"k") == decoded.get_blob(b"k")
            assert encoded.tombstones == decoded.tombstones
        assert [decode(v) for _, v in log_encoded.records if v] == [
            decode(v) for _, v in log_decoded.records if v
        ]


def test_a_batch_of_replicated_writes_is_held_and_logged_as_put_one_by_one() -> None:
    """``put_encoded_many`` (a replica's batch of puts, chains compared inline) leaves the
    same versions, tombstones and log, in the same order per key, as ``put_encoded`` of
    each write in turn, with keys repeated within a batch."""
    import random

    rng = random.Random(8)
    for _ in range(150):
        batched, log_batched, single, log_single = _pair()
        counters = {}
        for _ in range(4):
            batch = []
            for _ in range(rng.randrange(1, 12)):
                key = rng.choice([b"k1", b"k2", b"k3"])
                node = rng.choice("aab")
                counter = counters[key, node] = counters.get((key, node), 0) + rng.choice([1, 1, 2])
                if rng.random() < 0.75:
                    ctx = {node: max(0, counter - rng.choice([1, 1, 2, 3]))}
                else:
                    ctx = {n: rng.randrange(0, 6) for n in rng.sample("abc", rng.randrange(3))}
                value = None if rng.random() < 0.15 else b"v%d" % counter
                v = _v(node, counter, ctx, 100 + counter, value)
                batch.append((key, encode([v])))
            if rng.random() < 0.3:
                batch.append(batch[0])  # a write repeated within its batch
            newest = batched.put_encoded_many(batch)
            assert newest == max(single.put_encoded(key, blob) for key, blob in batch)
        for key in (b"k1", b"k2", b"k3"):
            assert batched.get_blob(key) == single.get_blob(key)
        assert batched.tombstones == single.tombstones
        assert log_batched.records == log_single.records
