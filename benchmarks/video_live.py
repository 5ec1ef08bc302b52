"""Live streaming latency on loopback: ffmpeg pushes a generated test card over RTMP in real
time (as OBS would), the video service transcodes it live into its two-rung HLS ladder with
2 s segments, and hls.js in headless Chromium plays it through the API.

Figures:

- ``live_glass_to_glass_s``: median of ``now - t0 - currentTime`` in the playing browser
  (``t0``: the wall-clock time the broadcaster started; ``currentTime``: the presentation time
  of the frame on screen since the stream's first frame), over the second half of playback.
  The pusher's own start-up counts in it, so it slightly overestimates.
- ``live_segment_ready_s``: median time from the last frame of a segment being pushed to the
  segment being listed in the live playlist (ingest + transcode + packaging). It comes out
  near zero, within the pusher's pacing error of a frame or two (so it may be slightly
  negative): the live transcoder keeps up, and the player's hold-back of a few segments is
  what the glass-to-glass figure is made of.
- ``segment_s``: the median segment duration of the recorded playlist.
- ``latency_in_segments``: glass-to-glass over the segment duration measured in the same run
  (the baseline: HLS players hold back a few segments, so this is what LL-HLS would cut).

Needs Chromium and npm (hls.js); skips with a reason when either is absent. Generated source,
so no data from ``../shared/data/`` is read. Usage: ``python -m benchmarks.video_live
[--seconds 20]`` or ``make bench-video-live``. Last line: ``RESULT
live_glass_to_glass_s=<x> live_segment_ready_s=<x> segment_s=<x> latency_in_segments=<x>``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from media.live import push_test_source
from services.app import create_app
from tests.services.cdn.helpers import serve_in_thread
from tests.services.video import live_player
from tests.services.video.browser import Chromium, player_libs
from warehouse.emitter import Emitter, SpoolTransport
from warehouse.settings import Settings


def _watch_playlist(path: Path, t0: float, stop: threading.Event, out: list[float]) -> None:
    """Record, per new segment, (time listed) - (t0 + media end of the segment)."""
    seen = 0
    while not stop.is_set():
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        now = time.time()
        durations = [float(ln[8:].split(",")[0]) for ln in lines if ln.startswith("#EXTINF:")]
        for k in range(seen, len(durations)):
            if durations[k] >= 1.0:  # the short tail segment at the very end is no sample
                out.append(now - (t0 + sum(durations[: k + 1])))
        seen = len(durations)
        time.sleep(0.05)


def measure(seconds: float, data_dir: Path) -> dict[str, float] | str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        return "chromium is not installed (make tools)"
    libs = player_libs()
    if libs is None:
        return "hls.js could not be installed from npm"
    settings = Settings(data_dir=data_dir)
    emitter = Emitter(SpoolTransport(settings))
    app = create_app(settings, emitter)
    live_player.mount(app, libs)
    server, thread, port = serve_in_thread(app, lifespan="on")
    base = f"http://127.0.0.1:{port}"
    admin = {"X-API-Key": settings.admin_api_key}
    key = (
        TestClient(app)
        .post("/auth/keys", json={"user_id": "bench", "roles": ["user"]}, headers=admin)
        .json()["api_key"]
    )
    browser = Chromium(binary)
    stop = threading.Event()
    ready: list[float] = []
    try:
        with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=10) as http:
            stream = http.post("/videos/live", json={"title": "latency"}).json()
            playlist = app.state.services["video"].live.out_dir(stream["id"]) / "360p.m3u8"
            t0 = time.time()
            pusher = push_test_source(stream["rtmp_url"], seconds)
            watcher = threading.Thread(target=_watch_playlist, args=(playlist, t0, stop, ready))
            watcher.start()
            deadline = time.monotonic() + 20
            while http.get(stream["hls"]).status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.1)
            state = live_player.play(
                browser, base, stream["hls"], "false", timeout=max(5.0, seconds - 6), t0=t0
            )
            pusher.wait(timeout=seconds + 30)
            stop.set()
            watcher.join()
    finally:
        stop.set()
        browser.close()
        server.should_exit = True
        thread.join(timeout=30)
        svc = app.state.services["video"]
        svc.live.wait(stream["id"], 30)
    if state.get("fatal"):
        return f"the player failed: {state['fatal']}"
    g2g = live_player.glass_to_glass(state)
    if g2g is None or not ready:
        return "no playback samples"
    text = playlist.read_text(encoding="utf-8") if playlist.exists() else ""
    durations = [float(ln[8:].split(",")[0]) for ln in text.splitlines() if ln[:8] == "#EXTINF:"]
    seg = statistics.median(durations) if durations else 2.0
    return {
        "live_glass_to_glass_s": g2g,
        "live_segment_ready_s": statistics.median(ready),
        "segment_s": seg,
        "latency_in_segments": g2g / seg,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the broadcast")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="video-live-") as tmp:
        result = measure(args.seconds, Path(tmp))
    if isinstance(result, str):
        print(f"SKIP {result}")
        return
    print(" ".join(f"{k}={v:.3f}" for k, v in result.items()))
    print("RESULT " + " ".join(f"{k}={v:.3f}" for k, v in result.items()))


if __name__ == "__main__":
    main()
