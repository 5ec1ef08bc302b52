"""Chunk keys wrapped per user: dedup intact, a user's wrapped key opens only for that user,
stores written before wrapping still read, and collected chunks leave no key rows."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from services.files.errors import ChunkCorrupt
from services.files.tables import chunk_keys
from tests.services.files.conftest import random_bytes


def _rows(files, owner: str | None = None) -> dict[tuple[str, str], bytes]:
    q = select(chunk_keys)
    if owner is not None:
        q = q.where(chunk_keys.c.owner == owner)
    with files.store.engine.connect() as conn:
        return {(r.owner, r.hash): bytes(r.wrapped) for r in conn.execute(q)}


def _blobs(files) -> int:
    return len(list(files.chunks.blobs.keys()))


def test_each_user_holds_their_own_wrapped_keys_and_dedup_is_intact(files):
    data = random_bytes(20_000, seed=1)
    files.put_file("alice", "a.bin", data)
    hashes = {h for h, _ in files.version_of(files.stat("alice", "a.bin")).chunks}
    stored = _blobs(files)
    alice = _rows(files, "alice")
    assert {h for _, h in alice} == hashes
    files.put_file("bob", "copy.bin", data)
    assert _blobs(files) == stored  # the same ciphertext blobs serve both users
    bob = _rows(files, "bob")
    assert {h for _, h in bob} == hashes
    for h in hashes:
        assert alice[("alice", h)] != bob[("bob", h)]
        assert files.chunks.get(h, owner="bob", wrapped=bob[("bob", h)])
        with pytest.raises(ChunkCorrupt, match="not 'bob'"):
            files.chunks.get(h, owner="bob", wrapped=alice[("alice", h)])
    assert b"".join(files.open_file("bob", "copy.bin")[1]) == data


def test_reads_use_the_owners_row(files):
    data = random_bytes(5_000, seed=2)
    files.put_file("alice", "a.bin", data)
    (h,) = [h for h, _ in files.version_of(files.stat("alice", "a.bin")).chunks][:1]
    with files.store.engine.begin() as conn:  # another user's row put in alice's place
        wrapped_for_mallory = files.chunks.wrap_keys("mallory", [h])[h]
        conn.execute(
            chunk_keys.update()
            .where(chunk_keys.c.owner == "alice", chunk_keys.c.hash == h)
            .values(wrapped=wrapped_for_mallory)
        )
    with pytest.raises(ChunkCorrupt):
        b"".join(files.open_file("alice", "a.bin")[1])


def test_a_store_written_before_wrapping_still_reads_and_gains_rows(files):
    data = random_bytes(8_000, seed=3)
    files.put_file("alice", "old.bin", data)
    with files.store.engine.begin() as conn:
        conn.execute(delete(chunk_keys))  # as a store from before wrapping
    assert b"".join(files.open_file("alice", "old.bin")[1]) == data
    files.put_file("alice", "old.bin", data + b"!")
    assert _rows(files, "alice")
    assert b"".join(files.open_file("alice", "old.bin", version=1)[1]) == data


def test_collected_chunks_leave_no_key_rows(files, clock, conf):
    files.put_file("alice", "gone.bin", random_bytes(6_000, seed=4))
    assert _rows(files)
    files.delete("alice", "gone.bin")
    files.purge_trash("alice")
    clock.t += conf.gc_grace_s + 1
    files.collect_garbage()
    with files.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(chunk_keys)).scalar_one() == 0
