"""Posts attach their author's own videos and files: a file is shared read-only through a link
viewers can open without a key and the author can revoke; someone else's video or file is
refused like a missing one; a refused post leaves no link behind; the post event says it has
media (a ranker feature)."""

from __future__ import annotations

import json

import pytest

from services.video.ingest import source_path
from services.video.store import Video
from tests.services.video.helpers import spooled_events


@pytest.fixture
def people(client, admin_headers) -> dict[str, dict[str, str]]:
    keys = {}
    for handle in ("alice", "bob"):
        made = client.post("/auth/keys", json={"user_id": handle}, headers=admin_headers)
        keys[handle] = {"X-API-Key": made.json()["api_key"]}
        assert client.post("/social/users", json={}, headers=keys[handle]).status_code == 201
    return keys


def _video(client, settings, video_id: str, owner: str) -> str:
    client.app.state.services["video"].store.add_video(
        Video(
            video_id,
            owner,
            "Clip",
            "",
            [],
            str(source_path(settings, video_id)),
            {"duration_s": 1.0, "width": 64, "height": 64},
            1000.0,
        )
    )
    return video_id


def test_a_post_attaches_own_video_and_file_and_viewers_open_the_file_link(
    client, settings, emitter, people
):
    alice = people["alice"]
    assert client.put("/files/content/pics/cat.txt", content=b"meow", headers=alice).is_success
    vid = _video(client, settings, "abad1dea00000001", "alice")
    body = {
        "text": "look #cats",
        "media": [{"kind": "video", "ref": vid}, {"kind": "file", "ref": "pics/cat.txt"}],
    }
    made = client.post("/social/posts", json=body, headers=alice)
    assert made.status_code == 201, made.text
    media = made.json()["media"]
    assert [m["kind"] for m in media] == ["video", "file"]
    assert media[0]["url"] == f"/videos/{vid}/watch"
    assert "pics" not in media[1]["url"]  # the private path is not shown
    assert client.get(media[1]["url"]).content == b"meow"  # no key needed
    again = client.get(f"/social/posts/{made.json()['id']}").json()
    assert again["media"] == media
    timeline = client.get("/social/users/alice/posts", headers=people["bob"]).json()
    assert timeline["items"][0]["media"] == media

    (share,) = client.get("/files/shares", headers=alice).json()
    assert client.delete(f"/files/shares/{share['id']}", headers=alice).status_code == 204
    assert client.get(media[1]["url"]).status_code == 404  # the author revoked it
    created = [
        e for e in spooled_events(settings, emitter, "social") if e["type"] == "post_created"
    ]
    attrs = json.loads(created[-1]["attrs"])
    assert attrs["has_media"] is True and attrs["media"] == ["video", "file"]


def test_someone_elses_or_a_missing_video_or_file_is_refused_and_leaves_no_link(
    client, settings, people
):
    alice, bob = people["alice"], people["bob"]
    assert client.put("/files/content/secret.txt", content=b"x", headers=alice).is_success
    assert client.put("/files/content/mine.txt", content=b"y", headers=bob).is_success
    theirs = _video(client, settings, "abad1dea00000002", "alice")
    cases = [
        [{"kind": "video", "ref": theirs}],
        [{"kind": "video", "ref": "0000000000000000"}],
        [{"kind": "file", "ref": "mine.txt"}, {"kind": "file", "ref": "secret.txt"}],
        [{"kind": "file", "ref": "/"}],
        [{"kind": "file", "ref": "../etc/passwd"}],
        [{"kind": "file", "ref": "/secret.txt"}],
    ]
    for media in cases:
        refused = client.post("/social/posts", json={"text": "hi", "media": media}, headers=bob)
        assert refused.status_code == 422, (media, refused.text)
        assert "of yours" in refused.json()["detail"]
    links = client.get("/files/shares", headers=bob).json()
    assert all(link["revoked"] for link in links)  # mine.txt's link was undone
    too_many = [{"kind": "file", "ref": f"f{i}"} for i in range(5)]
    twice = [{"kind": "file", "ref": "mine.txt"}] * 2
    unknown = [{"kind": "photo", "ref": "x"}]
    for media in (too_many, twice, unknown):
        bad = client.post("/social/posts", json={"text": "hi", "media": media}, headers=bob)
        assert bad.status_code == 422, bad.text


def test_a_repeated_idempotency_key_returns_the_first_post_without_a_second_link(client, people):
    alice = people["alice"]
    assert client.put("/files/content/a.txt", content=b"a", headers=alice).is_success
    body = {"text": "once", "media": [{"kind": "file", "ref": "a.txt"}]}
    headers = {**alice, "Idempotency-Key": "post-1"}
    first = client.post("/social/posts", json=body, headers=headers)
    second = client.post("/social/posts", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert len(client.get("/files/shares", headers=alice).json()) == 1
