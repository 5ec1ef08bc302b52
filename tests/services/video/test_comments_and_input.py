"""Comments page with a bounded cursor, and a comment is stored with its event or not at all;
bad input anywhere in the catalogue, playback and engagement routes is a 4xx, never a 500."""

from __future__ import annotations

import pytest

from services.video.ingest import source_path
from services.video.store import Video
from tests.services.video.helpers import spooled_events
from warehouse.spool import SpoolFull


@pytest.fixture
def video_id(client, settings) -> str:
    """A catalogued video (no renditions: these tests never play it)."""
    svc = client.app.state.services["video"]
    svc.store.add_video(
        Video(
            "feedfacecafe0001",
            "alice",
            "Comment magnet",
            "",
            ["talk"],
            str(source_path(settings, "feedfacecafe0001")),
            {"duration_s": 1.0, "width": 64, "height": 64},
            1000.0,
        )
    )
    return "feedfacecafe0001"


def _all_pages(client, video_id: str, limit: int) -> tuple[list[dict], int]:
    items, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor is not None else {})
        resp = client.get(f"/videos/{video_id}/comments", params=params)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        assert len(page["items"]) <= limit
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages


def test_every_one_of_105_comments_is_answered_201_and_listed_once_across_pages(
    client, user_key, video_id
) -> None:
    h = {"X-API-Key": user_key}
    for i in range(105):
        resp = client.post(f"/videos/{video_id}/comments", json={"text": f"c{i}"}, headers=h)
        assert resp.status_code == 201, (i, resp.text)
    for limit, pages in ((50, 3), (100, 2), (7, 15)):
        items, seen_pages = _all_pages(client, video_id, limit)
        assert [c["text"] for c in items] == [f"c{i}" for i in range(105)]
        assert len({c["id"] for c in items}) == 105 and seen_pages == pages
    first = client.get(f"/videos/{video_id}/comments").json()
    assert len(first["items"]) == 50 and first["next_cursor"] == first["items"][-1]["id"]


def test_a_comment_whose_event_cannot_be_spooled_is_not_stored_so_a_retry_makes_one(
    client, user_key, video_id, settings, emitter, monkeypatch
) -> None:
    def full(*_args, **_kwargs):
        raise SpoolFull(used=10, limit=1)

    with monkeypatch.context() as m:
        m.setattr(client.app.state.services["video"].emitter, "emit", full)
        refused = client.post(
            f"/videos/{video_id}/comments", json={"text": "once"}, headers={"X-API-Key": user_key}
        )
    assert refused.status_code == 503 and "Retry-After" in refused.headers
    assert client.get(f"/videos/{video_id}/comments").json()["items"] == []
    retry = client.post(
        f"/videos/{video_id}/comments", json={"text": "once"}, headers={"X-API-Key": user_key}
    )
    assert retry.status_code == 201
    assert [c["text"] for c in client.get(f"/videos/{video_id}/comments").json()["items"]] == [
        "once"
    ]
    comments = [e for e in spooled_events(settings, emitter) if e["type"] == "comment"]
    assert len(comments) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": str(2**63)},
        {"cursor": str(2**64 + 1)},
        {"cursor": "-1"},
        {"limit": "0"},
        {"limit": "101"},
        {"limit": str(10**30)},
    ],
)
def test_comment_cursor_and_limit_out_of_range_are_422(client, video_id, params) -> None:
    resp = client.get(f"/videos/{video_id}/comments", params=params)
    assert resp.status_code == 422, resp.text


def test_listing_and_search_limits_beyond_64_bits_are_422(client) -> None:
    assert client.get("/videos", params={"limit": str(2**64)}).status_code == 422
    assert client.get("/videos/search", params={"q": "a", "limit": str(2**64)}).status_code == 422


def test_a_file_name_or_video_id_with_a_nul_or_control_character_is_400(
    client, user_key, video_id
) -> None:
    for path in (
        f"/videos/{video_id}/files/master%00.m3u8",
        f"/videos/{video_id}/files/thumbs/%01poster.jpg",
        "/videos/feedface%00cafe0001",
        "/videos/feedface%00cafe0001/playback",
        "/videos/feedface%00cafe0001/comments",
    ):
        resp = client.get(path)
        assert resp.status_code == 400, (path, resp.status_code)
        assert "control characters" in resp.json()["detail"]
    liked = client.post("/videos/x%00y/likes", headers={"X-API-Key": user_key})
    assert liked.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "\\ud800 lone"}',
        b'{"text": "nul \\u0000 inside"}',
        b'{"text": "escape \\u001b[31m red"}',
    ],
)
def test_comment_text_with_a_lone_surrogate_or_control_characters_is_422_and_not_stored(
    client, user_key, video_id, body
) -> None:
    resp = client.post(
        f"/videos/{video_id}/comments",
        content=body,
        headers={"X-API-Key": user_key, "Content-Type": "application/json"},
    )
    assert resp.status_code == 422, resp.text
    assert client.get(f"/videos/{video_id}/comments").json()["items"] == []


def test_a_comment_may_span_lines(client, user_key, video_id) -> None:
    resp = client.post(
        f"/videos/{video_id}/comments",
        json={"text": "first line\n\tsecond"},
        headers={"X-API-Key": user_key},
    )
    assert resp.status_code == 201


def test_the_service_refuses_surrogates_in_comments_and_searches(client, video_id) -> None:
    from services.errors import Invalid

    svc = client.app.state.services["video"]
    with pytest.raises(Invalid):
        svc.comment(video_id, "bob", "bad \ud800")
    with pytest.raises(Invalid):
        svc.search("\udfff cats")
    assert svc.comments(video_id).items == []


@pytest.mark.parametrize(
    "body",
    [
        b'{"seconds": 1, "position_s": Infinity}',
        b'{"seconds": NaN}',
        b'{"seconds": 1, "position_s": 1e308}',
        b'{"seconds": 1, "rendition": "\\ud800"}',
        b'{"seconds": 1, "rendition": "720p\\u0000"}',
    ],
)
def test_watch_reports_out_of_range_or_unreadable_are_422_and_emit_nothing(
    client, video_id, settings, emitter, body
) -> None:
    resp = client.post(
        f"/videos/{video_id}/watch", content=body, headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 422, resp.text
    assert [e for e in spooled_events(settings, emitter) if e["type"] == "watch"] == []


def test_search_with_a_control_character_is_422(client) -> None:
    assert client.get("/videos/search", params={"q": "cats\x00"}).status_code == 422
