"""A node killed with ``kill -9`` loses no write it acknowledged; recovery cuts a torn tail."""

from __future__ import annotations

import asyncio
import os
import random
import struct
import subprocess
import threading
import time
import zlib

import redis

from services.kv import wal
from services.kv.launch import LocalCluster
from services.kv.versions import Version, covered, merge
from services.kv.wal import DurableStore
from services.kv.wal_frames import encode_batch, encode_record, read_records, replay_log


def test_acknowledged_writes_survive_kill_9(tmp_path):
    cluster = LocalCluster.create(tmp_path, 1)
    cluster.start()
    try:
        port = cluster.nodes[0].port
        acked: dict[str, int] = {}
        stop = threading.Event()

        def writer(prefix: str) -> None:
            client = redis.Redis(port=port, socket_timeout=5)
            i = 0
            try:
                while not stop.is_set() and i < 5000:
                    client.set(f"{prefix}:{i}", i)
                    acked[f"{prefix}:{i}"] = i
                    i += 1
            except redis.ConnectionError:
                pass

        threads = [threading.Thread(target=writer, args=(f"w{t}",)) for t in range(4)]
        for t in threads:
            t.start()
        while len(acked) < 1500:
            threading.Event().wait(0.01)
        cluster.nodes[0].kill()
        stop.set()
        for t in threads:
            t.join(10)
        cluster.restart(cluster.nodes[0])
        client = redis.Redis(port=port, socket_timeout=5)
        keys = list(acked)
        values = client.mget(keys)
        lost = [k for k, v in zip(keys, values, strict=True) if v is None or int(v) != acked[k]]
        assert lost == []
    finally:
        cluster.stop()


def test_recovery_cuts_a_torn_tail_and_keeps_the_valid_prefix(tmp_path):
    store = DurableStore(tmp_path)
    store.load()
    store.put(b"a", b"1")
    store.put(b"b", b"2")
    store.put(b"a", None)
    store.close()
    log = tmp_path / "wal.log"
    whole = log.read_bytes()
    log.write_bytes(whole + encode_record(b"c", b"3")[:-2])  # a record cut mid-write
    again = DurableStore(tmp_path)
    assert again.load() == {b"b": b"2"}
    assert again.torn_bytes_cut > 0
    again.close()
    assert log.read_bytes() == whole


def test_a_corrupt_record_ends_the_log(tmp_path):
    good = encode_record(b"k", b"v")
    bad = bytearray(encode_record(b"x", b"y"))
    bad[-1] ^= 0xFF
    records, valid = read_records(good + bytes(bad) + encode_record(b"z", b"w"))
    assert records == [(b"k", b"v")]
    assert valid == len(good)


def test_a_log_replayed_in_stretches_reads_as_the_whole_of_it_does(tmp_path):
    """Recovery and the checkpoint read the log a stretch at a time (memory bounded by the
    stretch): frames cut by a stretch's end, a torn tail and a corrupt frame give the records
    and the valid length of reading the whole log at once, whatever the stretch."""
    frames = [
        encode_batch([(b"k%d" % i, b"v" * (i % 7)) for i in range(j, j + j % 5 + 1)])
        for j in range(40)
    ]
    bad = bytearray(encode_record(b"x", b"y"))
    bad[-1] ^= 0xFF
    logs = {
        "clean": b"".join(frames),
        "torn": b"".join(frames) + frames[3][:-4],
        "corrupt": b"".join(frames[:20]) + bytes(bad) + b"".join(frames[20:]),
        "empty": b"",
    }
    for name, raw in logs.items():
        path = tmp_path / name
        path.write_bytes(raw)
        whole, valid = read_records(raw)
        for chunk in (1, 7, 64, 1000, 1 << 20):
            got: list = []
            assert replay_log(path, got.extend, chunk=chunk) == (valid, len(raw)), name
            assert got == whole, (name, chunk)
    assert replay_log(tmp_path / "absent", list) == (0, 0)


def test_a_torn_batch_frame_is_dropped_whole_and_older_single_record_frames_still_replay():
    """Logs written before batch frames hold a frame per record: they replay as before. A
    batch frame cut short (never acknowledged) is dropped with all its records."""

    def single(key: bytes, value: bytes | None) -> bytes:  # the frame of one record
        body = (b"\x00" if value is None else b"\x01") + struct.pack("<I", len(key)) + key
        body += value or b""
        return struct.pack("<II", len(body), zlib.crc32(body)) + body

    old = single(b"a", b"1") + single(b"b", b"2") + single(b"a", None)
    whole = encode_batch([(b"c", b"3"), (b"d", None), (b"e", b"")])
    torn = encode_batch([(b"f", b"6"), (b"g", b"7")])[:-3]
    records, valid = read_records(old + whole + torn)
    assert records == [(b"a", b"1"), (b"b", b"2"), (b"a", None)] + [
        (b"c", b"3"),
        (b"d", None),
        (b"e", b""),
    ]
    assert valid == len(old + whole)


