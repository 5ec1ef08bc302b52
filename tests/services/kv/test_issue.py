"""A run of SETs issues, stores and logs its versions in one step per key and one call per run,
and a read shows a version held encoded without decoding it: the results must be exactly
those of ``new_version``, ``encode``, ``visible``, ``put_own`` and ``put``."""

from __future__ import annotations

import random

from services.kv.replica import Replica
from services.kv.ring import Ring
from services.kv.versions import (
    OwnChain,
    Version,
    blob_value,
    chain_head,
    chain_step,
    decode,
    encode,
    issue_blob,
    new_version,
    seen_by_write_over,
    seen_by_write_over_blob,
    visible,
)
from services.kv.wal import DurableStore
from tests.services.kv.helpers import RecordingLog

NAMES = ["a", "b", "c", "a-node-with-a-longer-name"]


def _random_version(rng: random.Random) -> Version:
    ctx = {n: rng.randrange(1, 50) for n in rng.sample(NAMES, rng.randrange(0, 4))}
    value = rng.randbytes(rng.randrange(0, 20)) if rng.random() < 0.8 else None
    expire = None if rng.random() < 0.7 else rng.randrange(1 << 40)
    stamp = (rng.randrange(1 << 40), rng.randrange(5))
    return Version(rng.choice(NAMES), rng.randrange(1, 60), ctx, stamp, value, expire)


