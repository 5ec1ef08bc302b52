"""The messaging workload runs on real sockets through the cutting proxy and loses nothing;
its delivered events pass the gap audit and feed the delivery-SLO asset."""

from __future__ import annotations

import random

import dagster as dg


def test_workload_delivers_everything_once_and_the_assets_audit_it(client, settings, emitter):
    from assets.chat import chat_delivery_gap_audit, chat_delivery_slo
    from assets.resources import PlatformResource
    from pipelines.workload import WorkloadContext
    from pipelines.workload.chat import WORKLOAD
    from warehouse.ingest import ingest_spool

    logs: list[str] = []
    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(3), log=logs.append, scale=0.15
    )
    WORKLOAD.run(ctx)
    facts = ctx.facts["chat"]
    assert (facts["lost"], facts["dupes"], facts["reorders"]) == (0, 0, 0)
    assert facts["sent"] > 0 and facts["deliveries"] > facts["sent"]
    assert facts["push_wakeups"] > 0  # the away user had no device online
    assert facts["attachments"].endswith("opened by another member: True")
    emitter.flush()  # seals the segment for ingestion
    ingest_spool(settings.spool_dir, settings.lake_dir)
    result = dg.materialize(
        [chat_delivery_slo, chat_delivery_gap_audit],
        resources={"platform": PlatformResource(data_dir=str(settings.data_dir))},
    )
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"chat_delivery_slo_is_consistent": True, "chat_delivery_has_no_gaps": True}
    lines = WORKLOAD.summarize(ctx)
    assert "PASS" in lines[-2] and lines[-1].startswith("  attachments through the file service")
