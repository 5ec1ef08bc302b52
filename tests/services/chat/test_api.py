"""The messaging HTTP API: conversations, history pages, edits, deletes, devices, presence,
and clear 4xx answers to bad input."""

from __future__ import annotations


def _key(client, admin_headers, user: str) -> dict[str, str]:
    resp = client.post(
        "/auth/keys", json={"user_id": user, "roles": ["user"]}, headers=admin_headers
    )
    return {"X-API-Key": resp.json()["api_key"]}


def test_a_conversation_over_http(client, admin_headers):
    alice, bob = _key(client, admin_headers, "alice"), _key(client, admin_headers, "bob")
    made = client.post(
        "/chat/conversations", json={"members": ["bob"], "title": "t"}, headers=alice
    )
    assert made.status_code == 201 and made.json()["members"] == ["alice", "bob"]
    conv = made.json()["id"]
    sent = client.post(
        f"/chat/conversations/{conv}/messages",
        json={"client_id": "c1", "body": {"text": "hi"}},
        headers=alice,
    )
    assert sent.status_code == 201 and sent.json()["seq"] == 4
    again = client.post(
        f"/chat/conversations/{conv}/messages",
        json={"client_id": "c1", "body": {"text": "hi"}},
        headers=alice,
    )
    assert again.json() == {**sent.json(), "duplicate": True}
    edited = client.patch(
        f"/chat/conversations/{conv}/messages/4",
        json={"client_id": "c1-e", "body": {"text": "hello"}},
        headers=alice,
    )
    assert edited.status_code == 200 and edited.json()["seq"] == 5
    assert (
        client.patch(
            f"/chat/conversations/{conv}/messages/4",
            json={"client_id": "b-e", "body": {"text": "x"}},
            headers=bob,
        ).status_code
        == 403
    )
    page = client.get(f"/chat/conversations/{conv}/messages?after=3&limit=1", headers=bob).json()
    assert [m["seq"] for m in page["messages"]] == [4] and page["next_after"] == 4
    assert page["messages"][0]["body"] == {"text": "hello"} and page["last_seq"] == 5
    gone = client.delete(f"/chat/conversations/{conv}/messages/4?client_id=c1-d", headers=alice)
    assert gone.status_code == 200
    assert client.get(f"/chat/conversations/{conv}", headers=bob).json()["last_seq"] == 6
    device = client.put("/chat/devices/laptop", json={"public_key": "AAAA"}, headers=bob)
    assert device.status_code == 200 and device.json()["public_key"] == "AAAA"
    listed = client.get("/chat/devices?user_id=bob", headers=alice).json()
    assert [d["device_id"] for d in listed] == ["laptop"]
    assert (
        client.put(
            f"/chat/conversations/{conv}/cursor", json={"device": "laptop", "seq": 6}, headers=bob
        ).status_code
        == 204
    )
    receipts = client.get(f"/chat/conversations/{conv}/receipts", headers=alice).json()
    assert receipts["users"] == [{"user_id": "bob", "delivered_seq": 6, "read_seq": 0}]
    presence = client.get("/chat/presence?users=alice,bob", headers=alice).json()
    assert [p["online"] for p in presence] == [False, False]


def test_bad_input_gets_clear_4xx(client, admin_headers):
    alice = _key(client, admin_headers, "alice")
    _key(client, admin_headers, "mallory")
    conv = client.post("/chat/conversations", json={"members": ["bob"]}, headers=alice).json()
    other = client.post(
        "/chat/conversations",
        json={"members": ["bob"]},
        headers=_key(client, admin_headers, "carol"),
    ).json()
    assert client.get("/chat/conversations", headers={}).status_code == 401
    assert client.get("/chat/conversations/not-an-id", headers=alice).status_code == 422
    assert client.get(f"/chat/conversations/{'0' * 32}", headers=alice).status_code == 404
    assert client.get(f"/chat/conversations/{other['id']}", headers=alice).status_code == 403
    assert (
        client.post("/chat/conversations", json={"members": ["Bob"]}, headers=alice).status_code
        == 422
    )
    huge = {"client_id": "x", "body": {"text": "x" * 20_000}}
    assert (
        client.post(
            f"/chat/conversations/{conv['id']}/messages", json=huge, headers=alice
        ).status_code
        == 413
    )
    nul = {"client_id": "x", "body": {"text": "a\u0000b"}}
    assert (
        client.post(
            f"/chat/conversations/{conv['id']}/messages", json=nul, headers=alice
        ).status_code
        == 422
    )
    assert client.post("/chat/purge", headers=alice).status_code == 403
