"""The WebDAV face (RFC 4918 classes 1 and 2) over the same trees and permissions."""

from __future__ import annotations

import base64

import pytest

from tests.services.files.conftest import user_headers

LOCKINFO = (
    b'<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/>'
    b"</D:lockscope><D:locktype><D:write/></D:locktype><D:owner>t</D:owner></D:lockinfo>"
)
PROPPATCH = (
    b'<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop>'
    b"<Z:colour>blue</Z:colour></D:prop></D:set></D:propertyupdate>"
)


def basic(user: str, key: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{key}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def alice(api, admin_headers):
    key = user_headers(api, admin_headers, "alice")["X-API-Key"]
    return key, basic("alice", key)


def dav(api, method, path, headers, **kw):
    return api.request(method, f"/dav/alice/{path}", headers=headers, **kw)


def test_options_advertises_class_1_and_2(api, alice):
    r = api.options("/dav/alice/", headers=alice[1])
    assert r.status_code == 200
    assert {"1", "2"} <= {p.strip() for p in r.headers["DAV"].split(",")}


def test_put_propfind_get_and_the_api_see_the_same_file(api, alice):
    key, auth = alice
    assert dav(api, "MKCOL", "docs", auth).status_code == 201
    assert dav(api, "PUT", "docs/a.txt", auth, content=b"hello").status_code == 201
    listing = dav(api, "PROPFIND", "docs/", {**auth, "Depth": "1"})
    assert listing.status_code == 207 and "/dav/alice/docs/a.txt" in listing.text
    assert dav(api, "GET", "docs/a.txt", auth).content == b"hello"
    assert api.get("/files/content/docs/a.txt", headers={"X-API-Key": key}).content == b"hello"
    ranged = dav(api, "GET", "docs/a.txt", {**auth, "Range": "bytes=1-2"})
    assert ranged.status_code == 206 and ranged.content == b"el"


def test_mkcol_rules(api, alice):
    _, auth = alice
    assert dav(api, "MKCOL", "d", auth).status_code == 201
    assert dav(api, "MKCOL", "d", auth).status_code == 405
    assert dav(api, "MKCOL", "no/parent", auth).status_code == 409


def test_copy_and_move_honour_overwrite(api, alice):
    _, auth = alice
    dav(api, "PUT", "a", auth, content=b"A")
    dav(api, "PUT", "b", auth, content=b"B")
    dest = {"Destination": "http://testserver/dav/alice/b"}
    assert dav(api, "COPY", "a", {**auth, **dest, "Overwrite": "F"}).status_code == 412
    assert dav(api, "COPY", "a", {**auth, **dest}).status_code == 204
    assert dav(api, "GET", "b", auth).content == b"A"
    move = {"Destination": "http://testserver/dav/alice/c"}
    assert dav(api, "MOVE", "a", {**auth, **move}).status_code == 201
    assert dav(api, "GET", "a", auth).status_code == 404
    assert dav(api, "GET", "c", auth).content == b"A"


def test_dead_properties_persist_and_move_with_the_resource(api, alice):
    _, auth = alice
    dav(api, "PUT", "p", auth, content=b"x")
    assert dav(api, "PROPPATCH", "p", auth, content=PROPPATCH).status_code == 207
    found = dav(api, "PROPFIND", "p", {**auth, "Depth": "0"})
    assert "blue" in found.text
    dav(api, "MOVE", "p", {**auth, "Destination": "http://testserver/dav/alice/q"})
    assert "blue" in dav(api, "PROPFIND", "q", {**auth, "Depth": "0"}).text


def test_locks_block_other_writers_until_unlocked(api, alice):
    _, auth = alice
    dav(api, "PUT", "l", auth, content=b"1")
    lock = dav(api, "LOCK", "l", auth, content=LOCKINFO)
    assert lock.status_code == 200
    token = lock.headers["Lock-Token"]
    assert dav(api, "PUT", "l", auth, content=b"2").status_code == 423
    ok = dav(api, "PUT", "l", {**auth, "If": f"({token})"}, content=b"2")
    assert ok.status_code == 204
    assert dav(api, "UNLOCK", "l", {**auth, "Lock-Token": token}).status_code == 204
    assert dav(api, "PUT", "l", auth, content=b"3").status_code == 204


def test_lock_on_an_unmapped_url_creates_an_empty_file(api, alice):
    _, auth = alice
    assert dav(api, "LOCK", "new", auth, content=LOCKINFO).status_code == 201
    assert dav(api, "GET", "new", auth).content == b""


def test_authentication_and_isolation(api, admin_headers, alice):
    key, auth = alice
    bob_key = user_headers(api, admin_headers, "bob")["X-API-Key"]
    dav(api, "PUT", "secret", auth, content=b"s")
    assert api.request("PROPFIND", "/dav/alice/").status_code == 401
    assert api.get("/dav/alice/secret", headers=basic("alice", "wrong")).status_code == 401
    assert api.get("/dav/alice/secret", headers=basic("bob", key)).status_code == 401
    bob = basic("bob", bob_key)
    assert api.get("/dav/alice/secret", headers=bob).status_code == 404
    assert api.put("/dav/alice/x", headers=bob, content=b"x").status_code in (404, 409)
    bearer = {"Authorization": f"Bearer {key}"}
    assert api.get("/dav/alice/secret", headers=bearer).content == b"s"
    top = api.request("PROPFIND", "/dav/", headers={**bob, "Depth": "1"})
    assert "/dav/bob/" in top.text and "/dav/alice/" not in top.text


def test_bad_names_are_400_over_webdav(api, alice):
    _, auth = alice
    assert dav(api, "PUT", "CON", auth, content=b"x").status_code == 400
    assert dav(api, "MKCOL", "bad%01name", auth).status_code == 400


def test_put_streams_into_a_version_and_keeps_the_quota(api, admin_headers, alice):
    key, auth = alice
    body = bytes(range(256)) * 2000  # 512 000 bytes, several chunks
    assert dav(api, "PUT", "big.bin", auth, content=body).status_code == 201
    assert api.get("/files/content/big.bin", headers={"X-API-Key": key}).content == body

    def blocks():  # no Content-Length: the running total is checked against the quota
        for i in range(0, len(body), 100_000):
            yield body[i : i + 100_000]

    assert dav(api, "PUT", "big.bin", auth, content=blocks()).status_code == 204
    versions = api.get("/files/versions?path=big.bin", headers={"X-API-Key": key}).json()
    assert len(versions) == 2
    used = api.get("/files/usage", headers={"X-API-Key": key}).json()["used_bytes"]
    r = api.put("/files/quotas/alice", json={"quota_bytes": used + 1000}, headers=admin_headers)
    assert r.status_code == 200
    assert dav(api, "PUT", "over.bin", auth, content=body).status_code == 507
    assert dav(api, "PUT", "over.bin", auth, content=blocks()).status_code == 507
    assert dav(api, "GET", "over.bin", auth).status_code == 404
    assert api.get("/files/usage", headers={"X-API-Key": key}).json()["used_bytes"] == used
