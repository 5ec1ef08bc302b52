"""Files, folders and versions per user: history, restore, trash, If-Match, conflict copies,
deduplication and owner isolation."""

from __future__ import annotations

import pytest

from services.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.files.errors import BadName, InsufficientStorage, RangeNotSatisfiable
from tests.services.files.conftest import random_bytes


def read(files, owner, path, **kw) -> bytes:
    return b"".join(files.open_file(owner, path, **kw)[1])


def test_write_read_and_every_write_is_a_version(files, clock):
    a = random_bytes(20_000, 1)
    b = a[:10_000] + b"edit" + a[10_000:]
    e1 = files.put_file("alice", "docs/a.bin", a)
    clock.t += 1
    e2 = files.put_file("alice", "docs/a.bin", b)
    assert e1.etag != e2.etag
    assert read(files, "alice", "docs/a.bin") == b
    assert read(files, "alice", "docs/a.bin", version=1) == a
    assert [v.number for v in files.versions("alice", "docs/a.bin")] == [2, 1]
    assert files.stat("alice", "docs").kind == "dir"  # parents are created


def test_restore_version_makes_a_new_version_with_old_content(files):
    files.put_file("alice", "f", b"one")
    files.put_file("alice", "f", b"two")
    files.restore_version("alice", "f", 1)
    assert read(files, "alice", "f") == b"one"
    assert [v.number for v in files.versions("alice", "f")] == [3, 2, 1]


def test_if_match_with_a_stale_etag_is_412_and_changes_nothing(files):
    e1 = files.put_file("alice", "f", b"one")
    files.put_file("alice", "f", b"two", if_match=e1.etag)
    with pytest.raises(PreconditionFailed):
        files.put_file("alice", "f", b"three", if_match=e1.etag)
    assert read(files, "alice", "f") == b"two"
    with pytest.raises(PreconditionFailed):
        files.put_file("alice", "f", b"x", if_none_match=True)
    with pytest.raises(PreconditionFailed):
        files.put_file("alice", "new", b"x", if_match="*")


def test_losing_sync_client_gets_a_conflict_copy_not_an_overwrite(files):
    base = files.put_file("alice", "notes/todo.txt", b"base")
    files.put_file("alice", "notes/todo.txt", b"from phone", if_match=base.etag, device="phone")
    copy = files.put_file(
        "alice",
        "notes/todo.txt",
        b"from laptop",
        if_match=base.etag,
        device="laptop",
        on_conflict="copy",
    )
    assert copy.path.startswith("notes/todo (conflict laptop ")
    assert copy.path.endswith(").txt")
    assert read(files, "alice", "notes/todo.txt") == b"from phone"
    assert read(files, "alice", copy.path) == b"from laptop"


def test_users_cannot_see_each_others_files(files):
    files.put_file("alice", "secret.txt", b"alice only")
    with pytest.raises(NotFound):
        files.stat("bob", "secret.txt")
    with pytest.raises(NotFound):
        files.open_file("bob", "secret.txt")
    assert files.listdir("bob") == []
    assert files.search("bob", "secret") == []


def test_trash_and_restore_a_folder(files):
    files.put_file("alice", "d/x", b"x")
    files.put_file("alice", "d/sub/y", b"y")
    tid = files.delete("alice", "d")
    with pytest.raises(NotFound):
        files.stat("alice", "d/sub/y")
    assert [t["path"] for t in files.trash("alice")] == ["d"]
    files.put_file("alice", "d", b"a file took the name")
    with pytest.raises(Conflict):
        files.restore_trash("alice", tid)
    files.delete("alice", "d")
    assert files.restore_trash("alice", tid) == "d"
    assert read(files, "alice", "d/sub/y") == b"y"


def test_move_and_copy_a_folder(files):
    files.put_file("alice", "a/one", b"1")
    files.put_file("alice", "a/b/two", b"2")
    files.copy("alice", "a", "c")
    files.move("alice", "a", "z")
    assert read(files, "alice", "z/b/two") == b"2"
    assert read(files, "alice", "c/b/two") == b"2"
    with pytest.raises(NotFound):
        files.stat("alice", "a/one")
    with pytest.raises(Conflict):
        files.move("alice", "z", "z/inside")
    with pytest.raises(PreconditionFailed):
        files.move("alice", "c", "z")
    files.move("alice", "c", "z", overwrite=True)
    assert [e.name for e in files.listdir("alice")] == ["z"]


def test_bad_names_get_400_with_the_rule(files):
    for bad, rule in [
        ("../x", "'.' and '..'"),
        ("/abs", "leading '/'"),
        ("a\x00b", "control"),
        ("a\x07b", "control"),
        ("x" * 256, "255 bytes"),
        ("CON", "reserved"),
        ("lpt1.txt", "reserved"),
        ("a//b", "empty"),
        ("dot.", "dot or a space"),
    ]:
        with pytest.raises(BadName, match=rule):
            files.put_file("alice", bad, b"x")


def test_range_reads_and_416(files):
    data = random_bytes(10_000, 2)
    files.put_file("alice", "r", data)
    assert read(files, "alice", "r") == data
    for start, end in [(0, 1), (1023, 4097), (9_999, 10_000), (5000, None)]:
        got = b"".join(files.open_file("alice", "r", start, end)[1])
        assert got == data[start:end]
    with pytest.raises(RangeNotSatisfiable):
        files.open_file("alice", "r", 10_000, None)


def test_dedup_across_users_and_versions_stores_each_chunk_once(files):
    data = random_bytes(50_000, 9)
    files.put_file("alice", "big", data)
    files.put_file("bob", "copy-of-big", data)
    files.put_file("alice", "big", data + b"tail")
    rows = files.store.chunk_rows()
    stored = list(files.chunks.blobs.keys())
    assert len(stored) == len(rows)
    refs = sorted(r for r, _ in rows.values())
    assert refs[-1] == 3  # a chunk shared by three versions is stored once


def test_quota_is_507_before_any_chunk_is_stored(files):
    files.store.set_quota("carol", 1000)
    files.put_file("carol", "small", b"x" * 600)
    with pytest.raises(InsufficientStorage, match="600 bytes used"):
        files.put_file("carol", "big", random_bytes(5000))
    assert len(files.store.chunk_rows()) == 1


def test_versions_beyond_the_limit_release_their_chunks(files, conf):
    for i in range(conf.max_versions + 3):
        files.put_file("alice", "v", random_bytes(3000, 100 + i))
    assert len(files.versions("alice", "v")) == conf.max_versions
    live = [h for h, (refs, _) in files.store.chunk_rows().items() if refs > 0]
    assert len(live) < len(files.store.chunk_rows())


def test_folder_listing_search_and_errors(files):
    files.mkdir("alice", "photos")
    files.put_file("alice", "photos/Beach.JPG", b"jpg")
    assert [e.name for e in files.listdir("alice", "photos")] == ["Beach.JPG"]
    assert [e.path for e in files.search("alice", "beach")] == ["photos/Beach.JPG"]
    with pytest.raises(Conflict):
        files.mkdir("alice", "photos")
    with pytest.raises(Conflict):
        files.mkdir("alice", "no/parent")
    with pytest.raises(Invalid):
        files.listdir("alice", "photos/Beach.JPG")
    with pytest.raises(Conflict):
        files.put_file("alice", "photos/Beach.JPG/inner", b"x")
