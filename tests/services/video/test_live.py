"""Live streaming end to end on loopback: ffmpeg pushes a generated test card over RTMP as OBS
would, the service transcodes it live into a two-rung HLS ladder, and the stream becomes a VOD
when the broadcaster leaves, drops, or the owner ends it. Garbage, an unsupported codec, a
wrong stream key and a push without audio are refused without leaving a video behind."""

from __future__ import annotations

import os
import signal
import socket
import time

import pytest

from media.live import push_test_source
from tests.services.video.helpers import spooled_events

pytestmark = pytest.mark.slow


@pytest.fixture
def bob_key(client, admin_headers) -> str:
    resp = client.post(
        "/auth/keys", json={"user_id": "bob", "roles": ["user"]}, headers=admin_headers
    )
    return resp.json()["api_key"]


def _open(client, key: str, title: str = "test card") -> dict:
    resp = client.post("/videos/live", json={"title": title}, headers={"X-API-Key": key})
    assert resp.status_code == 201, resp.text
    return resp.json()


def _wait_state(
    client, key: str, sid: str, states: set[str], timeout: float = 40, refused: int = 0
) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/videos/live/{sid}", headers={"X-API-Key": key}).json()
        ok = body["state"] in states and body["refused_pushes"] >= refused
        if ok or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def _wait_segments(client, sid: str, n: int, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        resp = client.get(f"/videos/live/{sid}/360p.m3u8")
        if resp.status_code == 200:
            text = resp.text
            if text.count(".ts") >= n:
                return text
        time.sleep(0.2)
    return text


def test_a_pushed_stream_plays_live_then_becomes_a_vod(
    client, settings, emitter, user_key, bob_key
) -> None:
    stream = _open(client, user_key)
    sid = stream["id"]
    assert stream["state"] == "waiting" and stream["rtmp_url"].endswith(
        f"/live/{stream['stream_key']}"
    )
    # Someone else's stream is not there, and neither is its key; nobody else may end it.
    assert client.get(f"/videos/live/{sid}", headers={"X-API-Key": bob_key}).status_code == 404
    assert client.post(f"/videos/live/{sid}/end", headers={"X-API-Key": bob_key}).status_code == 404
    # A publish under another key is dropped, and the listener waits on for the broadcaster.
    wrong = stream["rtmp_url"].rsplit("/", 1)[0] + "/not-the-key"
    push_test_source(wrong, 2).wait(timeout=20)
    assert _wait_state(client, user_key, sid, {"waiting"}, refused=1)["refused_pushes"] == 1

    pusher = push_test_source(stream["rtmp_url"], 7)
    try:
        live = _wait_segments(client, sid, 2)
        assert "#EXT-X-PLAYLIST-TYPE:EVENT" in live and "#EXT-X-ENDLIST" not in live
        assert _wait_state(client, user_key, sid, {"live"})["state"] == "live"
        master = client.get(f"/videos/live/{sid}/master.m3u8")
        assert master.headers["cache-control"].startswith("public, max-age=1")
        assert master.text.count("#EXT-X-STREAM-INF") == 2
        seg = client.get(f"/videos/live/{sid}/360p_00000.ts")
        assert seg.status_code == 200 and "immutable" in seg.headers["cache-control"]
        # The same files at the catalogue's paths are what the CDN origin serves.
        assert (settings.blobs_dir / "videos" / sid / "master.m3u8").is_file()
        assert client.get(f"/videos/{sid}").status_code == 404  # not a video while live
        assert pusher.wait(timeout=30) == 0
    finally:
        pusher.kill()
    done = _wait_state(client, user_key, sid, {"ended", "failed"})
    assert done["state"] == "ended" and done["video_id"] == sid, done
    video = client.get(f"/videos/{sid}").json()
    assert video["ready"] and video["user_id"] == "alice" and 5.5 < video["duration_s"] < 8.5
    vod = client.get(f"/videos/{sid}/360p.m3u8").text
    assert vod.rstrip().endswith("#EXT-X-ENDLIST") and vod.count(".ts") >= 3
    types = [e["type"] for e in spooled_events(settings, emitter)]
    assert "live_create" in types and "live_end" in types


def test_the_owner_ends_a_stream_and_a_dropped_one_keeps_what_arrived(client, user_key) -> None:
    ended = _open(client, user_key, "ended by owner")
    dropped = _open(client, user_key, "dropped")
    assert (
        client.post(
            "/videos/live", json={"title": "third"}, headers={"X-API-Key": user_key}
        ).status_code
        == 409
    )  # two open streams at most
    a = push_test_source(ended["rtmp_url"], 60)
    b = push_test_source(dropped["rtmp_url"], 60)
    try:
        _wait_segments(client, ended["id"], 1)
        _wait_segments(client, dropped["id"], 1)
        os.kill(b.pid, signal.SIGKILL)  # the broadcaster's link dies mid-stream
        resp = client.post(f"/videos/live/{ended['id']}/end", headers={"X-API-Key": user_key})
        assert resp.status_code == 200 and resp.json()["state"] == "ended", resp.text
        again = client.post(f"/videos/live/{ended['id']}/end", headers={"X-API-Key": user_key})
        assert again.status_code == 409
    finally:
        a.kill()
        b.kill()
    gone = _wait_state(client, user_key, dropped["id"], {"ended", "failed"})
    assert gone["state"] == "ended", gone
    for sid in (ended["id"], dropped["id"]):
        video = client.get(f"/videos/{sid}").json()
        assert video["ready"] and 1.0 < video["duration_s"] < 30
        assert client.get(f"/videos/{sid}/234p.m3u8").text.rstrip().endswith("#EXT-X-ENDLIST")


def _port(url: str) -> int:
    return int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


@pytest.mark.parametrize("push", ["garbage", "flv1", "no-audio"])
def test_a_push_that_cannot_be_a_video_fails_cleanly(client, settings, user_key, push) -> None:
    stream = _open(client, user_key)
    sid = stream["id"]
    if push == "garbage":
        with socket.create_connection(("127.0.0.1", _port(stream["rtmp_url"])), timeout=5) as s:
            s.sendall(os.urandom(4096) + b"GET / HTTP/1.1\r\n\r\n" * 50)
            time.sleep(1)
    else:
        codec = "flv" if push == "flv1" else "libx264"
        pusher = push_test_source(
            stream["rtmp_url"], 4, video_codec=codec, audio=push != "no-audio"
        )
        try:
            pusher.wait(timeout=30)
        finally:
            pusher.kill()
    failed = _wait_state(client, user_key, sid, {"ended", "failed"})
    assert failed["state"] == "failed" and failed["video_id"] is None, failed
    expected = {
        "garbage": "could not be read",
        "flv1": "unsupported video codec flv1",
        "no-audio": "no audio track",
    }[push]
    assert expected in failed["reason"], failed
    assert client.get(f"/videos/{sid}").status_code == 404
    assert client.get(f"/videos/live/{sid}/master.m3u8").status_code == 404
    assert not (settings.blobs_dir / "videos" / sid).exists()


def test_bad_input_is_a_4xx(client, user_key) -> None:
    key = {"X-API-Key": user_key}
    assert client.post("/videos/live", json={"title": ""}, headers=key).status_code == 422
    assert client.post("/videos/live", json={"title": "x"}).status_code == 401
    assert client.get("/videos/live/nope", headers=key).status_code == 404
    assert client.get("/videos/live/nope%01/master.m3u8").status_code in (400, 404)
