"""The watch page in headless Chromium: it routes to a CDN edge, plays with the project's own
hls.js or dash.js, fills the quality menu and loads the thumbnail track. With
``BLUEPRINT_SCREENSHOT_DIR`` set, it leaves a screenshot of each page there."""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import pytest

from services.app import create_app
from services.cdn.process import start_edge, start_origin
from tests.services.cdn.helpers import serve_in_thread
from tests.services.video.browser import Chromium, player_libs
from tests.services.video.test_watch import add_video, ladder  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
STATE = (
    "(() => { const w = window.__watch; if (!w) return null; "
    "const q = document.getElementById('quality'); "
    "w.menu = Array.from(q.options).map((o) => o.text); "
    "w.done = w.started && w.time > 1.0 && w.thumbnails > 0 && w.menu.length > 1 || !!w.fatal; "
    "return w; })()"
)


@pytest.fixture
def site(settings, emitter, admin_headers, ladder):  # noqa: F811
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium is not installed (make tools installs it when root)")
    libs = player_libs()
    if libs is None:
        pytest.skip("hls.js/dash.js could not be installed from npm")
    app = create_app(settings, emitter)
    svc = app.state.services["video"]
    svc.conf = svc.conf.model_copy(update={"player_libs_dir": libs})
    server, thread, port = serve_in_thread(app, lifespan="on")
    base = f"http://127.0.0.1:{port}"
    try:
        from fastapi.testclient import TestClient

        client = TestClient(app)
        vid = add_video(client, ladder, title="Synthetic test card")
        with (
            start_origin(settings.blobs_dir, settings=settings) as origin,
            start_edge(origin.url, name="watch-edge", region="eu-west", settings=settings) as edge,
        ):
            reg = {"name": edge.name, "url": edge.url, "region": edge.region, "token": edge.token}
            client.post("/cdn/edges", json=reg, headers=admin_headers).raise_for_status()
            yield base, vid, binary, edge.url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.parametrize("fmt", ["hls", "dash"])
def test_the_watch_page_plays_through_the_edge_with_a_quality_menu(site, fmt: str) -> None:
    base, vid, binary, edge_url = site
    browser = Chromium(binary)
    try:
        browser.send("Page.enable")
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            width=1000,
            height=760,
            deviceScaleFactor=1,
            mobile=False,
        )
        browser.navigate(f"{base}/videos/{vid}/watch?format={fmt}")
        state = browser.wait_for(STATE, timeout=90)
        shots = os.environ.get("BLUEPRINT_SCREENSHOT_DIR")
        if shots:
            png = browser.send("Page.captureScreenshot", format="png")["data"]
            (Path(shots) / f"watch-{fmt}.png").write_bytes(base64.b64decode(png))
    finally:
        browser.close()
    assert state is not None, "the watch page never ran"
    assert state["fatal"] is None, state
    assert state["base"] == edge_url and state["edge"] == "watch-edge", state
    assert state["started"] and state["time"] > 1.0, state
    assert state["menu"][0] == "Auto" and len(state["menu"]) == 1 + len(state["levels"]) > 2
    assert state["thumbnails"] > 0
