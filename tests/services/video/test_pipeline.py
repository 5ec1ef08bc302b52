"""Upload -> sensor adds a partition -> automation asks for the assets -> they transcode ->
the playback API sees the ladder."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from assets.resources import SystemResource
from assets.video import video_ladder, video_per_title, video_probe, video_thumbnails
from pipelines.automation.video import video_upload_sensor
from services.video.ingest import rendition_dir
from services.video.renditions import served_rungs
from tests.media.clips import clip
from tests.services.video.helpers import upload


@pytest.mark.slow
def test_upload_sensor_partition_and_assets_publish_a_checked_ladder(
    client, user_key, settings
) -> None:
    vid, resp = upload(client, user_key, clip(640, 360, 4.0), {"title": "Pattern", "tags": "a"})
    assert resp.status_code == 204
    video = SystemResource.with_service("video", client.app.state.services["video"])
    instance = dg.DagsterInstance.ephemeral()

    ctx = dg.build_sensor_context(instance=instance, resources={"video": video})
    result = video_upload_sensor(ctx)
    assert not result.run_requests  # the assets' automation runs the new partition
    assert result.dynamic_partitions_requests[0].partition_keys == [vid]
    instance.add_dynamic_partitions("videos", [vid])
    again = video_upload_sensor(
        dg.build_sensor_context(instance=instance, resources={"video": video}, cursor=result.cursor)
    )
    assert isinstance(again, dg.SkipReason)

    run = dg.materialize(
        [video_probe, video_ladder, video_thumbnails, video_per_title],
        instance=instance,
        partition_key=vid,
        resources={"video": video},
        run_config={"ops": {"video_per_title": {"config": {"crfs": [24, 34], "max_heights": 2}}}},
    )
    assert run.success
    evaluations = run.get_asset_check_evaluations()
    assert {e.metadata["partition"].value for e in evaluations} == {vid}
    checks = {e.check_name: e.passed for e in evaluations}
    assert checks == {
        "renditions_decode": True,
        "segment_durations": True,
        "keyframes_aligned": True,
        "vmaf_floor": True,
    }
    out = rendition_dir(settings, vid)
    for name in (
        "master.m3u8",
        "manifest.mpd",
        "thumbs/poster.jpg",
        "thumbs/sprite.jpg",
        "thumbs/thumbnails.vtt",
        "pertitle.json",
    ):
        assert (out / name).exists(), name
    ladder = json.loads((out / "ladder.json").read_text())
    # the analysis ran first, so its per-shot ladder is what is served
    served = served_rungs(out, 640, 360, per_title=True)
    assert served[1] == "per-shot"
    assert [(r["width"], r["height"]) for r in ladder["rungs"]] == [
        (r.width, r.height) for r in served[0]
    ]
    assert all(r["vmaf"] > r["vmaf_floor"] for r in ladder["rungs"])
    mats = run.asset_materializations_for_node("video_ladder")
    assert mats[0].metadata["progress"].data[-1][1] == 1.0
    pt = run.asset_materializations_for_node("video_per_title")[0].metadata
    assert pt["plot"].value.startswith("![per-title ladder](data:image/png;base64,")

    play = client.get(f"/videos/{vid}/playback").json()
    assert play["ready"] and [r["name"] for r in play["ladder"]] == [
        r["name"] for r in ladder["rungs"]
    ]
    master = client.get(f"/videos/{vid}/files/master.m3u8")
    assert master.status_code == 200 and master.text.startswith("#EXTM3U")
    seg = client.get(f"/videos/{vid}/files/seg-0-00001.m4s", headers={"Range": "bytes=0-99"})
    assert seg.status_code == 206 and len(seg.content) == 100
    assert client.get(f"/videos/{vid}/files/../../../etc/passwd").status_code == 404


def test_per_title_grid_spreads_heights_and_keeps_both_ends() -> None:
    from services.video.renditions import grid_heights

    assert grid_heights([234, 360, 432, 540, 720], 3) == (234, 432, 720)
    assert grid_heights([234, 360], 3) == (234, 360)
    assert grid_heights([234, 360, 432, 540, 720, 1080], 2) == (234, 1080)
