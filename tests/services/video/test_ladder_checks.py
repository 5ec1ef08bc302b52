"""The ladder asset's checks tell apart rungs that share a height."""

from __future__ import annotations

from assets.video import _ladder_checks
from media.ladder import build_ladder
from media.playlists import Rendition, rendition_names
from media.probe import probe
from tests.media.clips import clip


def test_renditions_that_share_a_height_get_distinct_names() -> None:
    rs = [
        Rendition("a.m3u8", 365_000, 640, 360, "i"),
        Rendition("b.m3u8", 730_400, 768, 432, "i"),
        Rendition("c.m3u8", 1_100_000, 768, 432, "i"),
    ]
    assert rendition_names(rs) == ["360p", "432p-730k", "432p-1100k"]


def test_every_rung_of_apples_two_rung_heights_is_checked(tmp_path) -> None:
    source = clip(768, 432, 2.0, audio=False)
    info = probe(source, tmp_path / "job")
    out = build_ladder(source, info, tmp_path / "out").out_dir
    results = {r.check_name: r for r in _ladder_checks(out, source, info)}
    assert results["renditions_decode"].metadata["renditions"].value == 4
    assert results["keyframes_aligned"].passed
    scored = results["vmaf_floor"].metadata["vmaf"].value  # keyed by name, one per rendition
    assert len(scored) == 4 and {"234p", "360p"} < set(scored)  # and two 432p names
