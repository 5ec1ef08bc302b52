"""The video service as its composition root builds it: settings from ``BLUEPRINT_VIDEO_*``,
its own clock, domain errors that carry the tus headers, and its own events."""

from __future__ import annotations

import asyncio

import pytest

from services.compose import build_service
from services.errors import Conflict, NotFound, TooLarge
from services.video.service import VideoService
from services.video.settings import VideoSettings
from services.video.system import build
from services.video.uploads import VideoRejected
from tests.media.clips import clip, hostile
from tests.services.video.helpers import spooled_events


def test_the_app_holds_the_one_video_service_its_composition_root_built(client) -> None:
    svc = client.app.state.services["video"]
    assert isinstance(svc, VideoService)
    assert not hasattr(client.app.state, "video_store")
    assert not hasattr(client.app.state, "video_locks")


def test_the_upload_cap_and_admission_limits_come_from_the_environment(
    settings, emitter, monkeypatch
) -> None:
    monkeypatch.setenv("BLUEPRINT_VIDEO_MAX_UPLOAD_BYTES", "1000000")
    monkeypatch.setenv("BLUEPRINT_VIDEO_MAX_DURATION_S", "1.5")
    svc = build_service(settings, emitter, "video")
    try:
        assert svc.uploads.max_bytes == 1_000_000 and svc.limits.max_duration_s == 1.5
        with pytest.raises(TooLarge) as err:
            svc.uploads.create("alice", 1_000_001, {})
        assert err.value.headers["Tus-Resumable"] == "1.0.0"
        with pytest.raises(VideoRejected, match="long"):
            svc.uploads.import_file("alice", clip(320, 180, 2.0), {"title": "too long"})
    finally:
        svc.close()


def test_admission_and_comments_are_stamped_by_the_injected_clock(settings, emitter) -> None:
    svc = build(settings, emitter, clock=lambda: 1_700_000_000.0)
    try:
        video = svc.uploads.import_file("alice", clip(), {"title": "Clocked", "tags": "a,b"})
        assert video.created == 1_700_000_000.0 and video.tags == ["a", "b"]
        assert svc.admitted_after(1_699_999_999.0) == [(video.id, 1_700_000_000.0)]
        assert svc.admitted_after(1_700_000_000.0) == []
        comment = svc.comment(video.id, "bob", "first")
        assert comment.created == 1_700_000_000.0
        assert [c.text for c in svc.comments(video.id).items] == ["first"]
    finally:
        svc.close()
    types = [e["type"] for e in spooled_events(settings, emitter) if e["entity"] == video.id]
    assert types == [
        "upload_created",
        "upload_chunk",
        "upload_completed",
        "video_admitted",
        "comment",
    ]


def test_a_stale_offset_is_a_conflict_that_tells_the_servers_offset(settings, emitter) -> None:
    svc = build(settings, emitter, conf=VideoSettings(max_upload_bytes=100))
    up = svc.uploads.create("alice", 10, {})

    async def body(*chunks: bytes):
        for c in chunks:
            yield c

    assert asyncio.run(svc.uploads.append(up.id, 0, body(b"abc", b"de"), "alice")) == 5
    with pytest.raises(Conflict) as err:
        asyncio.run(svc.uploads.append(up.id, 0, body(b"abc"), "alice"))
    assert err.value.headers["Upload-Offset"] == "5"
    with pytest.raises(TooLarge):
        asyncio.run(svc.uploads.append(up.id, 5, body(b"123456"), "alice"))
    assert svc.uploads.status(up.id, "alice").offset == 5  # nothing of the refused request kept
    svc.close()


def test_termination_is_for_the_owner_and_only_before_admission(settings, emitter) -> None:
    svc = build(settings, emitter)
    up = svc.uploads.create("alice", 10, {})
    with pytest.raises(NotFound):
        svc.uploads.terminate(up.id, "mallory")
    svc.uploads.terminate(up.id, "alice")
    with pytest.raises(NotFound):
        svc.uploads.status(up.id, "alice")
    video = svc.uploads.import_file("alice", clip(), {"title": "kept"})
    with pytest.raises(Conflict):
        svc.uploads.terminate(video.id, "alice")
    svc.close()


def test_a_hostile_import_is_rejected_with_its_reason_and_an_event(settings, emitter) -> None:
    svc = build(settings, emitter)
    with pytest.raises(VideoRejected) as err:
        svc.uploads.import_file("alice", hostile("ffconcat"), {"title": "evil"})
    assert err.value.status == 422 and err.value.message.startswith("video rejected: ")
    assert svc.catalogue() == []
    svc.close()
    rejected = [e for e in spooled_events(settings, emitter) if e["type"] == "upload_rejected"]
    assert len(rejected) == 1


def test_engagement_on_an_unknown_video_is_not_found_and_emits_nothing(settings, emitter) -> None:
    svc = build(settings, emitter)
    for act in (
        lambda: svc.view("nope", None),
        lambda: svc.like("nope", "bob"),
        lambda: svc.watch("nope", None, 3.0),
        lambda: svc.playback("nope"),
        lambda: svc.file("nope", "master.m3u8"),
    ):
        with pytest.raises(NotFound):
            act()
    svc.close()
    assert spooled_events(settings, emitter) == []
