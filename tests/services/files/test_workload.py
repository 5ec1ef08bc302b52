"""The file workload runs end to end: sync, edit by delta, dedup across users, a conflict
copy, and a share link read through a CDN edge."""

from __future__ import annotations

import random

import pytest


@pytest.mark.slow
def test_workload_syncs_by_delta_and_reads_a_share_through_the_cdn(client, settings):
    from pipelines.workload import WorkloadContext
    from pipelines.workload.files import WORKLOAD

    logs: list[str] = []
    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(5), log=logs.append, scale=0.1
    )
    WORKLOAD.run(ctx)
    facts = ctx.facts["files"]
    assert facts["first_sync"]["uploaded"] == facts["files"] > 0
    edit = facts["edit_sync"]
    assert edit["uploaded"] == 5
    assert 1 <= edit["chunks_sent"] <= 2 * edit["uploaded"]  # an insertion touches <= 2
    assert edit["bytes_sent"] < edit["bytes_total"]
    assert len(facts["conflicts"]) == 1
    assert facts["share"].startswith("200 MISS") and ", 200 HIT" in facts["share"]
    lines = WORKLOAD.summarize(ctx)
    assert any(line.startswith("dedup ratio ") for line in lines)