def test_a_checkpoint_moves_the_log_into_lmdb(tmp_path):
    store = DurableStore(tmp_path, checkpoint_bytes=1)
    store.load()
    long_key = b"k" * 5000
    store.put(long_key, b"big key")
    store.put(b"short", b"v")
    store.checkpoint()
    assert (tmp_path / "wal.log").stat().st_size == 0
    stats = dict(store.sync_stats())  # checkpoints run on the event loop: their cost is shown
    assert stats["wal_checkpoints"] == 1
    assert stats["wal_checkpoint_ms_max"] >= 0
    store.put(b"short", None)
    store.flush_now()
    store.close()
    again = DurableStore(tmp_path)
    assert again.load() == {long_key: b"big key"}
    again.close()


def test_a_checkpoint_keeps_each_keys_newest_write_across_batches(tmp_path):
    """Writes since the last checkpoint are folded batch by batch, oldest first: the newest
    write of a key wins, a delete included, whatever batch it was logged in."""

    async def main() -> None:
        store = DurableStore(tmp_path, checkpoint_bytes=1)
        store.load()
        for value in (b"1", b"2", None, b"4"):
            store.put(b"rewritten", value)
            store.put_many([b"gone", b"kept"], [b"x" + (value or b"-"), b"k"])
            await store.wait_durable()
        store.put(b"gone", None)
        await store.wait_durable()
        assert store.maybe_checkpoint()
        while store._folding:
            await asyncio.sleep(0.01)
        store.close()

    asyncio.run(main())
    assert (tmp_path / "wal.log").stat().st_size == 0  # all of it is in LMDB now
    again = DurableStore(tmp_path)
    assert again.load() == {b"rewritten": b"4", b"kept": b"k"}
    again.close()


def test_sigterm_drains_and_exits_cleanly_keeping_every_write(tmp_path):
    cluster = LocalCluster.create(tmp_path, 1)
    cluster.start()
    try:
        node = cluster.nodes[0]
        client = redis.Redis(port=node.port, socket_timeout=5)
        client.mset({f"t:{i}": i for i in range(500)})
        node.proc.terminate()
        assert node.proc.wait(timeout=15) == 0
        cluster.restart(node)
        client = redis.Redis(port=node.port, socket_timeout=5)
        assert client.mget([f"t:{i}" for i in range(500)]) == [b"%d" % i for i in range(500)]
    finally:
        cluster.stop()


def test_callers_are_answered_only_after_their_write_with_syncs_in_flight(tmp_path):
    """Several group commits overlap: each caller still hears back only once its own record
    (and every one before it) is in the log, and every caller hears back."""
    answered: list[tuple[int, int]] = []
    log = tmp_path / "wal.log"

    def logged() -> int:
        """How many of the writes, in order, the log holds."""
        return len(read_records(log.read_bytes())[0])

    async def run() -> None:
        store = DurableStore(tmp_path)
        store.load()
        for i in range(200):
            store.put(b"k%d" % i, b"v" * (i % 7))
            store.on_durable(lambda i=i: answered.append((i, logged())))
            if i % 3 == 0:
                await asyncio.sleep(0)
        await store.wait_durable()
        store.close()

    asyncio.run(run())
    assert sorted(i for i, _ in answered) == list(range(200))
    assert all(held > i for i, held in answered)
    records, _ = read_records(log.read_bytes())
    assert [k for k, _ in records] == [b"k%d" % i for i in range(200)]


def test_a_batch_asked_for_at_once_is_in_the_log_before_the_call_returns(tmp_path):
    """A caller that is itself a turn's batch of writes (a replica's batch of puts, a
    coordinator's end of turn) has them written now, not at the end of the turn; a plain
    ``on_durable`` leaves them for the turn's group commit."""
    log = tmp_path / "wal.log"

    async def run() -> tuple[int, int, int, list[str]]:
        store = DurableStore(tmp_path)
        store.load()
        answered: list[str] = []
        store.put(b"a", b"1")
        store.on_durable(lambda: answered.append("a"))
        deferred = len(read_records(log.read_bytes())[0])
        store.put(b"b", b"2")
        store.on_durable(lambda: answered.append("b"), at_once=True)
        at_once = len(read_records(log.read_bytes())[0])
        await store.wait_durable()
        after = len(read_records(log.read_bytes())[0])
        store.close()
        return deferred, at_once, after, answered

    deferred, at_once, after, answered = asyncio.run(run())
    assert deferred == 0
    assert at_once == 2  # the earlier caller's write goes with it, in order
    assert after == 2
    assert sorted(answered) == ["a", "b"]


