"""Share links: 256-bit tokens, expiry, read or write rights, Argon2 passwords, revocation,
the same 404 for unknown, expired and revoked tokens, and rate-limited guessing."""

from __future__ import annotations

import pytest

from tests.services.files.conftest import user_headers


@pytest.fixture
def alice(api, admin_headers):
    h = user_headers(api, admin_headers, "alice")
    api.put("/files/content/pub/report.txt", content=b"the report", headers=h)
    api.put("/files/content/pub/data.bin", content=b"0123456789", headers=h)
    return h


def share(api, h, **body):
    r = api.post("/files/shares", json=body, headers=h)
    assert r.status_code == 201, r.text
    return r.json()


def test_read_link_to_a_file_serves_it_without_a_key(api, alice):
    link = share(api, alice, path="pub/report.txt")
    assert len(link["token"]) >= 43  # 256 bits, base64url
    r = api.get(f"/files/s/{link['token']}/content")
    assert r.status_code == 200 and r.content == b"the report"
    assert r.headers["Cache-Control"].startswith("public")
    part = api.get(f"/files/s/{link['token']}/content", headers={"Range": "bytes=4-9"})
    assert part.status_code == 206 and part.content == b"report"
    assert api.put(f"/files/s/{link['token']}/content?path=x", content=b"x").status_code == 403


def test_folder_link_lists_and_reads_inside_but_not_outside(api, alice):
    api.put("/files/content/private.txt", content=b"not shared", headers=alice)
    link = share(api, alice, path="pub")
    meta = api.get(f"/files/s/{link['token']}/meta").json()
    assert sorted(c["path"] for c in meta["children"]) == ["data.bin", "report.txt"]
    got = api.get(f"/files/s/{link['token']}/content", params={"path": "data.bin"})
    assert got.content == b"0123456789"
    escape = api.get(f"/files/s/{link['token']}/content", params={"path": "../private.txt"})
    assert escape.status_code == 400


def test_write_link_writes_into_the_owners_folder(api, alice):
    link = share(api, alice, path="pub", rights="write")
    r = api.put(f"/files/s/{link['token']}/content?path=drop/in.txt", content=b"dropped")
    assert r.status_code == 201, r.text
    assert api.get("/files/content/pub/drop/in.txt", headers=alice).content == b"dropped"


def test_revoked_expired_and_unknown_tokens_look_the_same(api, alice, settings):
    revoked = share(api, alice, path="pub/report.txt")
    assert api.delete(f"/files/shares/{revoked['id']}", headers=alice).status_code == 204
    expired = share(api, alice, path="pub/report.txt", expires_in_s=0.001)
    answers = [
        api.get(f"/files/s/{t}/content") for t in (revoked["token"], expired["token"], "A" * 43)
    ]
    assert {r.status_code for r in answers} == {404}
    assert len({r.json()["detail"] for r in answers}) == 1


def test_password_links_need_the_password_and_are_not_cached(api, alice):
    link = share(api, alice, path="pub/report.txt", password="correct horse")
    assert api.get(f"/files/s/{link['token']}/content").status_code == 401
    wrong = {"X-Share-Password": "wrong"}
    assert api.get(f"/files/s/{link['token']}/content", headers=wrong).status_code == 401
    ok = api.get(f"/files/s/{link['token']}/content", headers={"X-Share-Password": "correct horse"})
    assert ok.content == b"the report" and "no-store" in ok.headers["Cache-Control"]
    listed = api.get("/files/shares", headers=alice).json()
    assert listed[0]["has_password"] is True and "token" not in listed[0]


def test_token_guessing_is_rate_limited(api, alice, files_conf_guess_limit):
    for _ in range(files_conf_guess_limit):
        assert api.get(f"/files/s/{'B' * 43}/content").status_code == 404
    r = api.get(f"/files/s/{'C' * 43}/content")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_only_the_owner_manages_links(api, admin_headers, alice):
    link = share(api, alice, path="pub")
    bob = user_headers(api, admin_headers, "bob")
    assert api.delete(f"/files/shares/{link['id']}", headers=bob).status_code == 404
    assert api.get("/files/shares", headers=bob).json() == []
    assert api.post("/files/shares", json={"path": "pub"}, headers=bob).status_code == 404


@pytest.fixture
def files_conf_guess_limit(api) -> int:
    return api.app.state.services["files"].sharing.book.limiter.limit
