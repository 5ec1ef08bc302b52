"""The reference sync client: two-way sync by chunk delta, renames without resending bytes,
deletes both ways, and conflict copies instead of lost edits."""

from __future__ import annotations

import pytest

from services.files.client import SyncClient
from tests.services.files.conftest import random_bytes, user_headers


@pytest.fixture
def http(api, admin_headers):
    api.headers.update(user_headers(api, admin_headers, "alice"))
    return api


@pytest.fixture
def local(tmp_path):
    path = tmp_path / "local"
    path.mkdir()
    return path


def client(http, path, device="laptop") -> SyncClient:
    return SyncClient(http, path, "sync", device=device, avg_chunk=1024)


def test_push_then_nothing_to_do(http, local):
    (local / "a").mkdir()
    (local / "a" / "one.bin").write_bytes(random_bytes(30_000, 1))
    (local / "two.txt").write_text("two", encoding="utf-8")
    first = client(http, local).sync()
    assert sorted(first.uploaded) == ["a/one.bin", "two.txt"]
    again = client(http, local).sync()
    assert again.public() | {"bytes_total": 0} == {
        "uploaded": 0,
        "downloaded": 0,
        "deleted_remote": 0,
        "deleted_local": 0,
        "conflicts": 0,
        "bytes_sent": 0,
        "chunks_sent": 0,
        "bytes_changed": 0,
        "bytes_total": 0,
    }
    assert http.get("/files/content/sync/a/one.bin").content == random_bytes(30_000, 1)


def test_an_insertion_sends_about_one_chunk(http, local):
    data = random_bytes(200_000, 2)
    (local / "big.bin").write_bytes(data)
    client(http, local).sync()
    (local / "big.bin").write_bytes(data[:100_000] + b"!" + data[100_000:])
    report = client(http, local).sync()
    assert report.uploaded == ["big.bin"]
    assert 0 < report.bytes_sent <= 2 * 8 * 1024
    assert http.get("/files/content/sync/big.bin").content[100_000:100_001] == b"!"


def test_rename_sends_no_content_bytes(http, local):
    (local / "old.bin").write_bytes(random_bytes(40_000, 3))
    client(http, local).sync()
    (local / "old.bin").rename(local / "new.bin")
    report = client(http, local).sync()
    assert report.bytes_sent == 0
    assert report.uploaded == ["new.bin"] and report.deleted_remote == ["old.bin"]
    assert http.get("/files/content/sync/old.bin").status_code == 404


def test_remote_changes_and_deletes_come_down(http, local):
    (local / "keep.txt").write_text("v1", encoding="utf-8")
    (local / "gone.txt").write_text("bye", encoding="utf-8")
    client(http, local).sync()
    http.put("/files/content/sync/keep.txt", content=b"v2 from the web")
    http.put("/files/content/sync/sub/new.txt", content=b"new")
    http.delete("/files/content/sync/gone.txt")
    report = client(http, local).sync()
    assert sorted(report.downloaded) == ["keep.txt", "sub/new.txt"]
    assert report.deleted_local == ["gone.txt"]
    assert (local / "keep.txt").read_bytes() == b"v2 from the web"
    assert not (local / "gone.txt").exists()


def test_two_devices_editing_one_file_keep_both_edits(http, local):
    laptop, phone = local / "laptop", local / "phone"
    laptop.mkdir()
    phone.mkdir()
    (laptop / "notes.txt").write_text("base", encoding="utf-8")
    client(http, laptop).sync()
    client(http, phone, "phone").sync()
    (phone / "notes.txt").write_text("phone edit", encoding="utf-8")
    client(http, phone, "phone").sync()
    (laptop / "notes.txt").write_text("laptop edit", encoding="utf-8")
    report = client(http, laptop).sync()
    assert len(report.conflicts) == 1 and "(conflict laptop " in report.conflicts[0]
    assert (laptop / "notes.txt").read_text(encoding="utf-8") == "phone edit"
    copies = [p for p in laptop.iterdir() if "conflict" in p.name]
    assert [p.read_text(encoding="utf-8") for p in copies] == ["laptop edit"]
    client(http, phone, "phone").sync()
    assert sorted(p.name for p in phone.iterdir() if not p.name.startswith(".")) == sorted(
        p.name for p in laptop.iterdir() if not p.name.startswith(".")
    )


def test_both_devices_creating_the_same_name_keep_both(http, local):
    a, b = local / "a", local / "b"
    a.mkdir()
    b.mkdir()
    (a / "same.txt").write_text("from a", encoding="utf-8")
    (b / "same.txt").write_text("from b", encoding="utf-8")
    client(http, a, "a").sync()
    report = client(http, b, "b").sync()
    assert len(report.conflicts) == 1
    assert http.get("/files/content/sync/same.txt").content == b"from a"


def test_a_file_already_there_with_the_same_content_is_adopted_not_copied(http, local):
    (local / "same.bin").write_bytes(random_bytes(20_000, 9))
    http.put("/files/content/sync/same.bin", content=random_bytes(20_000, 9))
    report = client(http, local).sync()
    assert report.conflicts == [] and report.uploaded == ["same.bin"]
    assert report.bytes_sent == 0
    assert [e["name"] for e in http.get("/files/list", params={"path": "sync"}).json()] == [
        "same.bin"
    ]
