"""The /files API: owner checks on every route, If-Match/412, ranges, delta sync, tus,
long-poll changes, bad input as 4xx."""

from __future__ import annotations

import hashlib
import threading
import time

from services.files.chunking import chunk_bytes
from services.tus.protocol import encode_metadata
from tests.services.files.conftest import random_bytes, user_headers

TUS = {"Tus-Resumable": "1.0.0"}


def test_put_get_with_etag_if_match_and_range(api, admin_headers):
    alice = user_headers(api, admin_headers, "alice")
    data = random_bytes(10_000)
    r = api.put("/files/content/docs/a.bin", content=data, headers=alice)
    assert r.status_code == 201, r.text
    etag = r.headers["ETag"]
    g = api.get("/files/content/docs/a.bin", headers=alice)
    assert g.content == data and g.headers["ETag"] == etag
    part = api.get("/files/content/docs/a.bin", headers={**alice, "Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["Content-Range"] == "bytes 100-199/10000"
    tail = api.get("/files/content/docs/a.bin", headers={**alice, "Range": "bytes=-10"})
    assert tail.content == data[-10:]
    bad = api.get("/files/content/docs/a.bin", headers={**alice, "Range": "bytes=10000-"})
    assert bad.status_code == 416 and bad.headers["Content-Range"] == "bytes */10000"
    assert (
        api.get("/files/content/docs/a.bin", headers={**alice, "If-None-Match": etag}).status_code
        == 304
    )
    ok = api.put("/files/content/docs/a.bin", content=b"v2", headers={**alice, "If-Match": etag})
    assert ok.status_code == 201
    stale = api.put("/files/content/docs/a.bin", content=b"v3", headers={**alice, "If-Match": etag})
    assert stale.status_code == 412
    copy = api.put(
        "/files/content/docs/a.bin?on_conflict=copy",
        content=b"v3",
        headers={**alice, "If-Match": etag, "X-Device": "laptop"},
    )
    assert copy.status_code == 201 and copy.json()["conflict_copy"] is True
    assert "(conflict laptop " in copy.json()["path"]
    assert api.get("/files/content/docs/a.bin", headers=alice).content == b"v2"
    vers = api.get("/files/versions", params={"path": "docs/a.bin"}, headers=alice).json()
    assert [v["version"] for v in vers] == [2, 1]


def test_every_route_is_the_callers_own_tree(api, admin_headers):
    alice = user_headers(api, admin_headers, "alice")
    bob = user_headers(api, admin_headers, "bob")
    api.put("/files/content/private.txt", content=b"alice's", headers=alice)
    assert api.get("/files/content/private.txt", headers=bob).status_code == 404
    assert api.get("/files/meta/private.txt", headers=bob).status_code == 404
    assert api.delete("/files/content/private.txt", headers=bob).status_code == 404
    assert api.get("/files/list", headers=bob).json() == []
    assert api.get("/files/search", params={"q": "private"}, headers=bob).json() == []
    assert (
        api.get("/files/versions", params={"path": "private.txt"}, headers=bob).status_code == 404
    )
    assert api.get("/files/content/private.txt").status_code == 401
    assert api.post("/files/gc", headers=alice).status_code == 403
    assert api.get("/files/content/private.txt", headers=alice).content == b"alice's"


def test_bad_paths_are_400_with_the_rule(api, admin_headers):
    alice = user_headers(api, admin_headers, "alice")
    for path, rule in [
        ("a/%2E%2E/b", "'..'"),
        ("CON", "reserved"),
        ("x%07y", "control"),
        ("a" * 256, "255 bytes"),
    ]:
        r = api.put(f"/files/content/{path}", content=b"x", headers=alice)
        assert r.status_code == 400, (path, r.text)
        assert rule in r.json()["detail"]
    r = api.post("/files/folders", json={"path": "/abs"}, headers=alice)
    assert r.status_code == 400 and "leading '/'" in r.json()["detail"]


def test_delta_sync_sends_only_missing_chunks_and_commits_atomically(api, admin_headers):
    alice = user_headers(api, admin_headers, "alice")
    old = random_bytes(200_000, 4)
    api.put("/files/content/big.bin", content=old, headers=alice)
    etag = api.get("/files/meta/big.bin", headers=alice).json()["etag"]
    new = old[:100_000] + b"X" + old[100_000:]
    chunks = chunk_bytes(new, 1024)
    pairs = [[c.hash, c.size] for c in chunks]
    plan = api.post(
        "/files/sync/plan",
        json={"path": "big.bin", "chunks": pairs, "if_match": etag},
        headers=alice,
    ).json()
    assert 1 <= len(plan["missing"]) <= 2
    assert plan["missing_bytes"] <= 2 * 8 * 1024
    early = api.post(
        "/files/sync/commit",
        json={"path": "big.bin", "chunks": pairs, "if_match": etag},
        headers=alice,
    )
    assert early.status_code == 409
    by_hash = {c.hash: new[c.offset : c.offset + c.size] for c in chunks}
    wrong = api.put(f"/files/chunks/{plan['missing'][0]}", content=b"not it", headers=alice)
    assert wrong.status_code == 422
    for h in plan["missing"]:
        r = api.put(f"/files/chunks/{h}", content=by_hash[h], headers=alice)
        assert r.status_code == 200 and r.json()["stored"] is True
    other = user_headers(api, admin_headers, "mallory")
    stolen = {"path": "big.bin", "plan_id": plan["plan_id"]}
    assert api.post("/files/sync/commit", json=stolen, headers=other).status_code == 404
    elsewhere = {"path": "other.bin", "plan_id": plan["plan_id"]}
    assert api.post("/files/sync/commit", json=elsewhere, headers=alice).status_code == 422
    done = api.post(
        "/files/sync/commit",
        json={"path": "big.bin", "plan_id": plan["plan_id"], "if_match": etag, "device": "cli"},
        headers=alice,
    )
    assert done.status_code == 200, done.text
    assert done.json()["version"] == 2
    assert api.get("/files/content/big.bin", headers=alice).content == new
    stale = api.post(
        "/files/sync/commit",
        json={"path": "big.bin", "chunks": pairs, "if_match": etag},
        headers=alice,
    )
    assert stale.status_code == 412


def test_tus_upload_resumes_and_commits(api, admin_headers):
    alice = user_headers(api, admin_headers, "alice")
    data = random_bytes(50_000, 8)
    created = api.post(
        "/files/uploads",
        headers={
            **TUS,
            **alice,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": encode_metadata({"path": "up/load.bin"}),
        },
    )
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    patch = {**TUS, **alice, "Content-Type": "application/offset+octet-stream"}
    r = api.patch(url, content=data[:20_000], headers={**patch, "Upload-Offset": "0"})
    assert r.status_code == 204 and r.headers["Upload-Offset"] == "20000"
    bob = user_headers(api, admin_headers, "bob")
    assert api.head(url, headers={**TUS, **bob}).status_code == 404
    head = api.head(url, headers={**TUS, **alice})
    assert head.headers["Upload-Offset"] == "20000"
    wrong = api.patch(url, content=data[20_000:], headers={**patch, "Upload-Offset": "0"})
    assert wrong.status_code == 409
    r = api.patch(url, content=data[20_000:], headers={**patch, "Upload-Offset": "20000"})
    assert r.status_code == 204
    assert api.get("/files/content/up/load.bin", headers=alice).content == data


def test_quota_is_507_before_bytes_are_stored(api, admin_headers):
    alice = user_headers(api, admin_headers, "alice")
    r = api.put("/files/quotas/alice", json={"quota_bytes": 1000}, headers=admin_headers)
    assert r.status_code == 200
    r = api.put("/files/content/big", content=b"x" * 2000, headers=alice)
    assert r.status_code == 507 and "1000 bytes allowed" in r.json()["detail"]
    r = api.post(
        "/files/uploads",
        headers={
            **TUS,
            **alice,
            "Upload-Length": "5000",
            "Upload-Metadata": encode_metadata({"path": "t"}),
        },
    )
    assert r.status_code == 507
    assert api.get("/files/usage", headers=alice).json()["used_bytes"] == 0


def test_trash_restore_and_changes_long_poll(api, admin_headers):
    alice = user_headers(api, admin_headers, "alice")
    api.put("/files/content/d/f", content=b"f", headers=alice)
    feed = api.get("/files/changes", headers=alice).json()
    cursor = feed["cursor"]
    assert [c["op"] for c in feed["changes"]] == ["mkdir", "write"]

    def later():
        time.sleep(0.5)
        api.delete("/files/content/d", headers=alice)

    t = threading.Thread(target=later)
    t.start()
    started = time.monotonic()
    waited = api.get("/files/changes", params={"cursor": cursor, "wait": 10}, headers=alice).json()
    t.join()
    assert time.monotonic() - started < 8
    assert [c["op"] for c in waited["changes"]] == ["delete"]
    (item,) = api.get("/files/trash", headers=alice).json()
    r = api.post(f"/files/trash/{item['id']}/restore", headers=alice)
    assert r.status_code == 200 and r.json()["path"] == "d"
    assert api.get("/files/content/d/f", headers=alice).content == b"f"


def test_concurrent_writers_exactly_one_wins_each_version(api, admin_headers):
    alice = user_headers(api, admin_headers, "alice")
    etag = api.put("/files/content/race", content=b"base", headers=alice).headers["ETag"]
    results: list[int] = []

    def write(i: int) -> None:
        r = api.put(
            "/files/content/race",
            content=f"writer {i}".encode(),
            headers={**alice, "If-Match": etag},
        )
        results.append(r.status_code)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201] + [412] * 5
    assert len(api.get("/files/versions", params={"path": "race"}, headers=alice).json()) == 2


def test_chunk_hash_is_checked(api, admin_headers):
    alice = user_headers(api, admin_headers, "alice")
    data = b"chunk bytes"
    good = hashlib.sha256(data).hexdigest()
    assert api.put(f"/files/chunks/{good}", content=data, headers=alice).json()["stored"]
    bad = hashlib.sha256(b"other").hexdigest()
    assert api.put(f"/files/chunks/{bad}", content=data, headers=alice).status_code == 422
    assert api.put("/files/chunks/NOTHEX", content=data, headers=alice).status_code == 422


def test_several_chunks_in_one_request_go_into_one_pack(api, admin_headers, settings):
    from services.files.delta import chunk_records

    alice = user_headers(api, admin_headers, "alice")
    data = random_bytes(100_000, 9)
    chunks = chunk_bytes(data, 1024)
    parts = [data[c.offset : c.offset + c.size] for c in chunks]
    pack_dir = settings.blobs_dir / "files" / "packs"
    packs_before = len(list(pack_dir.glob("*.pack")))
    bad = chunk_records(parts[:3])
    bad = bad[:-1] + bytes([bad[-1] ^ 1])  # the last chunk's bytes no longer match its name
    assert api.post("/files/chunks", content=bad, headers=alice).status_code == 422
    assert api.post("/files/chunks", content=bad[:-5], headers=alice).status_code == 400
    assert len(list(pack_dir.glob("*.pack"))) == packs_before  # nothing stored
    r = api.post("/files/chunks", content=chunk_records(parts[:10]), headers=alice)
    assert r.status_code == 200 and r.json() == {"received": 10, "stored": 10}
    assert len(list(pack_dir.glob("*.pack"))) == packs_before + 1
    r = api.post("/files/chunks", content=chunk_records(parts), headers=alice)
    assert r.json() == {"received": len(parts), "stored": len({c.hash for c in chunks[10:]})}
    pairs = [[c.hash, c.size] for c in chunks]
    plan = api.post("/files/sync/plan", json={"path": "c.bin", "chunks": pairs}, headers=alice)
    assert plan.json()["missing"] == []
    done = api.post(
        "/files/sync/commit",
        json={"path": "c.bin", "plan_id": plan.json()["plan_id"]},
        headers=alice,
    )
    assert done.status_code == 200, done.text
    assert api.get("/files/content/c.bin", headers=alice).content == data