def test_a_write_issued_over_held_versions_is_new_versions_encoding() -> None:
    rng = random.Random(12)
    for _ in range(3000):
        local = [_random_version(rng) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
        node = rng.choice(NAMES)
        if local and rng.random() < 0.4:  # an overwrite of this node's own version
            own = local[0]
            seen = rng.choice([{}, {node: own.counter - 1}, {node: own.counter + 1}, own.context])
            local = [Version(node, own.counter, seen, own.hlc, own.value, own.expire)]
        stamp = (rng.randrange(1 << 40), rng.randrange(9))
        value = rng.randbytes(rng.randrange(0, 30))
        ctx = seen_by_write_over(local)
        assert all(v.context is not ctx for v in local)  # contexts are not shared
        blob = issue_blob(ctx, node, stamp, value)
        assert blob == encode([new_version(local, {}, node, stamp, value, None)])


def test_a_write_over_a_blob_is_issued_as_over_its_decoded_version() -> None:
    """``seen_by_write_over_blob`` and ``issue_blob`` (the run's path for a version held
    encoded), and ``OwnChain`` over this node's own chain, give the
    bytes of ``new_version`` over the decoded version, and its HLC."""
    rng = random.Random(5)
    for _ in range(3000):
        held = _random_version(rng)
        node = rng.choice(NAMES)
        stamp = (rng.randrange(1 << 40), rng.randrange(9))
        value = rng.randbytes(rng.randrange(0, 30))
        if rng.random() < 0.5:  # this node's chain: a context naming only itself
            seen = {node: held.counter - 1} if rng.random() < 0.8 else {}
            held = Version(node, held.counter, seen, held.hlc, held.value, held.expire)
        expected = encode([new_version([held], {}, node, stamp, value, None)])
        ctx, seen_stamp = seen_by_write_over_blob(encode([held]))
        assert seen_stamp == held.hlc
        assert issue_blob(ctx, node, stamp, value) == expected
        writer = OwnChain(node)
        chain = writer.seen(encode([held]))  # at fixed offsets, where it can be
        own = held.node == node and set(held.context) <= {node}
        assert (chain is not None) == own
        if own:
            assert chain == (max(held.counter, held.context.get(node, 0)), held.hlc)
            assert writer.issue(chain[0], stamp, value) == expected
    two = [_random_version(rng), _random_version(rng)]
    assert seen_by_write_over_blob(encode(two)) is None  # siblings: decoded, not read off


def test_a_chains_head_is_read_as_decoding_shows_it() -> None:
    """``chain_head`` reads a one-version blob whose context names only its own node (or
    nothing) as ``decode`` does, and refuses every other blob, whatever the names' lengths."""
    rng = random.Random(21)
    names = [*NAMES, "n", "n1", "node-" + "x" * 40, "\u00e9t\u00e9"]
    for _ in range(4000):
        node = rng.choice(names)
        others = rng.sample(names, rng.randrange(0, 3))
        shape = rng.choice(["empty", "self", "others", "self+others"])
        ctx = {} if shape == "empty" else {n: rng.randrange(1, 1 << 40) for n in others}
        if "self" in shape:
            ctx[node] = rng.randrange(0, 1 << 40)
        value = rng.randbytes(rng.randrange(0, 6)) if rng.random() < 0.8 else None
        v = Version(node, rng.randrange(1, 1 << 40), ctx, (rng.randrange(1 << 40), 3), value)
        got = chain_head(encode([v]))
        if set(ctx) - {node}:
            assert got is None
            continue
        assert got is not None
        name, counter, seen, hlc, deleted = got
        assert name == bytes([len(node.encode())]) + node.encode()
        assert (counter, seen, hlc, deleted) == (v.counter, ctx.get(node, 0), v.hlc, value is None)
    assert chain_head(encode([_random_version(rng), _random_version(rng)])) is None


def test_a_chain_step_is_what_the_two_chain_heads_say() -> None:
    """``chain_step`` (a replica's fast path) answers for two one-version blobs exactly as
    their ``chain_head`` readings do: the version held, its successor, or None (merged on
    the general path) for other nodes, deletes on either side, stale or concurrent writes,
    and any blob that is not a chain's head."""
    rng = random.Random(23)
    names = ["a", "b", "node-" + "x" * 30]

    def blob() -> bytes:
        node = rng.choice(names)
        shape = rng.choice(["empty", "self", "self", "self", "other"])
        ctx = {} if shape == "empty" else {node: rng.randrange(0, 6)}
        if shape == "other":
            ctx[rng.choice(names)] = rng.randrange(1, 6)
        value = b"v" if rng.random() < 0.8 else None
        stamp = (rng.randrange(1 << 40), rng.randrange(3))
        return encode([Version(node, rng.randrange(1, 7), ctx, stamp, value)])

    outcomes = set()
    for _ in range(20000):
        new, old = blob(), blob()
        mine, theirs = chain_head(new), chain_head(old)
        expected = None
        if mine is not None and theirs is not None and mine[0] == theirs[0]:
            _, counter, seen, hlc, deleted = mine
            _, o_counter, o_seen, _, o_deleted = theirs
            one_entry = new[10 + new[1]] == 1
            if one_entry and not (deleted or o_deleted):
                if counter == o_counter:
                    expected = (True, hlc)
                elif seen >= o_counter and o_seen < counter:
                    expected = (False, hlc)
        assert chain_step(new, old) == expected
        outcomes.add(None if expected is None else expected[0])
    assert outcomes == {None, True, False}


def test_the_value_read_off_a_blob_is_what_visible_shows() -> None:
    rng = random.Random(9)
    for _ in range(3000):
        v = _random_version(rng)
        now = rng.choice([0, v.expire or 0, (v.expire or 0) + 1, 1 << 41])
        shown = visible([v], now)
        assert blob_value(encode([v]), now) == (None if shown is None else shown[0])


def test_put_own_many_stores_indexes_and_logs_as_put_own_does() -> None:
    rng = random.Random(7)
    ring = Ring(["a", "b", "c"])
    log_one, log_many = RecordingLog(), RecordingLog()
    one, many = Replica(ring, log_one), Replica(ring, log_many)
    for replica in (one, many):  # some keys held already, some of them deleted
        for k in range(0, 40, 3):
            tomb = Version("b", 1, {}, (1, 0), None if k % 2 else b"x")
            replica.put_own(b"k%d" % k, tomb, encode([tomb]))
    log_one.records.clear()
    log_many.records.clear()
    assert one.tombstones
    keys = [b"k%d" % k for k in rng.sample(range(60), 30)]
    blobs = []
    for key in keys:
        ctx = seen_by_write_over(one.get(key))
        blobs.append(issue_blob(ctx, "a", (rng.randrange(1 << 40), 0), key * 2))
    for key, blob in zip(keys, blobs, strict=True):
        one.put_own(key, decode(blob)[0], blob)
    many.put_own_many(keys, blobs)
    assert dict(one.data.items()) == dict(many.data.items())
    assert one.blobs == many.blobs
    assert one.tombstones == many.tombstones
    assert one.by_range == many.by_range
    assert log_one.records == log_many.records


def test_put_many_logs_as_put_does(tmp_path) -> None:
    keys = [b"d%d" % k for k in range(50)]
    values = [b"v%d" % k * (k % 7) for k in range(50)]
    images = []
    for name, many in (("one", False), ("many", True)):
        store = DurableStore(tmp_path / name)
        store.load()
        store.put(b"d3", b"old")
        if many:
            store.put_many(keys, values)
        else:
            for key, value in zip(keys, values, strict=True):
                store.put(key, value)
        assert store.durable_all([b"d0"]) is False  # logged, not yet on disk
        store.close()
        images.append((tmp_path / name / "wal.log").read_bytes())
        again = DurableStore(tmp_path / name)
        assert again.load() == dict(zip(keys, values, strict=True))
        again.close()
    assert images[0] == images[1]


def test_placements_of_a_run_are_each_keys_placement() -> None:
    ring = Ring(["a", "b", "c", "d"])
    keys = [b"k%d" % k for k in range(300)]
    for down in (set(), {"b"}, {"a", "c"}):
        fresh = Ring(["a", "b", "c", "d"])  # nothing cached: every key placed the long way
        got = ring.placements(keys[::2] + keys, 3, down)  # half of them cached by then
        assert got == [fresh.placement(key, 3, down) for key in keys[::2] + keys]
