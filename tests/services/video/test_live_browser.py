"""hls.js in headless Chromium plays a live stream while ffmpeg pushes it over RTMP, and plays
an AES-128 protected video with a playback token, and fails to without one."""

from __future__ import annotations

import shutil
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from media.live import push_test_source
from services.app import create_app
from tests.media.clips import clip
from tests.services.cdn.helpers import serve_in_thread
from tests.services.video import live_player
from tests.services.video.browser import Chromium, player_libs

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def site(settings, emitter, admin_headers):
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium is not installed (make tools installs it when root)")
    libs = player_libs()
    if libs is None:
        pytest.skip("hls.js could not be installed from npm")
    app = create_app(settings, emitter)
    live_player.mount(app, libs)
    server, thread, port = serve_in_thread(app, lifespan="on")
    client = TestClient(app)
    key = client.post(
        "/auth/keys", json={"user_id": "alice", "roles": ["user"]}, headers=admin_headers
    ).json()["api_key"]
    browser = Chromium(binary)
    try:
        yield f"http://127.0.0.1:{port}", {"X-API-Key": key}, browser, app
    finally:
        browser.close()
        server.should_exit = True
        thread.join(timeout=10)


def test_hls_js_plays_a_live_stream_while_it_is_pushed(site) -> None:
    base, auth, browser, _ = site
    with httpx.Client(base_url=base, headers=auth, timeout=10, trust_env=False) as http:
        stream = http.post("/videos/live", json={"title": "live in the browser"}).json()
        t0 = time.time()
        pusher = push_test_source(stream["rtmp_url"], 14)
        try:
            # A viewer's page opens once the stream is on air (its master playlist exists).
            deadline = time.monotonic() + 15
            while http.get(stream["hls"]).status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            state = live_player.play(
                browser,
                base,
                stream["hls"],
                "R.started && R.time > 3 && R.samples.length > 10",
                timeout=14,
                t0=t0,
            )
            still_live = pusher.poll() is None
            playlist = http.get(f"/videos/live/{stream['id']}/360p.m3u8").text
        finally:
            pusher.kill()
        assert state.get("fatal") is None, state
        assert state["started"] and state["time"] > 3 and state["live"] is True, state
        assert state["levels"] == 2
        assert still_live and "#EXT-X-ENDLIST" not in playlist  # played while live
        latency = live_player.glass_to_glass(state)
        assert latency is not None and 0 < latency < 15, state["samples"][-5:]
        deadline = time.monotonic() + 30
        while http.get(f"/videos/live/{stream['id']}").json()["state"] != "ended":
            assert time.monotonic() < deadline, "the stream never ended"
            time.sleep(0.3)
        assert http.get(f"/videos/{stream['id']}").json()["ready"]


def test_hls_js_plays_a_protected_video_only_with_a_token(site) -> None:
    base, auth, browser, app = site
    svc = app.state.services["video"]
    vid = svc.uploads.import_file("alice", clip(320, 180, 4.0), {"title": "protected"}).id
    with httpx.Client(base_url=base, headers=auth, timeout=60, trust_env=False) as http:
        done = http.post(f"/videos/{vid}/drm").raise_for_status().json()
        token = http.post(f"/videos/{vid}/drm/token").json()["token"]
    hls = done["hls"]
    played = live_player.play(browser, base, hls, "R.started && R.time > 1", 40, token=token)
    assert played.get("fatal") is None and played["started"] and played["keys"] >= 1, played
    refused = live_player.play(browser, base, hls, "false", 20)
    assert refused.get("fatal") == "keyLoadError" and not refused["started"], refused
    # dash.js: ClearKey CENC through the license server, with and without the token.
    dash = {"mode": "dash", "license": base + done["license_uri"]}
    played = live_player.play(
        browser, base, done["dash"], "R.started && R.time > 1", 40, token=token, **dash
    )
    assert played.get("fatal") is None and played["started"] and played["keys"] >= 1, played
    refused = live_player.play(browser, base, done["dash"], "R.time > 1", 20, **dash)
    assert refused.get("fatal") and refused["time"] == 0, refused
