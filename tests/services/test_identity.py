"""One rule for user ids: keys are issued only for canonical ids, and keys stored for other
spellings are reported and refused, so ``ALICE`` can never act as ``alice``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from services.app import create_app
from services.auth import KeyStore, api_keys, canonical_user_id, hash_key
from services.db import make_engine
from services.errors import Invalid, Unauthorized

# Every id the workloads and tests hand to POST /auth/keys.
WORKLOAD_IDS = [
    "linker0",
    "visitor3",
    "user0001",
    "u0",
    "ann",
    "cache-app",
    "log-collector",
    "notify-workload",
    "video-creator",
    "viewer01",
    "nu001",
    "orders-svc",
    "tus-user",
    "a_b",
    "a" * 64,
]


@pytest.mark.parametrize("user_id", WORKLOAD_IDS)
def test_the_ids_the_platform_uses_are_canonical(user_id):
    assert canonical_user_id(user_id) == user_id


@pytest.mark.parametrize(
    ("user_id", "says"),
    [
        ("ALICE", "use 'alice'"),
        ("Alice", "use 'alice'"),
        ("a.b", "lowercase ASCII letters, digits, '_' or '-'"),
        ("-x", "starting with a letter or digit"),
        ("_x", "starting with a letter or digit"),
        ("", "1-64 characters"),
        ("a" * 65, "1-64 characters"),
        ("ann ", "1-64 characters"),
        ("ann\n", "1-64 characters"),
        ("ａnn", "1-64 characters"),  # a full-width letter
        ("é", "1-64 characters"),
        ("\u212a", "1-64 characters"),  # the Kelvin sign, which lowercases to ASCII 'k'
        ("a@b.c", "1-64 characters"),
    ],
)
def test_other_ids_are_refused_saying_what_a_user_id_is(user_id, says):
    with pytest.raises(Invalid, match="not canonical") as refused:
        canonical_user_id(user_id)
    assert says in refused.value.message


def test_a_key_for_a_differently_cased_id_is_refused_with_422_naming_the_canonical_form(
    client, admin_headers
):
    r = client.post("/auth/keys", json={"user_id": "ALICE"}, headers=admin_headers)
    assert r.status_code == 422
    assert "'alice'" in r.json()["detail"]
    ok = client.post("/auth/keys", json={"user_id": "alice"}, headers=admin_headers)
    assert ok.status_code == 201
    me = client.get("/auth/me", headers={"X-API-Key": ok.json()["api_key"]}).json()
    assert me["user_id"] == "alice"


def _store_legacy_key(engine, user_id: str) -> str:
    key = f"legacy-{user_id}"
    with engine.begin() as conn:
        conn.execute(
            insert(api_keys).values(
                key_hash=hash_key(key), user_id=user_id, roles="user", created_at=datetime.now(UTC)
            )
        )
    return key


def test_stored_keys_for_non_canonical_ids_are_reported_at_start_and_refused(
    settings, emitter, caplog
):
    engine = make_engine(settings, "accounts")
    KeyStore(engine, settings.admin_api_key, emitter)  # creates the table
    shouting = _store_legacy_key(engine, "ALICE")
    alice = _store_legacy_key(engine, "alice")
    _store_legacy_key(engine, "Bob")

    with caplog.at_level(logging.WARNING, logger="services.auth"):
        store = KeyStore(engine, settings.admin_api_key, emitter)
    assert store.refused == {"ALICE", "Bob"}
    warning = caplog.text
    assert "'ALICE' (collides with 'alice')" in warning and "'Bob'" in warning
    with pytest.raises(Unauthorized, match="not canonical"):
        store.resolve(shouting)
    assert store.resolve(alice).user_id == "alice"

    with TestClient(create_app(settings, emitter, only=["shortener"])) as c:
        r = c.get("/auth/me", headers={"Authorization": f"Bearer {shouting}"})
        assert r.status_code == 401 and "'ALICE'" in r.json()["detail"]
        assert c.get("/auth/me", headers={"X-API-Key": alice}).json()["user_id"] == "alice"


def test_a_resolved_key_is_answered_from_memory_and_an_unknown_one_is_never_cached(
    settings, emitter
):
    engine = make_engine(settings, "platform")
    store = KeyStore(engine, settings.admin_api_key, emitter)
    other = KeyStore(engine, settings.admin_api_key, emitter)  # another process, same table
    assert store.cached(settings.admin_api_key).bootstrap  # the admin key needs no lookup
    key = other.create("alice", {"user"}, issued_by="test")
    assert store.cached(key) is None  # issued elsewhere: not known here yet
    assert store.resolve(key).user_id == "alice"
    assert store.cached(key).user_id == "alice"
    late = "bp_" + "x" * 43
    assert store.resolve(late) is None and store.cached(late) is None
    with engine.begin() as conn:  # issued after a failed lookup: it resolves at once
        conn.execute(
            insert(api_keys).values(
                key_hash=hash_key(late), user_id="bob", roles="user", created_at=datetime.now(UTC)
            )
        )
    assert store.resolve(late).user_id == "bob"
