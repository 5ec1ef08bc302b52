"""Chunking in a child process: the same chunks and hashes as in process, a child that dies
fails the upload instead of corrupting it, and large uploads use it."""

from __future__ import annotations

import hashlib
import random

import pytest

from services.files import cdc_process, chunking, writes

from .conftest import random_bytes


def _pieces(data: bytes, seed: int) -> list[bytes]:
    rng, out, i = random.Random(seed), [], 0
    while i < len(data):
        n = rng.randint(1, 90_000)
        out.append(data[i : i + n])
        i += n
    return out


@pytest.mark.parametrize("avg", [1024, 8192])
def test_the_child_finds_the_same_chunks_and_hashes_as_in_process(avg):
    data = random_bytes(2_000_000, seed=avg)
    want = [(c.hash, c.size) for c in chunking.chunk_bytes(data, avg)]
    held: list[list[tuple[str, memoryview]]] = []
    got = []
    for batch in chunking.stream_chunks(
        _pieces(data, 1), avg, buffer_bytes=200_000, buffers=4, in_child=True
    ):
        held.append(batch)
        for old in held[-2:]:  # batches a caller still holds keep their bytes
            assert all(hashlib.sha256(d).hexdigest() == h for h, d in old)
        got += [(h, len(d)) for h, d in batch]
    assert len(held) > 5
    assert got == want


def test_a_stream_that_ends_on_a_buffer_boundary_or_is_tiny_chunks_the_same():
    size = 16 * 1024
    for data in (random_bytes(3 * size, seed=2), b"x", random_bytes(5000, seed=3)):
        got = [
            (h, bytes(d))
            for batch in chunking.stream_chunks(
                [data], 1024, buffer_bytes=size, buffers=2, in_child=True
            )
            for h, d in batch
        ]
        assert [(h, len(d)) for h, d in got] == [
            (c.hash, c.size) for c in chunking.chunk_bytes(data, 1024)
        ]
        assert b"".join(d for _, d in got) == data


def test_a_child_is_reused_by_the_next_upload_and_dropped_after_a_failed_one(monkeypatch):
    got: list[cdc_process.ChunkerProcess] = []
    real = cdc_process.acquire

    def acquire(buffers, size):
        got.append(real(buffers, size))
        return got[-1]

    monkeypatch.setattr(cdc_process, "acquire", acquire)
    data = random_bytes(300_000, seed=4)
    list(chunking.stream_chunks([data], 1024, buffer_bytes=64_000, buffers=3, in_child=True))
    assert got[0] in cdc_process._idle and got[0].alive()
    list(chunking.stream_chunks([data], 1024, buffer_bytes=64_000, buffers=3, in_child=True))
    assert got[1] is got[0]  # the idle child served the next stream

    def broken():
        yield data
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        list(chunking.stream_chunks(broken(), 1024, buffer_bytes=64_000, buffers=3, in_child=True))
    assert got[2] not in cdc_process._idle  # it may owe answers: closed, not kept
    assert got[2].proc.poll() is not None


def test_a_child_that_dies_fails_the_stream_instead_of_returning_wrong_chunks(monkeypatch):
    started: list[cdc_process.ChunkerProcess] = []
    real = cdc_process.acquire

    def acquire(buffers, size):
        child = real(buffers, size)
        started.append(child)
        return child

    monkeypatch.setattr(cdc_process, "acquire", acquire)
    data = random_bytes(600_000, seed=5)
    stream = chunking.stream_chunks(
        _pieces(data, 6), 1024, buffer_bytes=64_000, buffers=3, in_child=True
    )
    next(stream)
    started[0].proc.kill()
    started[0].proc.wait()
    with pytest.raises(OSError, match="chunking process ended"):
        list(stream)
    assert started[0] not in cdc_process._idle


def test_large_uploads_are_chunked_in_a_child_and_read_back_intact(files, monkeypatch):
    used: list[int] = []
    real = cdc_process.acquire

    def acquire(buffers, size):
        used.append(size)
        return real(buffers, size)

    monkeypatch.setattr(cdc_process, "acquire", acquire)
    monkeypatch.setattr(writes, "UPLOAD_BATCH_BYTES", 64 * 1024)
    monkeypatch.setattr(writes, "CHILD_MIN_BYTES", 1_000_000)
    big = random_bytes(1_500_000, seed=7)
    files.put_stream("alice", "big.bin", _pieces(big, 8), size=len(big))
    assert used  # past the threshold: in a child
    files.put_stream("alice", "small.bin", [big[:10_000]], size=10_000)
    assert len(used) == 1  # below it: in process
    assert b"".join(files.open_file("alice", "big.bin")[1]) == big
    assert b"".join(files.open_file("alice", "small.bin")[1]) == big[:10_000]
