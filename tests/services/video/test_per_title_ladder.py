"""The ladder asset serves the per-shot rungs of a stored analysis by default, the fixed ones
on request."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from assets.resources import SystemResource
from assets.video import video_ladder, video_per_title, video_probe
from media.pershot import stored_rungs as per_shot_rungs
from media.pertitle import stored_rungs
from services.video.ingest import rendition_dir
from services.video.renditions import vmaf_floor
from tests.media.clips import clip
from tests.services.video.helpers import upload


@pytest.mark.slow
def test_ladder_serves_the_per_shot_rungs_by_default_once_an_analysis_exists(
    client, user_key, settings
) -> None:
    vid, resp = upload(client, user_key, clip(640, 360, 4.0), {"title": "Per-title"})
    assert resp.status_code == 204
    video = SystemResource.with_service("video", client.app.state.services["video"])
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("videos", [vid])
    analysed = dg.materialize(
        [video_probe, video_per_title],
        instance=instance,
        partition_key=vid,
        resources={"video": video},
        run_config={"ops": {"video_per_title": {"config": {"crfs": [24, 34], "max_heights": 2}}}},
    )
    assert analysed.success
    out = rendition_dir(settings, vid)
    wanted = stored_rungs(json.loads((out / "pertitle.json").read_text()), vmaf_floor)
    assert wanted, "the analysis chose no servable rung"

    data = json.loads((out / "pertitle.json").read_text())
    per_shot = per_shot_rungs(data["per_shot"], vmaf_floor)
    assert per_shot, "the per-shot analysis chose no servable rung"

    # the fixed ladder on request
    fixed = dg.materialize(
        [video_ladder],
        instance=instance,
        partition_key=vid,
        resources={"video": video},
        run_config={"ops": {"video_ladder": {"config": {"per_title": False}}}},
    )
    assert fixed.success
    assert (
        fixed.asset_materializations_for_node("video_ladder")[0].metadata["ladder_source"].value
        == "fixed"
    )

    # by default, the analysis' per-shot ladder
    run = dg.materialize(
        [video_ladder], instance=instance, partition_key=vid, resources={"video": video}
    )
    assert run.success
    assert all(e.passed for e in run.get_asset_check_evaluations())
    meta = run.asset_materializations_for_node("video_ladder")[0].metadata
    assert meta["ladder_source"].value == "per-shot"
    served = json.loads((out / "ladder.json").read_text())["rungs"]
    assert [(r["width"], r["height"]) for r in served] == [(r.width, r.height) for r in per_shot]
    # the served renditions have the quality the analysis predicted from its shot encodes
    predicted = sorted(
        (a["kbps"], a["vmaf"])
        for r, a in zip(data["per_shot"]["rungs"], data["per_shot"]["served"], strict=True)
        if a["vmaf"] >= vmaf_floor(r["height"])
    )
    got = [r["vmaf"] for r in served]
    assert all(abs(a - b) < 5 for a, b in zip(got, [v for _, v in predicted], strict=True)), (
        got,
        predicted,
    )
