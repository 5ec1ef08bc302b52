"""The garbage collector never deletes a chunk a commit can still reference, and a crash
between any two of its steps loses nothing and leaves nothing stuck."""

from __future__ import annotations

import pytest

from services.files.store import MissingChunks
from tests.services.files.conftest import random_bytes


class Crash(Exception):
    pass


def readable(files, owner, path) -> bytes:
    return b"".join(files.open_file(owner, path)[1])


def test_referenced_chunks_survive_and_unreferenced_go_after_grace(files, clock, conf):
    keep = random_bytes(8000, 1)
    files.put_file("alice", "keep", keep)
    files.put_file("alice", "drop", random_bytes(8000, 2))
    files.delete("alice", "drop")
    files.purge_trash("alice")
    assert files.collect_garbage().deleted == 0  # within the grace period
    clock.t += conf.gc_grace_s + 1
    report = files.collect_garbage()
    assert report.deleted > 0
    assert readable(files, "alice", "keep") == keep
    rows = files.store.chunk_rows()
    assert all(refs > 0 for refs, _ in rows.values())
    assert len(list(files.chunks.blobs.keys())) == len(rows)


@pytest.mark.parametrize("step", ["claimed", "unlinked-one", "unlinked"])
def test_crash_between_gc_steps_is_finished_by_the_next_run(files, clock, conf, step):
    files.put_file("alice", "keep", random_bytes(6000, 3))
    files.put_file("alice", "drop", random_bytes(6000, 4))
    files.delete("alice", "drop")
    files.purge_trash("alice")
    clock.t += conf.gc_grace_s + 1

    def crash(at: str) -> None:
        if at == step:
            raise Crash(at)

    with pytest.raises(Crash):
        files.collect_garbage(fault=crash)
    # The half-collected chunks can no longer be committed against, nor be lost to one.
    deleting = [h for h, (_, state) in files.store.chunk_rows().items() if state == "deleting"]
    assert deleting
    with pytest.raises(MissingChunks):
        files.store.commit("alice", "late", [(deleting[0], 1)], clock())
    files.collect_garbage()
    rows = files.store.chunk_rows()
    assert all(state == "live" and refs > 0 for refs, state in rows.values())
    assert len(list(files.chunks.blobs.keys())) == len(rows)
    assert len(readable(files, "alice", "keep")) == 6000


def test_delta_plan_leases_chunks_so_a_later_commit_lands(files, clock, conf):
    data = random_bytes(9000, 5)
    files.put_file("alice", "a", data)
    files.delete("alice", "a")
    files.purge_trash("alice")  # chunks now unreferenced
    clock.t += conf.gc_grace_s - 5
    from services.files.chunking import chunk_bytes

    pairs = [(c.hash, c.size) for c in chunk_bytes(data, conf.avg_chunk_bytes)]
    assert files.plan("bob", "b", pairs)[0] == []  # the server still has them, and leases them
    clock.t += 10  # past the original grace, within the lease
    files.collect_garbage()
    files.commit_chunks("bob", "b", pairs)
    assert readable(files, "bob", "b") == data


def test_commit_after_the_collector_won_asks_for_the_chunks_again(files, clock, conf):
    data = random_bytes(9000, 6)
    files.put_file("alice", "a", data)
    files.delete("alice", "a")
    files.purge_trash("alice")
    from services.files.chunking import chunk_bytes

    chunks = chunk_bytes(data, conf.avg_chunk_bytes)
    pairs = [(c.hash, c.size) for c in chunks]
    clock.t += conf.gc_grace_s + 1
    files.collect_garbage()
    with pytest.raises(MissingChunks) as err:
        files.commit_chunks("bob", "b", pairs)
    assert sorted(err.value.missing) == sorted({h for h, _ in pairs})
    for c in chunks:
        files.put_chunk("bob", c.hash, data[c.offset : c.offset + c.size])
    files.commit_chunks("bob", "b", pairs)
    assert readable(files, "bob", "b") == data
