from __future__ import annotations

import json

import pytest

from services.db import make_engine
from services.video.ingest import source_path
from services.video.store import Video, VideoStore
from tests.media.clips import clip
from tests.services.video.helpers import spooled_events, upload


@pytest.fixture
def video_id(client, user_key) -> str:
    vid, resp = upload(client, user_key, clip(), {"title": "Cats on skis", "tags": "cats,winter"})
    assert resp.status_code == 204
    return vid


def test_views_likes_comments_and_watch_time_are_events(
    client, user_key, video_id, settings, emitter
) -> None:
    h = {"X-API-Key": user_key}
    assert client.post(f"/videos/{video_id}/views").status_code == 200
    assert client.post(f"/videos/{video_id}/likes", headers=h).json()["count"] == 1
    assert client.post(f"/videos/{video_id}/likes", headers=h).json()["count"] == 1  # idempotent
    c = client.post(f"/videos/{video_id}/comments", json={"text": "nice"}, headers=h)
    assert c.status_code == 201 and c.json()["text"] == "nice"
    page = client.get(f"/videos/{video_id}/comments").json()
    assert [x["text"] for x in page["items"]] == ["nice"] and page["next_cursor"] is None
    w = client.post(
        f"/videos/{video_id}/watch", json={"seconds": 3.5, "position_s": 1.0}, headers=h
    )
    assert w.status_code == 200
    assert client.post(f"/videos/{video_id}/watch", json={"seconds": -1}).status_code == 422
    assert client.post(f"/videos/{video_id}/likes").status_code == 401
    assert client.post("/videos/nope/views").status_code == 404
    events = [e for e in spooled_events(settings, emitter) if e["entity"] == video_id]
    types = [e["type"] for e in events]
    for t in ("view", "like", "comment", "watch"):
        assert t in types
    assert types.count("like") == 1
    watch = next(e for e in events if e["type"] == "watch")
    attrs = watch["attrs"] if isinstance(watch["attrs"], dict) else json.loads(watch["attrs"])
    assert attrs["seconds"] == 3.5 and attrs["position_s"] == 1.0


def test_search_matches_titles_and_tags_best_first(settings) -> None:
    store = VideoStore(make_engine(settings, "video"))
    for i, (title, tags) in enumerate(
        [
            ("Cats on skis", ["cats", "winter"]),
            ("Dog days", ["dogs", "summer"]),
            ("Winter in the Alps", ["mountains"]),
        ]
    ):
        store.add_video(
            Video(
                f"v{i}",
                "u",
                title,
                "",
                tags,
                str(source_path(settings, "x")),
                {"duration_s": 1.0, "width": 64, "height": 64},
                1000.0 + i,
            )
        )
    assert [v.id for v in store.search("winter")] == ["v2", "v0"]  # one hit each: newer first
    assert [v.id for v in store.search("winter cats")][0] == "v0"  # matches title and tags
    assert [v.id for v in store.search("dogs")] == ["v1"]  # by tag only
    assert store.search("100%_") == []  # LIKE wildcards are literal


def test_search_endpoint(client, video_id) -> None:
    found = client.get("/videos/search", params={"q": "skis"}).json()
    assert [v["id"] for v in found] == [video_id]
    assert client.get("/videos/search", params={"q": "winter"}).json()[0]["id"] == video_id
    assert client.get("/videos/search", params={"q": "zebra"}).json() == []
    assert client.get("/videos/search").status_code == 422


def test_engagement_asset_aggregates_lake_events(client, user_key, video_id, settings, emitter):
    import dagster as dg

    from assets.resources import PlatformResource
    from assets.video import video_engagement
    from warehouse.ingest import ingest_spool
    from warehouse.lake import Lake

    h = {"X-API-Key": user_key}
    for seconds in (2.0, 3.0):
        client.post(f"/videos/{video_id}/views", headers=h)
        client.post(f"/videos/{video_id}/watch", json={"seconds": seconds}, headers=h)
    client.post(f"/videos/{video_id}/likes", headers=h)
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    result = dg.materialize(
        [video_engagement],
        resources={"platform": PlatformResource(data_dir=str(settings.data_dir))},
    )
    assert result.success
    [check] = result.get_asset_check_evaluations()
    assert check.check_name == "video_engagement_is_consistent" and check.passed
    row = Lake(settings.lake_dir).query("SELECT * FROM video_engagement").to_dicts()
    assert row == [
        {
            "video_id": video_id,
            "views": 2,
            "likes": 1,
            "comments": 0,
            "watch_seconds": 5.0,
            "viewers": 1,
        }
    ]


def test_engagement_asset_publishes_an_empty_table_before_any_event(settings) -> None:
    import dagster as dg

    from assets.resources import PlatformResource
    from assets.video import video_engagement
    from warehouse.lake import Lake

    result = dg.materialize(
        [video_engagement],
        resources={"platform": PlatformResource(data_dir=str(settings.data_dir))},
    )
    assert result.success
    meta = result.asset_materializations_for_node("video_engagement")[0].metadata
    assert meta["dagster/row_count"].value == 0
    df = Lake(settings.lake_dir).query("SELECT * FROM video_engagement")
    assert df.height == 0 and "watch_seconds" in df.columns
