"""The notifications workload runs end to end on loopback and reports per-channel figures."""

from __future__ import annotations

import random

import pytest


@pytest.mark.slow
def test_workload_delivers_everything_due_without_duplicates(client, settings):
    from pipelines.workload import WorkloadContext
    from pipelines.workload.notify import WORKLOAD

    logs: list[str] = []
    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(5), log=logs.append, scale=0.3
    )
    WORKLOAD.run(ctx)
    facts = ctx.facts["notify"]
    assert facts["dupes"] == 0
    assert facts["answers"].get(422, 0) >= 0 and facts["answers"].get(202, 0) > 0
    statuses = {status for _, status, _, _ in facts["by"]}
    assert "dead" not in statuses  # the DLQ was replayed and drained
    assert statuses & {"sent", "delivered"}
    lines = WORKLOAD.summarize(ctx)
    assert any(line.strip().startswith("email ") for line in lines)
    assert facts["emails"] > 0 and facts["callbacks"] > 0
