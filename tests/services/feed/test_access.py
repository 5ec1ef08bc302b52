"""Who may read what the feed's models serve, and what bad input gets.

Recommendations and personalised ranking reveal a user's tastes: a key is required, users read
their own, admins and the ``service`` role anyone's. Similar items and the serving status reveal
nothing about a person and stay public. Ids, counts and text are bounded at the boundary (422,
never a 500), and every timestamp answered carries a UTC offset.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.models.helpers import publish_models


@pytest.fixture(autouse=True)
def _pointers_checked_on_every_request(monkeypatch):
    monkeypatch.setenv("BLUEPRINT_FEED_MODEL_CHECK_INTERVAL_S", "0")


@pytest.fixture
def served(settings):
    publish_models(settings.models_dir, seed=0)


def _key(client, admin_headers, user_id, roles=None):
    body = {"user_id": user_id, **({"roles": roles} if roles else {})}
    r = client.post("/auth/keys", json=body, headers=admin_headers)
    assert r.status_code in (200, 201), r.text
    return {"X-API-Key": r.json()["api_key"]}


def _send(client, url: str, body: dict, headers: dict):
    """POST ``body`` as JSON with non-ASCII escaped, so a lone surrogate goes out as
    ``\\ud800`` the way a fuzzer sends it (httpx's own encoder cannot encode one)."""
    headers = {**headers, "Content-Type": "application/json"}
    return client.post(url, content=json.dumps(body), headers=headers)


def test_recommendations_need_a_key(served, client):
    r = client.get("/recommendations/u1")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_a_user_reads_only_their_own_recommendations(served, client, admin_headers):
    u1 = _key(client, admin_headers, "u1")
    r = client.get("/recommendations/u2", headers=u1)
    assert r.status_code == 403 and "items" not in r.json()
    mine = client.get("/recommendations/u1", params={"kind": "video"}, headers=u1)
    assert mine.status_code == 200 and mine.json()["user_id"] == "u1"
    assert mine.json()["source"] == "als" and mine.json()["items"]


def test_admins_and_services_read_anyones_recommendations(served, client, admin_headers):
    svc = _key(client, admin_headers, "ranker-job", ["service"])
    for headers in (admin_headers, svc):
        r = client.get("/recommendations/u2", params={"kind": "video"}, headers=headers)
        assert r.status_code == 200 and r.json()["user_id"] == "u2"


def test_personalised_ranking_is_the_viewers_own_unless_service_or_admin(
    served, client, admin_headers
):
    body = {"viewer": "u5", "candidates": [{"post_id": "p1"}, {"post_id": "p2"}]}
    assert client.post("/rank", json=body).status_code == 401
    u1 = _key(client, admin_headers, "u1")
    assert client.post("/rank", json=body, headers=u1).status_code == 403
    u5 = _key(client, admin_headers, "u5")
    assert client.post("/rank", json=body, headers=u5).status_code == 200
    svc = _key(client, admin_headers, "feed-job", ["service"])
    for headers in (admin_headers, svc):
        assert client.post("/rank", json=body, headers=headers).status_code == 200


def test_similar_items_and_serving_status_stay_public(served, client):
    item = client.get("/models/serving")
    assert item.status_code == 200
    assert client.get("/items/does-not-exist/similar").status_code == 404  # not 401


@pytest.mark.parametrize("bad", [2**64, 2**63, -1])
@pytest.mark.parametrize("field", ["text_len", "n_hashtags", "engagements", "views"])
def test_rank_candidate_counts_outside_0_to_2_63_minus_1_are_422(client, admin_headers, field, bad):
    body = {"viewer": "u1", "candidates": [{"post_id": "p1", field: bad}]}
    r = client.post("/rank", json=body, headers=admin_headers)
    assert r.status_code == 422 and field in r.json()["detail"], r.text


@pytest.mark.parametrize("bad", [2**64, 2**63, -(2**63) - 1])
def test_interaction_attr_ints_beyond_64_bits_are_422(client, admin_headers, bad):
    ev = {"user_id": "u1", "item_id": "v1", "kind": "video", "type": "view", "attrs": {"n": bad}}
    r = client.post("/interactions", json={"events": [ev]}, headers=admin_headers)
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("bad", ["a\ud800", "\udfff", "n\x00l"])
def test_surrogates_and_nul_in_feed_text_fields_are_422(client, admin_headers, bad):
    ev = {"user_id": "u1", "item_id": "v1", "kind": "video", "type": "view"}
    for event in ({**ev, "user_id": bad}, {**ev, "item_id": bad}, {**ev, "attrs": {"a": bad}}):
        r = _send(client, "/interactions", {"events": [event]}, admin_headers)
        assert r.status_code == 422 and ("surrogate" in r.text or "NUL" in r.text), r.text
    for body in (
        {"viewer": bad, "candidates": []},
        {"viewer": "u1", "candidates": [{"post_id": bad}]},
        {"viewer": "u1", "candidates": [{"post_id": "p", "author": bad}]},
    ):
        r = _send(client, "/rank", body, admin_headers)
        assert r.status_code == 422 and ("surrogate" in r.text or "NUL" in r.text), r.text


def test_feed_items_created_at_carry_a_utc_offset(client, admin_headers):
    keys = {n: _key(client, admin_headers, n) for n in ("ann", "bob")}
    for headers in keys.values():
        client.post("/social/users", json={}, headers=headers)
    client.put("/social/users/bob/follow", headers=keys["ann"])
    client.post("/social/posts", json={"text": "hello"}, headers=keys["bob"])
    items = client.get("/feed", headers=keys["ann"]).json()["items"]
    assert items
    for item in items:
        stamp = datetime.fromisoformat(item["created_at"].replace("Z", "+00:00"))
        assert stamp.utcoffset() is not None, item["created_at"]


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_rank_times_must_be_finite(client, admin_headers, bad):
    for body in (
        f'{{"viewer": "u1", "candidates": [{{"post_id": "a", "created_ts": {bad}}}]}}',
        f'{{"viewer": "u1", "candidates": [], "now": {bad}}}',
    ):
        headers = {**admin_headers, "Content-Type": "application/json"}
        r = client.post("/rank", content=body, headers=headers)
        assert r.status_code == 422, r.text
