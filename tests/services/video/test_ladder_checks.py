"""The ladder asset's checks tell apart rungs that share a height."""

from __future__ import annotations

import json

from assets.video import ladder_check_results
from media.ladder import build_ladder
from media.playlists import Rendition, rendition_names
from media.probe import probe
from services.video.quality import measure_ladder
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
    report = measure_ladder(out, source, info)
    results = {r.check_name: r for r in ladder_check_results(report, "v1")}
    assert results["renditions_decode"].metadata["renditions"].value == 4
    assert results["keyframes_aligned"].passed
    assert results["vmaf_floor"].metadata["partition"].value == "v1"
    scored = results["vmaf_floor"].metadata["vmaf"].value  # keyed by name, one per rendition
    assert len(scored) == 4 and {"234p", "360p"} < set(scored)  # and two 432p names
    written = json.loads((out / "ladder.json").read_text())["rungs"]
    assert [r["name"] for r in written] == list(scored)


def test_a_rung_below_its_vmaf_floor_fails_that_check_only() -> None:
    from services.video.quality import LadderReport

    report = LadderReport(
        renditions=1,
        rungs=[{"name": "360p", "vmaf": 20.0}],
        below_floor={"360p": {"vmaf": 20.0, "floor": 45.0}},
    )
    passed = {r.check_name: r.passed for r in ladder_check_results(report, "v1")}
    assert passed == {
        "renditions_decode": True,
        "segment_durations": True,
        "keyframes_aligned": True,
        "vmaf_floor": False,
    }
