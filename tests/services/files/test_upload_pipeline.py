"""The upload pipeline: chunks hashed while the next buffer is chunked, full packs flushed on
a thread of their own while the next one fills, and a version committed only after every
pack it needs is durable."""

from __future__ import annotations

import hashlib
import threading

import pytest

from services.files import chunking, chunkstore, writes
from services.files.packs import PackWriter

from .conftest import random_bytes


def test_stream_chunks_batches_stay_valid_while_the_next_ones_are_chunked():
    data = random_bytes(1_500_000, seed=21)
    pieces = [data[i : i + 70_000] for i in range(0, len(data), 70_000)]
    held: list[list[tuple[str, memoryview]]] = []
    seen = []
    for batch in chunking.stream_chunks(pieces, 1024, buffer_bytes=64 * 1024, buffers=4):
        held.append(batch)
        # A caller may hold buffers - 2 batches while asking for more: their bytes are intact.
        for old in held[-2:]:
            assert all(hashlib.sha256(d).hexdigest() == hh for hh, d in old)
        seen += [(hh, len(d)) for hh, d in batch]
    assert len(held) > 10
    assert seen == [(c.hash, c.size) for c in chunking.chunk_bytes(data, 1024)]


def test_full_packs_are_flushed_on_another_thread_before_the_version_commits(files, monkeypatch):
    monkeypatch.setattr(writes, "UPLOAD_BATCH_BYTES", 64 * 1024)
    monkeypatch.setattr(chunkstore, "PACK_ROLL_BYTES", 200_000)
    flushed: list[str] = []
    real_commit = PackWriter.commit

    def commit(self):
        real_commit(self)
        flushed.append(threading.current_thread().name)

    monkeypatch.setattr(PackWriter, "commit", commit)
    real_store_commit = files.store.commit

    def store_commit(*args, **kwargs):
        # Every pack the version references is durable and indexed before it commits.
        assert len(flushed) == len(list(files.chunks.blobs.pack_dir.glob("*.pack")))
        assert list(files.chunks.blobs.pack_dir.glob("*.tmp")) == []
        return real_store_commit(*args, **kwargs)

    monkeypatch.setattr(files.store, "commit", store_commit)
    data = random_bytes(2_000_000, seed=22)
    pieces = (data[i : i + 50_000] for i in range(0, len(data), 50_000))
    files.put_stream("alice", "big.bin", pieces, size=len(data))
    assert b"".join(files.open_file("alice", "big.bin")[1]) == data
    assert sum(name.startswith("files-flush") for name in flushed) >= 5


def test_a_failed_pack_flush_fails_the_upload_and_nothing_is_visible(files, monkeypatch):
    monkeypatch.setattr(writes, "UPLOAD_BATCH_BYTES", 64 * 1024)
    monkeypatch.setattr(chunkstore, "PACK_ROLL_BYTES", 200_000)
    real_commit = PackWriter.commit
    calls = []

    def commit(self):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        real_commit(self)

    monkeypatch.setattr(PackWriter, "commit", commit)
    data = random_bytes(2_000_000, seed=23)
    pieces = (data[i : i + 50_000] for i in range(0, len(data), 50_000))
    with pytest.raises(OSError, match="disk full"):
        files.put_stream("alice", "big.bin", pieces, size=len(data))
    assert files.store.get("alice", "big.bin") is None
    assert not [t for t in threading.enumerate() if t.name.startswith("files-flush")]
    monkeypatch.setattr(PackWriter, "commit", real_commit)
    files.put_file("alice", "big.bin", data)  # the store is usable again
    assert b"".join(files.open_file("alice", "big.bin")[1]) == data
