"""A social handle is exactly the caller's canonical user id: letter case never folds one user
onto another, and a non-canonical handle is refused with the canonical form, not rewritten."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import insert

from services import errors
from services.auth import Principal
from services.social import tables

LEGACY_KEY = "legacy-key-for-ALICE"


@pytest.fixture
def alice(client, admin_headers):
    key = client.post("/auth/keys", json={"user_id": "alice"}, headers=admin_headers).json()
    headers = {"X-API-Key": key["api_key"]}
    assert client.post("/social/users", json={}, headers=headers).status_code == 201
    return headers


@pytest.fixture
def legacy_upper(client, monkeypatch):
    """A key issued for ``ALICE`` before user ids were canonical (the key store now refuses to
    issue one, so the stored key is simulated at the resolver)."""
    keystore = client.app.state.keystore
    resolve = keystore.resolve

    def resolve_with_legacy(key: str):
        if key == LEGACY_KEY:
            return Principal("ALICE", frozenset({"user"}), "legacy")
        return resolve(key)

    monkeypatch.setattr(keystore, "resolve", resolve_with_legacy)
    return {"X-API-Key": LEGACY_KEY}


def test_key_for_upper_case_id_cannot_read_lower_case_users_messages(
    client, admin_headers, alice, legacy_upper
):
    key = client.post("/auth/keys", json={"user_id": "bob"}, headers=admin_headers).json()
    bob = {"X-API-Key": key["api_key"]}
    client.post("/social/users", json={}, headers=bob)
    msg = client.post("/social/messages", json={"to": "alice", "text": "secret"}, headers=bob)
    assert msg.status_code == 201
    r = client.get(f"/social/messages/{msg.json()['id']}", headers=legacy_upper)
    assert r.status_code == 403 and "secret" not in r.text
    r = client.get("/social/messages/with/bob", headers=legacy_upper)
    assert r.status_code == 403 and "secret" not in r.text


def test_key_for_upper_case_id_cannot_post_or_create_a_profile_as_the_lower_case_user(
    client, alice, legacy_upper
):
    r = client.post("/social/posts", json={"text": "I am alice"}, headers=legacy_upper)
    assert r.status_code == 403 and "canonical" in r.json()["detail"]
    r = client.post("/social/users", json={}, headers=legacy_upper)
    assert r.status_code == 403 and "canonical" in r.json()["detail"]
    assert client.get("/social/users/alice/posts").json()["items"] == []


def test_key_for_upper_case_id_gets_no_feed_as_the_lower_case_user(client, alice, legacy_upper):
    r = client.get("/feed", headers=legacy_upper)
    assert r.status_code == 403 and "canonical" in r.json()["detail"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/social/users/ALICE"),
        ("GET", "/social/users/Alice/posts"),
        ("GET", "/social/users/ALICE/followers"),
        ("GET", "/social/users/ALICE/following"),
        ("PUT", "/social/users/ALICE/follow"),
        ("DELETE", "/social/users/ALICE/follow"),
        ("GET", "/social/messages/with/ALICE"),
    ],
)
def test_upper_case_handle_in_a_path_is_422_naming_the_canonical_form(
    client, admin_headers, alice, method, path
):
    key = client.post("/auth/keys", json={"user_id": "bob"}, headers=admin_headers).json()
    bob = {"X-API-Key": key["api_key"]}
    client.post("/social/users", json={}, headers=bob)
    r = client.request(method, path, headers=bob)
    assert r.status_code == 422, r.text
    assert "'alice'" in r.json()["detail"] and "canonical" in r.json()["detail"]
    assert client.get("/social/users/alice").json()["followers"] == 0


def test_upper_case_dm_recipient_is_422_and_nothing_is_sent(client, admin_headers, alice):
    key = client.post("/auth/keys", json={"user_id": "bob"}, headers=admin_headers).json()
    bob = {"X-API-Key": key["api_key"]}
    client.post("/social/users", json={}, headers=bob)
    r = client.post("/social/messages", json={"to": "ALICE", "text": "hi"}, headers=bob)
    assert r.status_code == 422 and "'alice'" in r.json()["detail"]
    assert client.get("/social/messages/with/bob", headers=alice).json()["items"] == []


@pytest.mark.parametrize("handle", ["a.b", "bad handle", "é", "x" * 65])
def test_handles_outside_the_canonical_alphabet_are_422(client, handle):
    r = client.get(f"/social/users/{handle}")
    assert r.status_code == 422 and "canonical" in r.json()["detail"]


def test_service_refuses_to_create_or_fold_a_non_canonical_handle(build_social):
    svc = build_social()
    svc.create_user("alice")
    with pytest.raises(errors.Invalid, match="'alice'"):
        svc.create_user("ALICE")
    for call in (
        lambda: svc.get_user("Alice"),
        lambda: svc.follow("alice", "ALICE"),
        lambda: svc.create_post("ALICE", "as alice"),
        lambda: svc.send_dm("ALICE", "alice", "hi"),
    ):
        with pytest.raises(errors.Invalid, match="canonical"):
            call()
    assert svc.user_timeline("alice").items == []
    assert svc.get_user("alice").handle == "alice"


def test_build_logs_case_insensitive_handle_collisions_and_still_serves(
    settings, build_social, caplog
):
    svc = build_social()
    svc.create_user("alice")
    svc.close()
    from services.social.model import now

    with svc.store.engine.begin() as conn:  # as an older version or another writer left them
        for handle in ("Alice", "ALICE", "x.y"):
            conn.execute(
                insert(tables.users).values(
                    handle=handle,
                    display_name=handle,
                    bio="",
                    followers=0,
                    following=0,
                    has_pull_posts=False,
                    created_at=now(),
                )
            )
    with caplog.at_level(logging.WARNING, logger="services.social"):
        again = build_social()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "collide" in logged and "'alice'" in logged and "'ALICE'" in logged
    assert "'x.y'" in logged
    assert again.get_user("alice").handle == "alice"  # never folded onto another row
