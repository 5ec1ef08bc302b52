"""What a fuzzer throws at the social API gets a clear 4xx, never a 500: ids beyond 64 bits,
negative ids, lone surrogates and NULs in text. And every timestamp it answers carries a UTC
offset, so it is a valid OpenAPI ``date-time``."""

from __future__ import annotations

import base64
import json
from datetime import datetime

import pytest

BAD_IDS = [2**64, 2**63, -1]
BAD_TEXTS = ["a\ud800b", "\udfff", "nul\x00here"]


def _says_why(detail: str) -> bool:
    return "surrogate" in detail or "NUL" in detail


@pytest.fixture
def keys(client, admin_headers):
    keys = {}
    for name in ("ann", "bob"):
        key = client.post("/auth/keys", json={"user_id": name}, headers=admin_headers).json()
        keys[name] = {"X-API-Key": key["api_key"]}
        assert client.post("/social/users", json={}, headers=keys[name]).status_code == 201
    return keys


def _send(client, method: str, url: str, body: dict, headers: dict):
    """``body`` as JSON with non-ASCII escaped (``\\ud800``), as a fuzzer sends a lone
    surrogate (httpx's own encoder cannot encode one)."""
    headers = {**headers, "Content-Type": "application/json"}
    return client.request(method, url, content=json.dumps(body), headers=headers)


def _aware(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.utcoffset() is not None, f"{value!r} has no UTC offset"
    return parsed


@pytest.mark.parametrize("post_id", BAD_IDS)
@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/social/posts/{id}"),
        ("POST", "/social/posts/{id}/repost"),
        ("PUT", "/social/posts/{id}/like"),
        ("DELETE", "/social/posts/{id}/like"),
        ("GET", "/social/messages/{id}"),
    ],
)
def test_post_and_message_ids_outside_1_to_2_63_minus_1_are_422(
    client, keys, method, path, post_id
):
    r = client.request(method, path.format(id=post_id), headers=keys["ann"])
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("reply_to", BAD_IDS)
def test_reply_to_outside_1_to_2_63_minus_1_is_422_and_stores_nothing(client, keys, reply_to):
    r = client.post("/social/posts", json={"text": "re", "reply_to": reply_to}, headers=keys["ann"])
    assert r.status_code == 422 and "reply_to" in r.json()["detail"]
    assert client.get("/social/users/ann/posts").json()["items"] == []


def test_largest_64_bit_id_is_a_plain_404(client, keys):
    assert client.get(f"/social/posts/{2**63 - 1}").status_code == 404


@pytest.mark.parametrize("value", [2**64, -5])
def test_a_forged_cursor_beyond_64_bits_or_negative_is_400(client, keys, value):
    forged = base64.urlsafe_b64encode(f"c1:{value}".encode()).decode().rstrip("=")
    for path, headers in (
        ("/social/users/ann/posts", {}),
        ("/social/timeline", keys["ann"]),
        ("/social/messages/with/bob", keys["ann"]),
        ("/social/users/ann/followers", {}),
    ):
        r = client.get(path, params={"cursor": forged}, headers=headers)
        assert r.status_code == 400, (path, r.text)
    r = client.get("/social/search/posts", params={"q": "x", "cursor": forged})
    assert r.status_code == 400


@pytest.mark.parametrize("bad", BAD_TEXTS)
def test_surrogates_and_nul_in_post_text_are_422_saying_so(client, keys, bad):
    r = _send(client, "POST", "/social/posts", {"text": bad}, keys["ann"])
    assert r.status_code == 422, r.text
    assert "text: " in r.json()["detail"] and _says_why(r.json()["detail"])
    assert client.get("/social/users/ann/posts").json()["items"] == []


@pytest.mark.parametrize("bad", BAD_TEXTS)
def test_surrogates_and_nul_in_dm_text_are_422(client, keys, bad):
    r = _send(client, "POST", "/social/messages", {"to": "bob", "text": bad}, keys["ann"])
    assert r.status_code == 422 and "text: " in r.json()["detail"], r.text
    assert _says_why(r.json()["detail"])
    assert client.get("/social/messages/with/bob", headers=keys["ann"]).json()["items"] == []


