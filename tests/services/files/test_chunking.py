"""FastCDC chunking: boundaries follow content, so an edit disturbs only nearby chunks."""

from __future__ import annotations

import hashlib

import pytest

from services.files import chunking
from tests.services.files.conftest import random_bytes


def test_chunks_cover_the_data_in_order_with_their_sha256():
    data = random_bytes(300_000)
    chunks = chunking.chunk_bytes(data, avg=4096)
    assert chunks[0].offset == 0
    assert sum(c.size for c in chunks) == len(data)
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert a.offset + a.size == b.offset
    for c in chunks:
        assert c.hash == hashlib.sha256(data[c.offset : c.offset + c.size]).hexdigest()
        assert 1024 <= c.size <= 32768 or c is chunks[-1]


def test_pipelined_chunking_equals_single_thread():
    data = random_bytes(500_000, seed=3)
    assert chunking.chunk_pipelined(data, 2048) == chunking.chunk_bytes(data, 2048)


def test_an_insertion_changes_at_most_two_chunks():
    data = random_bytes(1_000_000, seed=5)
    edited = data[:500_000] + b"!" + data[500_000:]
    before = {c.hash for c in chunking.chunk_bytes(data, 4096)}
    after = chunking.chunk_bytes(edited, 4096)
    new = [c for c in after if c.hash not in before]
    assert 1 <= len(new) <= 2
    assert sum(c.size for c in new) <= 2 * 32768


def test_fixed_blocks_lose_everything_after_an_insertion():
    data = random_bytes(200_000, seed=6)
    before = {c.hash for c in chunking.fixed_chunks(data)}
    after = chunking.fixed_chunks(b"!" + data)
    assert sum(c.hash in before for c in after) == 0


def test_empty_data_has_no_chunks(tmp_path):
    assert chunking.chunk_bytes(b"") == []
    empty = tmp_path / "e"
    empty.write_bytes(b"")
    assert chunking.chunk_file(empty) == []


def test_chunk_file_matches_chunk_bytes(tmp_path):
    data = random_bytes(123_457, seed=7)
    f = tmp_path / "f"
    f.write_bytes(data)
    assert chunking.chunk_file(f, 1024) == chunking.chunk_bytes(data, 1024)


def test_average_size_out_of_range_is_refused():
    with pytest.raises(ValueError):
        chunking.chunk_bytes(b"x" * 10, avg=16)
