"""The social API's contract: what callers can do, and the 4xx they get for what they cannot."""

import pytest


@pytest.fixture
def users(client, admin_headers):
    keys = {}
    for name in ("ann", "bob", "cat"):
        key = client.post("/auth/keys", json={"user_id": name}, headers=admin_headers).json()
        keys[name] = {"X-API-Key": key["api_key"]}
        assert client.post("/social/users", json={}, headers=keys[name]).status_code == 201
    return keys


def test_post_follow_like_repost_and_reply_flow(client, users):
    assert client.put("/social/users/ann/follow", headers=users["bob"]).json()["changed"]
    post = client.post("/social/posts", json={"text": "hi #Data"}, headers=users["ann"]).json()
    assert post["hashtags"] == ["data"]
    assert client.put(f"/social/posts/{post['id']}/like", headers=users["bob"]).status_code == 200
    r = client.post(f"/social/posts/{post['id']}/repost", headers=users["cat"])
    assert r.status_code == 201 and r.json()["repost_of"] == post["id"]
    reply = client.post(
        "/social/posts", json={"text": "welcome", "reply_to": post["id"]}, headers=users["bob"]
    ).json()
    assert reply["reply_to"] == post["id"]
    got = client.get(f"/social/posts/{post['id']}").json()
    assert (got["likes"], got["reposts"], got["replies"]) == (1, 1, 1)
    home = client.get("/social/timeline", headers=users["bob"]).json()["items"]
    assert [p["id"] for p in home] == [reply["id"], post["id"]]


def test_cursor_pagination_walks_a_timeline_without_gaps_or_repeats(client, users):
    ids = [
        client.post("/social/posts", json={"text": f"n{i}"}, headers=users["ann"]).json()["id"]
        for i in range(7)
    ]
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/social/users/ann/posts", params=params).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    assert client.get("/social/users/ann/posts", params={"cursor": "garbage!"}).status_code == 400


@pytest.mark.parametrize(
    "body, status, fragment",
    [
        ({"text": "x" * 281}, 422, "280"),
        ({"text": "   "}, 422, "empty"),
        ({"text": "reply", "reply_to": 999}, 404, "no post 999"),
    ],
)
def test_bad_posts_are_rejected_and_nothing_is_stored(client, users, body, status, fragment):
    r = client.post("/social/posts", json=body, headers=users["ann"])
    assert r.status_code == status and fragment in r.json()["detail"]
    assert client.get("/social/users/ann/posts").json()["items"] == []


def test_self_follow_duplicate_like_and_unknown_users_are_4xx(client, users):
    r = client.put("/social/users/ann/follow", headers=users["ann"])
    assert r.status_code == 422
    assert client.get("/social/users/ann").json()["followers"] == 0
    assert client.put("/social/users/nobody/follow", headers=users["ann"]).status_code == 404
    post = client.post("/social/posts", json={"text": "x"}, headers=users["ann"]).json()
    assert client.put(f"/social/posts/{post['id']}/like", headers=users["bob"]).status_code == 200
    assert client.put(f"/social/posts/{post['id']}/like", headers=users["bob"]).status_code == 409
    assert client.get(f"/social/posts/{post['id']}").json()["likes"] == 1
    assert client.post("/social/posts", json={"text": "x"}).status_code == 401


def test_same_idempotency_key_creates_one_post(client, users):
    h = {**users["ann"], "Idempotency-Key": "abc"}
    first = client.post("/social/posts", json={"text": "once"}, headers=h)
    second = client.post("/social/posts", json={"text": "once"}, headers=h)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert len(client.get("/social/users/ann/posts").json()["items"]) == 1


def test_direct_messages_are_private_to_their_two_users(client, users):
    msg = client.post(
        "/social/messages", json={"to": "bob", "text": "secret"}, headers=users["ann"]
    )
    assert msg.status_code == 201
    mid = msg.json()["id"]
    assert client.get(f"/social/messages/{mid}", headers=users["bob"]).json()["text"] == "secret"
    assert client.get(f"/social/messages/{mid}", headers=users["cat"]).status_code == 404
    thread = client.get("/social/messages/with/ann", headers=users["bob"]).json()["items"]
    assert [m["text"] for m in thread] == ["secret"]
    assert client.get("/social/messages/with/ann", headers=users["cat"]).json()["items"] == []
    r = client.post("/social/messages", json={"to": "ann", "text": "me"}, headers=users["ann"])
    assert r.status_code == 422


def test_search_ranks_posts_and_users(client, users):
    client.post("/social/posts", json={"text": "duckdb is fast"}, headers=users["ann"])
    client.post("/social/posts", json={"text": "duckdb duckdb parquet"}, headers=users["bob"])
    client.post("/social/posts", json={"text": "unrelated"}, headers=users["cat"])
    hits = client.get("/social/search/posts", params={"q": "duckdb"}).json()["items"]
    assert [h["author"] for h in hits] == ["bob", "ann"]
    assert client.get("/social/search/posts", params={"q": 'AND OR "('}).status_code in (200, 422)
    assert (
        client.get("/social/search/users", params={"q": "bo"}).json()["items"][0]["handle"] == "bob"
    )


def test_trends_are_served_from_the_latest_asset_run(client, settings):
    from datetime import UTC, datetime

    import polars as pl

    from services.social.trends import TRENDS_TABLE
    from warehouse.parquet_io import publish_parquet

    assert client.get("/trends").json() == {"computed_at": None, "items": []}
    df = pl.DataFrame(
        {
            "tag": ["eclipse", "python"],
            "score": [9.0, 4.0],
            "observed": [10, 5],
            "expected": [1.0, 1.0],
            "authors": [6, 4],
        }
    )
    df = df.with_columns(pl.lit(datetime.now(UTC)).alias("computed_at"))
    publish_parquet(df, settings.lake_dir / TRENDS_TABLE / "trends.parquet")
    got = client.get("/trends", params={"limit": 1}).json()
    assert [t["tag"] for t in got["items"]] == ["eclipse"] and got["computed_at"]


def test_api_interactions_reach_the_lake_as_the_services_events(client, users, settings):
    from warehouse.ingest import ingest_spool
    from warehouse.lake import Lake

    svc = client.app.state.services["social"]
    client.put("/social/users/ann/follow", headers=users["bob"])
    post = client.post("/social/posts", json={"text": "hi #lake"}, headers=users["ann"]).json()
    client.put(f"/social/posts/{post['id']}/like", headers=users["bob"])
    client.delete(f"/social/posts/{post['id']}/like", headers=users["bob"])
    client.get("/social/timeline", headers=users["bob"])
    client.post("/social/messages", json={"to": "ann", "text": "yo"}, headers=users["bob"])
    svc.emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    got = Lake(settings.lake_dir).query(
        "SELECT type, actor, entity FROM events WHERE system = 'social' "
        "AND type <> 'user_created' ORDER BY seq"
    )
    assert got.rows() == [
        ("follow", "bob", "ann"),
        ("post_created", "ann", str(post["id"])),
        ("like", "bob", str(post["id"])),
        ("unlike", "bob", str(post["id"])),
        ("timeline_read", "bob", None),
        ("dm_sent", "bob", "ann"),
    ]