def test_batches_written_during_a_sync_share_the_next_one(tmp_path, monkeypatch):
    """Group commit: batches logged while a slow fdatasync runs wait for the next sync (never
    a sync of their own beside it), which makes all of them durable at once, and none is
    answered before a sync that began after its record was written."""
    began: list[int] = []  # the log's size as each sync began
    done: list[int] = []  # ... and those that have returned
    overlapping: list[int] = []  # syncs already running as each began
    running = [0]
    lock = threading.Lock()
    real = wal.os.fdatasync

    def slow_sync(fd: int) -> None:
        with lock:
            overlapping.append(running[0])
            running[0] += 1
        size = os.fstat(fd).st_size
        began.append(size)
        time.sleep(0.2)
        real(fd)
        done.append(size)
        with lock:
            running[0] -= 1

    monkeypatch.setattr(wal.os, "fdatasync", slow_sync)
    answered: list[bool] = []

    async def run() -> None:
        store = DurableStore(tmp_path)
        store.load()
        end = 0
        for i in range(12):
            store.put(b"k%d" % i, b"v")
            end += len(encode_record(b"k%d" % i, b"v"))
            store.on_durable(lambda end=end: answered.append(max(done, default=0) >= end))
            await asyncio.sleep(0.005)  # a batch of its own, handed over while a sync runs
        await store.wait_durable()
        store.close()

    asyncio.run(run())
    assert answered == [True] * 12
    assert set(overlapping) == {0}  # one sync at a time: the next one waits and takes all
    assert 2 <= len(began) < 12


def test_a_key_counts_as_durable_once_the_sync_holding_its_newest_record_returned(tmp_path):
    """Replica reads wait only for their own keys: a key is durable once the sync that covers
    its newest record has returned, whatever else is still being logged."""
    seen: list[tuple[bool, bool]] = []

    async def run() -> None:
        store = DurableStore(tmp_path)
        store.load()
        store.put(b"a", b"1")
        assert not store.durable_all([b"a"]) and store.durable_all([b"b"])
        await store.wait_durable()
        assert store.durable_all([b"a"])
        store.put(b"b", b"2")  # a later write of another key
        seen.append((store.durable_all([b"a"]), store.durable_all([b"a", b"b"])))
        store.put(b"a", b"3")  # a newer record of ``a``: not durable until its own sync
        assert not store.durable_all([b"a"])
        done = asyncio.get_running_loop().create_future()
        store.on_durable(lambda: done.set_result(store.durable_all([b"a", b"b"])))
        assert await done
        store.close()

    asyncio.run(run())
    assert seen == [(True, False)]


def _merge_by_definition(*sets):
    by_dot = {}
    for versions in sets:
        for v in versions:
            by_dot.setdefault(v.dot, v)
    alive = [
        v
        for v in by_dot.values()
        if not any(o is not v and covered(o.context, v.dot) for o in by_dot.values())
    ]
    alive.sort(key=lambda v: v.stamp, reverse=True)
    return sorted(alive[:8], key=lambda v: v.dot)


def test_merge_shortcuts_agree_with_the_definition():
    rng = random.Random(7)
    nodes = ["a", "b", "c"]
    for _ in range(3000):
        pool = []
        for _ in range(rng.randint(1, 6)):
            node = rng.choice(nodes)
            ctx = {m: rng.randint(0, 3) for m in nodes if rng.random() < 0.6}
            pool.append(Version(node, ctx.get(node, 0) + 1, ctx, (rng.randint(0, 5), 0), b"x"))
        a = _merge_by_definition(rng.sample(pool, rng.randint(0, len(pool))))
        b = _merge_by_definition(rng.sample(pool, rng.randint(0, min(2, len(pool)))))
        for x, y in ((a, b), (a, a), (b, a)):
            assert [v.dot for v in merge(x, y)] == [v.dot for v in _merge_by_definition(x, y)]


