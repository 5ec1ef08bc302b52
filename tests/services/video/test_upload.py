from __future__ import annotations

import pytest

from services.video.ingest import part_path, rendition_dir, source_path, video_root
from tests.media.clips import clip, hostile
from tests.services.video.helpers import TUS, create, patch, spooled_events, upload


def _cap(client) -> int:
    return client.app.state.services["video"].conf.max_upload_bytes


def test_options_advertises_tus_capabilities(client) -> None:
    resp = client.options("/videos/uploads")
    assert resp.status_code == 204
    assert resp.headers["Tus-Resumable"] == "1.0.0"
    assert resp.headers["Tus-Version"] == "1.0.0"
    assert int(resp.headers["Tus-Max-Size"]) == _cap(client)
    assert "creation" in resp.headers["Tus-Extension"]


def test_missing_or_wrong_tus_version_is_412(client, user_key) -> None:
    resp = client.post("/videos/uploads", headers={"X-API-Key": user_key, "Upload-Length": "10"})
    assert resp.status_code == 412 and resp.headers["Tus-Version"] == "1.0.0"
    resp = client.post(
        "/videos/uploads",
        headers={"X-API-Key": user_key, "Upload-Length": "10", "Tus-Resumable": "0.2.2"},
    )
    assert resp.status_code == 412


def test_upload_over_the_cap_is_413_in_the_tus_protocol(client, user_key) -> None:
    resp = create(client, user_key, _cap(client) + 1)
    assert resp.status_code == 413 and resp.headers["Tus-Resumable"] == "1.0.0"
    assert "limit" in resp.json()["detail"]


def test_uploading_needs_an_api_key(client) -> None:
    resp = client.post("/videos/uploads", headers={**TUS, "Upload-Length": "10"})
    assert resp.status_code == 401


def test_resumable_upload_with_metadata_admits_the_video(client, user_key, settings, emitter):
    data = clip().read_bytes()
    created = create(
        client,
        user_key,
        len(data),
        {"title": "Test pattern", "description": "bars", "tags": "Test, Synthetic"},
    )
    assert created.status_code == 201
    url = created.headers["Location"]
    assert url.startswith("http://testserver/videos/uploads/")
    vid = url.rsplit("/", 1)[1]
    half = len(data) // 2
    assert patch(client, user_key, url, 0, data[:half]).headers["Upload-Offset"] == str(half)
    head = client.head(url, headers={**TUS, "X-API-Key": user_key})
    assert head.headers["Upload-Offset"] == str(half)
    assert head.headers["Upload-Length"] == str(len(data))
    assert head.headers["Cache-Control"] == "no-store"
    stale = patch(client, user_key, url, 0, data[:10])  # a client that lost track
    assert stale.status_code == 409 and stale.headers["Upload-Offset"] == str(half)
    done = patch(client, user_key, url, half, data[half:])
    assert done.status_code == 204, done.text
    video = client.get(f"/videos/{vid}").json()
    assert video["title"] == "Test pattern" and video["tags"] == ["test", "synthetic"]
    assert (video["width"], video["height"]) == (640, 360) and not video["ready"]
    assert source_path(settings, vid).read_bytes() == data
    assert not part_path(settings, vid).exists()
    types = [e["type"] for e in spooled_events(settings, emitter) if e["entity"] == vid]
    assert types == [
        "upload_created",
        "upload_chunk",
        "upload_chunk",
        "upload_completed",
        "video_admitted",
    ]


def test_patch_needs_the_offset_content_type(client, user_key) -> None:
    url = create(client, user_key, 100).headers["Location"]
    resp = client.patch(
        url,
        content=b"x",
        headers={
            **TUS,
            "X-API-Key": user_key,
            "Upload-Offset": "0",
            "Content-Type": "application/json",
        },
    )
    assert resp.status_code == 415


def test_bytes_past_upload_length_are_refused_and_not_kept(client, user_key, settings) -> None:
    url = create(client, user_key, 10).headers["Location"]
    resp = patch(client, user_key, url, 0, b"x" * 11)
    assert resp.status_code == 413
    assert client.head(url, headers={**TUS, "X-API-Key": user_key}).headers["Upload-Offset"] == "0"
    assert part_path(settings, url.rsplit("/", 1)[1]).stat().st_size == 0


@pytest.mark.parametrize(
    "kind",
    ["m3u8-file", "ffconcat", "truncated", "text", "hours-long", "absurd-dimensions", "audio-only"],
)
def test_hostile_upload_is_422_with_reason_and_leaves_nothing(
    kind, client, user_key, settings, emitter
) -> None:
    vid, resp = upload(client, user_key, hostile(kind), {"title": kind})
    assert resp.status_code == 422
    assert resp.json()["detail"].startswith("video rejected: ")
    assert client.get(f"/videos/{vid}").status_code == 404
    head = client.head(f"/videos/uploads/{vid}", headers={**TUS, "X-API-Key": user_key})
    assert head.status_code == 410
    assert not part_path(settings, vid).exists()
    assert not source_path(settings, vid).parent.exists()
    assert not (video_root(settings) / "jobs" / vid).exists()
    assert not rendition_dir(settings, vid).exists()
    rejected = [e for e in spooled_events(settings, emitter) if e["type"] == "upload_rejected"]
    assert rejected and rejected[-1]["entity"] == vid


def test_zero_length_upload_is_rejected_at_creation(client, user_key, settings) -> None:
    resp = create(client, user_key, 0, {"title": "nothing"})
    assert resp.status_code == 422 and "empty file" in resp.json()["detail"]


def test_termination_deletes_an_unfinished_upload(client, user_key, settings) -> None:
    url = create(client, user_key, 100).headers["Location"]
    patch(client, user_key, url, 0, b"x" * 50)
    assert client.delete(url, headers={**TUS, "X-API-Key": user_key}).status_code == 204
    assert client.head(url, headers={**TUS, "X-API-Key": user_key}).status_code == 404
    assert not part_path(settings, url.rsplit("/", 1)[1]).exists()


def test_malformed_metadata_is_400(client, user_key) -> None:
    resp = client.post(
        "/videos/uploads",
        headers={
            **TUS,
            "X-API-Key": user_key,
            "Upload-Length": "5",
            "Upload-Metadata": "title !!notb64",
        },
    )
    assert resp.status_code == 400
