"""Chunking in a child process: the same chunks and hashes as in process, buffers not reused
while a caller still reads them, a child that dies fails the upload instead of corrupting
it, and large uploads use it."""

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


def _in_child(pieces, avg=1024, **shape):
    """Every batch of ``pieces`` chunked in a child, copied out while the child is held."""
    with chunking.child_chunker(avg, **shape) as child:
        assert child is not None
        stream = chunking.stream_chunks(pieces, avg, **shape, child=child)
        return [[(h, bytes(d)) for h, d in batch] for batch in stream], child


@pytest.mark.parametrize("avg", [1024, 8192])
def test_the_child_finds_the_same_chunks_and_hashes_as_in_process(avg):
    data = random_bytes(2_000_000, seed=avg)
    want = [(c.hash, c.size) for c in chunking.chunk_bytes(data, avg)]
    shape = {"buffer_bytes": 200_000, "buffers": 4}
    held: list[list[tuple[str, memoryview]]] = []
    got = []
    with chunking.child_chunker(avg, **shape) as child:
        for batch in chunking.stream_chunks(_pieces(data, 1), avg, **shape, child=child):
            held.append(batch)
            for old in held[-2:]:  # batches a caller still holds keep their bytes
                assert all(hashlib.sha256(d).hexdigest() == h for h, d in old)
            got += [(h, len(d)) for h, d in batch]
    assert len(held) > 5
    assert got == want


def test_a_stream_that_ends_on_a_buffer_boundary_or_is_tiny_chunks_the_same():
    size = 16 * 1024
    for data in (random_bytes(3 * size, seed=2), b"x", random_bytes(5000, seed=3)):
        batches, _ = _in_child([data], buffer_bytes=size, buffers=2)
        got = [c for batch in batches for c in batch]
        want = [(c.hash, c.size) for c in chunking.chunk_bytes(data, 1024)]
        assert [(h, len(d)) for h, d in got] == want
        assert b"".join(d for _, d in got) == data


def test_a_child_is_reused_once_let_go_and_dropped_after_a_failed_stream():
    data = random_bytes(300_000, seed=4)
    shape = {"buffer_bytes": 64_000, "buffers": 3}
    _, first = _in_child([data], **shape)
    assert first in cdc_process._idle and first.alive()
    with chunking.child_chunker(1024, **shape) as second:
        assert second is first  # the idle child serves the next stream
        with chunking.child_chunker(1024, **shape) as third:
            assert third is not first  # never two streams on one child's buffers

    def broken():
        yield data
        raise ConnectionError("client went away")

    with chunking.child_chunker(1024, **shape) as child:
        with pytest.raises(ConnectionError):
            list(chunking.stream_chunks(broken(), 1024, **shape, child=child))
        assert child.owed  # answers it was asked for and nobody read
    assert child not in cdc_process._idle  # closed rather than kept
    assert child.proc.poll() is not None


def test_a_child_that_dies_fails_the_stream_instead_of_returning_wrong_chunks():
    data = random_bytes(600_000, seed=5)
    shape = {"buffer_bytes": 64_000, "buffers": 3}
    with chunking.child_chunker(1024, **shape) as child:
        assert child is not None
        stream = chunking.stream_chunks(_pieces(data, 6), 1024, **shape, child=child)
        next(stream)
        child.proc.kill()
        child.proc.wait()
        with pytest.raises(OSError, match="chunking process ended"):
            list(stream)
    assert child not in cdc_process._idle


def test_a_child_of_another_shape_is_refused():
    shape = {"buffer_bytes": 64_000, "buffers": 3}
    with chunking.child_chunker(1024, **shape) as child, pytest.raises(ValueError, match="shape"):
        list(chunking.stream_chunks([b"x"], 1024, buffer_bytes=64_000, buffers=4, child=child))


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
    other = random_bytes(1_200_000, seed=9)
    files.put_stream("alice", "big.bin", _pieces(big, 8), size=len(big))
    # The next upload reuses the child: the first one's last batches were sealed before the
    # child's buffers were given back (and emptied), so nothing it stored reads as zeros.
    files.put_stream("alice", "other.bin", _pieces(other, 10), size=len(other))
    assert len(used) == 2  # past the threshold: in a child
    files.put_stream("alice", "small.bin", [big[:10_000]], size=10_000)
    assert len(used) == 2  # below it: in process
    assert b"".join(files.open_file("alice", "big.bin")[1]) == big
    assert b"".join(files.open_file("alice", "other.bin")[1]) == other
    assert b"".join(files.open_file("alice", "small.bin")[1]) == big[:10_000]
