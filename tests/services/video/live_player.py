"""An hls.js (and dash.js) page for live and protected streams, served by the app under test
(same origin as the key server), and the measurement of glass-to-glass latency it reports.

The page samples ``now - t0 - currentTime`` while playing: ``t0`` is the wall-clock time the
broadcaster started pushing, and ``currentTime`` is the presentation time of the frame on
screen, counted from the stream's first frame (the EVENT playlist keeps every segment from
the start, so hls.js places segment k at 2k seconds). The difference is the time from a frame
leaving the broadcaster to it being shown: glass to glass, up to the pusher's own start-up
(which makes it a slight overestimate)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from tests.services.video.browser import Chromium

PATH = "/__live_player"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>live</title>
<script>__LIB__</script></head><body><video id="v" muted playsinline width="640"></video>
<script>
const q = new URLSearchParams(location.search);
const R = {started: false, time: 0, fatal: null, errors: [], samples: [], keys: 0, live: null};
window.__result = R;
window.addEventListener("error", (e) => { R.fatal = "page error: " + e.message; });
const t0 = parseFloat(q.get("t0") || "0");
const token = q.get("token");
const v = document.getElementById("v");
v.addEventListener("playing", () => { R.started = true; });
v.addEventListener("timeupdate", () => {
  R.time = v.currentTime;
  if (t0 && !v.paused && v.currentTime > 0) R.samples.push(Date.now() / 1000 - t0 - v.currentTime);
});
if (q.get("mode") === "dash") {
  const p = dashjs.MediaPlayer().create();
  const lic = {serverURL: q.get("license")};
  if (token) lic.httpRequestHeaders = {"X-Playback-Token": token};
  p.setProtectionData({"org.w3.clearkey": lic});
  const keyed = (dashjs.Protection && dashjs.Protection.events.KEY_SESSION_UPDATED)
    || "public_keySessionUpdated";
  p.on(keyed, () => { R.keys += 1; });
  p.on(dashjs.MediaPlayer.events.ERROR, (e) => {
    const m = JSON.stringify(e.error || e).slice(0, 300); R.errors.push(m); R.fatal = m;
  });
  p.initialize(v, q.get("src"), true);
} else {
const hls = new Hls({
  xhrSetup: (xhr, url) => {
    if (token && url.includes("/drm/key")) {
      xhr.open("GET", url, true);
      xhr.setRequestHeader("X-Playback-Token", token);
    }
  },
});
hls.on(Hls.Events.KEY_LOADED, () => { R.keys += 1; });
hls.on(Hls.Events.LEVEL_LOADED, (e, d) => { R.live = d.details.live; });
hls.on(Hls.Events.ERROR, (e, d) => { R.errors.push(d.details); if (d.fatal) R.fatal = d.details; });
hls.on(Hls.Events.MANIFEST_PARSED, () => { R.levels = hls.levels.length; v.play(); });
hls.loadSource(q.get("src"));
hls.attachMedia(v);
}
</script></body></html>"""


def mount(app: FastAPI, libs: Path) -> None:
    """Serve the page at :data:`PATH`, ahead of every catch-all route of the app."""
    lib = "\n".join(
        (libs / name).read_text(encoding="utf-8")
        for name in ("hls.js/dist/hls.min.js", "dashjs/dist/dash.all.min.js")
    )
    page = PAGE.replace("__LIB__", lib.replace("</script", "<\\/script"))
    app.add_api_route(PATH, lambda: HTMLResponse(page), include_in_schema=False)
    app.router.routes.insert(0, app.router.routes.pop())


def play(
    browser: Chromium, base: str, src: str, until: str, timeout: float, **params: Any
) -> dict[str, Any]:
    """Open the page on ``src`` and poll until the JS condition ``until`` (over ``R``) holds
    or a fatal error; returns the page's result."""
    from urllib.parse import urlencode

    browser.navigate(f"{base}{PATH}?{urlencode({'src': src, **params})}")
    expr = (
        "(() => { const R = window.__result; if (!R) return null; "
        f"R.done = !!R.fatal || ({until}); return R; }})()"
    )
    deadline = time.monotonic() + timeout
    state = browser.wait_for(expr, timeout)
    while state is None and time.monotonic() < deadline:
        time.sleep(0.2)
        state = browser.evaluate(expr)
    return state or {}


def glass_to_glass(state: dict[str, Any]) -> float | None:
    """The median latency over the second half of the samples (after start-up settles)."""
    samples = state.get("samples") or []
    tail = samples[len(samples) // 2 :]
    return statistics.median(tail) if tail else None
