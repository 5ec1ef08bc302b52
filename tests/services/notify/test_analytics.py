"""The analytics asset: latency and failure rate per channel from the lake's events."""

from __future__ import annotations

import dagster as dg

from tests.services.notify.conftest import register


def test_channel_stats_asset_reports_latency_and_failures_per_channel(
    api, service_headers, worker, emitter, settings, sms
):
    from assets.notify import notify_channel_stats, notify_dead_letter_queue_is_empty
    from assets.resources import PlatformResource
    from warehouse.ingest import ingest_spool
    from warehouse.lake import Lake

    register(api, service_headers, "ann")
    for i in range(3):
        api.post(
            "/notifications",
            headers=service_headers,
            json={
                "user_id": "ann",
                "template": "welcome",
                "data": {"name": str(i)},
                "channels": ["email", "inbox"],
            },
        )
    worker.run(drain=True, horizon_s=1, max_seconds=20, idle_sleep=0.02)
    worker.cfg.max_attempts = 2
    sms.control(down=True)
    api.post(
        "/notifications",
        headers=service_headers,
        json={"user_id": "ann", "template": "welcome", "data": {"name": "x"}, "channels": ["sms"]},
    )
    worker.run(drain=True, horizon_s=1, max_seconds=20, idle_sleep=0.02)
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)

    result = dg.materialize(
        [notify_channel_stats, notify_dead_letter_queue_is_empty],
        resources={"platform": PlatformResource(data_dir=str(settings.data_dir))},
    )
    assert result.success
    meta = result.asset_materializations_for_node("notify_channel_stats")[0].metadata
    assert meta["dagster/row_count"].value == 3
    stats = {
        r["channel"]: r
        for r in Lake(settings.lake_dir).query("SELECT * FROM notify_channel_stats").to_dicts()
    }
    assert stats["email"]["sent"] == 3 and stats["email"]["failure_rate"] == 0.0
    assert stats["email"]["latency_p50_ms"] > 0
    assert stats["sms"]["dead"] == 1 and stats["sms"]["retried"] == 1
    assert stats["sms"]["failure_rate"] == 1.0
    check = result.get_asset_check_evaluations()[0]
    assert not check.passed and check.metadata["dead"].value == 1