@pytest.mark.parametrize("field", ["display_name", "bio"])
@pytest.mark.parametrize("bad", BAD_TEXTS)
def test_surrogates_and_nul_in_profile_fields_are_422(client, admin_headers, field, bad):
    key = client.post("/auth/keys", json={"user_id": "dan"}, headers=admin_headers).json()
    r = _send(client, "POST", "/social/users", {field: bad}, {"X-API-Key": key["api_key"]})
    assert r.status_code == 422 and f"{field}: " in r.json()["detail"], r.text
    assert _says_why(r.json()["detail"])
    assert client.get("/social/users/dan").status_code == 404


@pytest.mark.parametrize("path", ["/social/search/posts", "/social/search/users"])
def test_nul_in_a_search_query_is_422(client, keys, path):
    r = client.get(f"{path}?q=duck%00db")
    assert r.status_code == 422 and "q: " in r.json()["detail"] and "NUL" in r.text


@pytest.mark.parametrize("path", ["/social/search/posts", "/social/search/users"])
def test_a_surrogate_encoded_in_a_search_query_is_not_a_500(client, keys, path):
    # UTF-8 of U+D800 is invalid; the query parser replaces it, so it cannot reach the store.
    assert client.get(f"{path}?q=a%ED%A0%80b").status_code < 500


@pytest.mark.parametrize("route", ["search_posts", "search_users"])
def test_search_queries_refuse_lone_surrogates_at_the_model_layer(route):
    """HTTP cannot carry a lone surrogate in a query string, but the route's own type refuses
    one (for callers that build requests in-process)."""
    from typing import get_type_hints

    from pydantic import TypeAdapter, ValidationError

    from services.social import api

    q = get_type_hints(getattr(api, route), include_extras=True)["q"]
    with pytest.raises(ValidationError, match="surrogate"):
        TypeAdapter(q).validate_python("duck\ud800db")
    assert TypeAdapter(q).validate_python("duckdb") == "duckdb"


def test_surrogate_in_a_dm_recipient_is_422_saying_it_is_no_handle(client, keys):
    r = _send(client, "POST", "/social/messages", {"to": "b\ud800b", "text": "hi"}, keys["ann"])
    assert r.status_code == 422 and "to: handle" in r.json()["detail"]
    assert "not canonical" in r.json()["detail"]


def test_post_reply_and_repost_created_at_carry_a_utc_offset(client, keys):
    post = client.post("/social/posts", json={"text": "hi"}, headers=keys["ann"]).json()
    reply = client.post(
        "/social/posts", json={"text": "re", "reply_to": post["id"]}, headers=keys["bob"]
    ).json()
    repost = client.post(f"/social/posts/{post['id']}/repost", headers=keys["bob"]).json()
    stamps = [post["created_at"], reply["created_at"], repost["created_at"]]
    stamps.append(client.get(f"/social/posts/{post['id']}").json()["created_at"])
    stamps += [p["created_at"] for p in client.get("/social/users/ann/posts").json()["items"]]
    stamps += [
        p["created_at"] for p in client.get("/social/timeline", headers=keys["bob"]).json()["items"]
    ]
    stamps += [
        p["created_at"]
        for p in client.get("/social/search/posts", params={"q": "hi"}).json()["items"]
    ]
    for stamp in stamps:
        assert _aware(stamp).utcoffset().total_seconds() == 0


def test_direct_message_created_at_carries_a_utc_offset(client, keys):
    msg = client.post("/social/messages", json={"to": "bob", "text": "psst"}, headers=keys["ann"])
    stamps = [msg.json()["created_at"]]
    stamps.append(
        client.get(f"/social/messages/{msg.json()['id']}", headers=keys["bob"]).json()["created_at"]
    )
    thread = client.get("/social/messages/with/ann", headers=keys["bob"]).json()["items"]
    stamps += [m["created_at"] for m in thread]
    assert len(stamps) == 3
    for stamp in stamps:
        _aware(stamp)


def test_openapi_declares_created_at_as_date_time(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("PostOut", "MessageOut"):
        assert schemas[name]["properties"]["created_at"]["format"] == "date-time"
