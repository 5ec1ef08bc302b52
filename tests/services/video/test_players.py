"""Real players stream our ladder through a CDN edge: hls.js (HLS master playlist) and
dash.js (MPD) in headless Chromium."""

from __future__ import annotations

import shutil

import pytest

from media.ladder import build_ladder, publish
from media.probe import probe
from services.cdn.process import start_edge, start_origin
from tests.media.clips import clip
from tests.services.video.browser import Chromium, player_libs, player_page
from warehouse.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]
RESULT = (
    "(() => { const r = window.__result; if (!r) return null; "
    "r.done = r.started && r.time > 1.0 && r.levels.length > 1 || !!r.fatal; "
    "return r; })()"
)


@pytest.fixture(scope="module")
def edge_site(tmp_path_factory: pytest.TempPathFactory):
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium is not installed (make tools installs it when root)")
    libs = player_libs()
    if libs is None:
        pytest.skip("hls.js/dash.js could not be installed from npm")
    settings = Settings(data_dir=tmp_path_factory.mktemp("player-data"))
    blobs = settings.blobs_dir
    source = clip(640, 360, 6.0)
    info = probe(source, tmp_path_factory.mktemp("job"))
    build = tmp_path_factory.mktemp("build") / "ladder"
    build_ladder(source, info, build)
    publish(build, blobs / "videos" / "browser")
    player = blobs / "player"
    player.mkdir(parents=True)
    for mode in ("hls", "dash"):
        (player / f"{mode}.html").write_text(player_page(libs, mode), encoding="utf-8")
    with (
        start_origin(blobs, settings=settings) as origin,
        start_edge(origin.url, settings=settings, region="eu-west") as edge,
    ):
        yield edge.url, binary


@pytest.mark.parametrize(("mode", "manifest"), [("hls", "master.m3u8"), ("dash", "manifest.mpd")])
def test_player_streams_and_switches_renditions_through_an_edge(
    edge_site, mode: str, manifest: str
) -> None:
    base, binary = edge_site
    browser = Chromium(binary)
    try:
        browser.send("Page.enable")
        browser.navigate(f"{base}/player/{mode}.html?mode={mode}&src=/videos/browser/{manifest}")
        result = browser.wait_for(RESULT, timeout=90)
        page = browser.evaluate("location.href + ' ' + document.readyState")
    finally:
        browser.close()
    assert result is not None, f"the player page never ran ({page})"
    assert result["supported"], "this Chromium cannot play H.264 in MSE"
    assert result["fatal"] is None, result
    assert result["started"] and result["time"] > 1.0, result
    assert result["renditions"] == 2
    assert len(result["levels"]) > 1, result  # more than one rendition's segments loaded
