"""Pack files: chunks appended to one pack per writer, fsynced once and indexed in the
metadata database; torn tails, crashed writers, the old one-file-per-chunk layout,
compaction after garbage collection, and streaming uploads that chunk as bytes arrive."""

from __future__ import annotations

import hashlib
import os
import random

import pytest
from sqlalchemy import create_engine

from services.files import chunking
from services.files.blobs import LocalBlobStore
from services.files.chunkstore import ChunkStore
from services.files.packs import PackStore, scan

from .conftest import random_bytes


def h(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def packs(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'meta.db'}")
    yield PackStore(tmp_path / "blobs", engine)
    engine.dispose()


def test_one_pack_per_writer_and_every_blob_reads_back(packs):
    items = [(h(bytes([i]) * 100), bytes([i]) * (100 + i)) for i in range(50)]
    packs.put_many(items)
    assert len(list(packs.pack_dir.glob("*.pack"))) == 1
    for key, data in items:
        assert packs.get(key) == data
    assert sorted(packs.keys()) == sorted(k for k, _ in items)
    assert packs.present([items[0][0], h(b"absent")]) == {items[0][0]}


def test_a_torn_tail_hides_only_the_torn_record(packs):
    items = [(h(bytes([i])), os.urandom(1000)) for i in range(5)]
    packs.put_many(items)
    (pack,) = packs.pack_dir.glob("*.pack")
    assert [r.key for r in scan(pack)] == [k for k, _ in items]
    raw = pack.read_bytes()
    for cut in (len(raw) - 1, len(raw) - 500, len(raw) - 1000 - 20):
        pack.write_bytes(raw[:cut])
        assert [r.key for r in scan(pack)] == [k for k, _ in items[:-1]]
    damaged = bytearray(raw)
    damaged[-10] ^= 0xFF  # a flipped bit in the last payload fails its CRC
    pack.write_bytes(bytes(damaged))
    assert [r.key for r in scan(pack)] == [k for k, _ in items[:-1]]


def test_a_writer_that_dies_leaves_nothing_visible_and_is_swept(packs):
    w = packs.writer()
    w.add(h(b"a"), b"a" * 1000)
    w.add(h(b"b"), b"b" * 1000)
    # crash: the writer never commits; its half-written pack has a torn tail
    os.truncate(w.tmp, 1500)
    assert not packs.exists(h(b"a"))
    with pytest.raises(KeyError):
        packs.get(h(b"a"))
    assert packs.sweep(older_than_s=3600) == 0  # a live writer's pack is not touched
    assert packs.sweep(older_than_s=-1) == 1
    assert list(packs.pack_dir.iterdir()) == []


def test_old_one_file_per_chunk_stores_still_read_and_migrate(packs):
    old = LocalBlobStore(packs.root)
    old.put(h(b"old"), b"old bytes")
    packs = PackStore(packs.root, packs.engine)  # a store opened over the old layout
    assert packs.get(h(b"old")) == b"old bytes"
    assert packs.exists(h(b"old"))
    assert packs.migrate() == 1
    assert not old.exists(h(b"old"))
    assert packs.get(h(b"old")) == b"old bytes"


def test_compaction_reclaims_deleted_blobs_and_keeps_live_ones(packs):
    items = [(h(bytes([i])), os.urandom(4000)) for i in range(10)]
    packs.put_many(items)
    for key, _ in items[:7]:
        packs.delete(key)
    report = packs.compact(min_live=0.5)
    assert report["rewritten"] == 1 and report["removed"] == 1
    for key, data in items[7:]:
        assert packs.get(key) == data
    for key, _ in items[:7]:
        assert not packs.exists(key)
    (pack,) = packs.pack_dir.glob("*.pack")
    assert pack.stat().st_size < 4 * 4100
    for key, _ in items[7:]:
        packs.delete(key)
    assert packs.compact()["removed"] == 1
    assert list(packs.pack_dir.glob("*.pack")) == []


def test_stream_chunks_cuts_as_whole_file_chunking_does():
    data = random_bytes(3_000_000, seed=7)
    rng = random.Random(1)
    pieces, pos = [], 0
    while pos < len(data):
        n = rng.randint(1, 200_000)
        pieces.append(data[pos : pos + n])
        pos += n
    got = [
        (hh, len(d))
        for batch in chunking.stream_chunks(pieces, 4096, buffer_bytes=100_000)
        for hh, d in batch
    ]
    assert got == [(c.hash, c.size) for c in chunking.chunk_bytes(data, 4096)]
    assert list(chunking.stream_chunks([], 4096)) == []


def test_uploads_pack_chunks_dedup_and_fail_without_leaving_anything(files):
    data = random_bytes(300_000, seed=3)
    files.put_file("alice", "a.bin", data)
    files.put_file("bob", "b.bin", data)  # deduplicated: no second pack
    assert len(list(files.chunks.blobs.pack_dir.glob("*.pack"))) == 1
    assert b"".join(files.open_file("bob", "b.bin")[1]) == data

    def broken():
        yield random_bytes(200_000, seed=4)
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        files.put_stream("alice", "c.bin", broken())
    assert files.store.get("alice", "c.bin") is None
    assert len(list(files.chunks.blobs.pack_dir.iterdir())) == 1  # the aborted pack is gone
    chunks = ChunkStore(files.chunks.blobs, None)
    assert chunks.present([h(b"never")]) == set()


def test_garbage_collection_compacts_packs(files, clock):
    data = random_bytes(200_000, seed=5)
    files.put_file("alice", "a.bin", data)
    keep = random_bytes(50_000, seed=6)
    files.put_file("alice", "keep.bin", keep)
    files.delete("alice", "a.bin")
    files.purge_trash("alice")
    clock.t += 3600
    report = files.collect_garbage()
    assert report.deleted > 0 and report.packs["removed"] == 1
    assert b"".join(files.open_file("alice", "keep.bin")[1]) == keep
    assert len(list(files.chunks.blobs.pack_dir.glob("*.pack"))) == 1


def test_a_large_upload_is_sealed_beside_the_chunker_and_rolls_its_packs(files, clock, monkeypatch):
    from services.files import chunkstore, writes

    monkeypatch.setattr(writes, "UPLOAD_BATCH_BYTES", 64 * 1024)  # many batches in flight
    monkeypatch.setattr(chunkstore, "PACK_ROLL_BYTES", 300_000)
    data = random_bytes(2_000_000, seed=11)
    pieces = (data[i : i + 50_000] for i in range(0, len(data), 50_000))
    files.put_stream("alice", "big.bin", pieces, size=len(data))
    assert b"".join(files.open_file("alice", "big.bin")[1]) == data
    assert len(list(files.chunks.blobs.pack_dir.glob("*.pack"))) >= 6  # rolled, each indexed
    assert list(files.chunks.blobs.pack_dir.glob("*.tmp")) == []

    def broken():
        yield random_bytes(1_000_000, seed=12)
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        files.put_stream("alice", "gone.bin", broken())
    assert files.store.get("alice", "gone.bin") is None
    assert list(files.chunks.blobs.pack_dir.glob("*.tmp")) == []  # the open pack was dropped
    # Packs it committed before failing hold chunks nobody references: collected after grace.
    before = len(list(files.chunks.blobs.pack_dir.glob("*.pack")))
    clock.t += 3600
    report = files.collect_garbage()
    assert report.deleted > 0
    assert len(list(files.chunks.blobs.pack_dir.glob("*.pack"))) < before
    assert b"".join(files.open_file("alice", "big.bin")[1]) == data