def test_a_checkpoint_does_not_stall_the_event_loop_and_loses_nothing(tmp_path):
    """A slow checkpoint must not hold the loop (every node reaches the checkpoint size at
    once in a write burst: peers time out, the failure detector suspects); writes made
    meanwhile go to the fresh log and are recovered with the checkpointed ones."""

    async def main() -> float:
        store = DurableStore(tmp_path, checkpoint_bytes=1)
        store.load()
        for i in range(2000):
            store.put(b"k%d" % i, b"v%d" % i)
        await store.wait_durable()
        slow = ["sh", "-c", 'sleep 1 && exec "$@"', "sh"]  # a loaded disk: it takes a second
        store.fold_command = slow + store.fold_command
        started = time.perf_counter()
        assert store.maybe_checkpoint()
        held = time.perf_counter() - started
        for i in range(2000, 2100):  # served while the checkpoint runs
            store.put(b"k%d" % i, b"v%d" % i)
            await store.wait_durable()
        store.put(b"k0", None)
        await store.wait_durable()
        while store._folding:
            await asyncio.sleep(0.01)
        assert not store.old_path.exists()
        store.close()
        return held

    held = asyncio.run(main())
    assert held < 0.5
    again = DurableStore(tmp_path)
    loaded = again.load()
    again.close()
    assert loaded == {b"k%d" % i: b"v%d" % i for i in range(1, 2100)}


def test_a_node_checkpoints_at_the_log_size_it_is_given(tmp_path):
    cluster = LocalCluster.create(tmp_path, 2, n=2, r=1, w=1, extra=["--checkpoint-mb", "1"])
    cluster.start()
    try:
        client = redis.Redis(port=cluster.nodes[0].port, socket_timeout=10)
        for i in range(12):  # 12 x 100 values of 1 KB: past 1 MB of log
            client.mset({f"k{i}:{j}": b"v" * 1000 for j in range(100)})

        def checkpoints() -> int:
            flat = client.execute_command("KV.STATS")
            return int(dict(zip(flat[::2], flat[1::2], strict=True))[b"wal_checkpoints"])

        deadline = time.monotonic() + 20
        while checkpoints() == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert checkpoints() >= 1
        assert client.get("k0:0") == b"v" * 1000
    finally:
        cluster.stop()


def test_the_checkpoint_child_folds_at_a_lower_cpu_priority(tmp_path):
    """Every replica of the keys reaches the checkpoint size at about the same time: at the
    nodes' own priority the folds would take the cores serving the writes."""

    async def log_some() -> None:
        store = DurableStore(tmp_path)
        store.load()
        store.put(b"a", b"1")
        await store.wait_durable()
        store.close()

    asyncio.run(log_some())
    (tmp_path / "wal.log").rename(tmp_path / "wal.old.log")
    child = DurableStore(tmp_path).fold_command
    child[2] += "; import os; print(os.nice(0))"  # the same child, reporting its priority
    done = subprocess.run(child, capture_output=True, text=True, check=True)
    assert int(done.stdout) == min(19, os.nice(0) + wal.FOLD_NICENESS)  # 19: the lowest


def test_a_failed_checkpoint_keeps_the_old_log_and_starts_no_other(tmp_path):
    async def main() -> None:
        store = DurableStore(tmp_path, checkpoint_bytes=1)
        store.load()
        store.fold_command = ["sh", "-c", "exit 3"]
        store.put(b"a", b"1")
        await store.wait_durable()
        assert store.maybe_checkpoint()
        for _ in range(200):
            await asyncio.sleep(0.01)
        assert store.old_path.exists() and store._folding
        store.put(b"b", b"2")
        await store.wait_durable()
        assert not store.maybe_checkpoint()  # it would overwrite the old log
        store.close()

    asyncio.run(main())
    again = DurableStore(tmp_path)
    assert again.load() == {b"a": b"1", b"b": b"2"}
    assert not again.old_path.exists()  # that checkpoint was finished at start
    again.close()


def test_recovery_replays_the_log_of_an_unfinished_checkpoint_first(tmp_path):
    (tmp_path / "wal.old.log").write_bytes(
        encode_record(b"a", b"old") + encode_record(b"b", b"old") + encode_record(b"c", b"x")
    )
    (tmp_path / "wal.log").write_bytes(encode_record(b"a", b"new") + encode_record(b"c", None))
    store = DurableStore(tmp_path)
    assert store.load() == {b"a": b"new", b"b": b"old"}
    assert not (tmp_path / "wal.old.log").exists()  # that checkpoint was finished at start
    store.close()
    again = DurableStore(tmp_path)
    assert again.load() == {b"a": b"new", b"b": b"old"}
    again.close()
