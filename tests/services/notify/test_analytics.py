"""The assets: delivery analytics per channel from the lake, and the dead-letter snapshot.

Each asset's check judges the file its asset wrote in that run, not the live queue.
"""

from __future__ import annotations

import dagster as dg
import polars as pl

from tests.services.notify.conftest import register


def _send(api, headers, channels, name="x"):
    r = api.post(
        "/notifications",
        headers=headers,
        json={
            "user_id": "ann",
            "template": "welcome",
            "data": {"name": name},
            "channels": channels,
        },
    )
    assert r.status_code == 202, r.text


def _check(result, name: str):
    (found,) = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    return found


def test_channel_stats_asset_reports_latency_and_failures_per_channel(
    api, service_headers, notify, worker, emitter, settings, sms
):
    from assets.notify import notify_channel_stats
    from assets.resources import PlatformResource
    from warehouse.ingest import ingest_spool
    from warehouse.lake import Lake

    register(api, service_headers, "ann")
    for i in range(3):
        _send(api, service_headers, ["email", "inbox"], str(i))
    worker.run(drain=True, horizon_s=1, max_seconds=20, idle_sleep=0.02)
    notify.conf.max_attempts = 2
    sms.control(down=True)
    _send(api, service_headers, ["sms"])
    worker.run(drain=True, horizon_s=1, max_seconds=20, idle_sleep=0.02)
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)

    result = dg.materialize(
        [notify_channel_stats],
        resources={"platform": PlatformResource(data_dir=str(settings.data_dir))},
    )
    assert result.success
    meta = result.asset_materializations_for_node("notify_channel_stats")[0].metadata
    assert meta["dagster/row_count"].value == 3
    assert "| channel | sent |" in meta["channels"].value
    stats = {
        r["channel"]: r
        for r in Lake(settings.lake_dir).query("SELECT * FROM notify_channel_stats").to_dicts()
    }
    assert stats["email"]["sent"] == 3 and stats["email"]["failure_rate"] == 0.0
    assert stats["email"]["latency_p50_ms"] > 0
    assert stats["sms"]["dead"] == 1 and stats["sms"]["retried"] == 1
    assert stats["sms"]["failure_rate"] == 1.0
    check = _check(result, "notify_channel_stats_are_consistent")
    assert check.passed and check.metadata["rows"].value == 3


def test_stats_check_flags_rates_outside_zero_one_and_unknown_channels():
    from assets.notify import stats_problems

    row = {
        "channel": "email",
        "accepted": 3,
        "sent": 3,
        "delivered": 0,
        "retried": 0,
        "dead": 0,
        "failed": 0,
        "suppressed": 0,
        "latency_p50_ms": 5.0,
        "failure_rate": 0.0,
        "retry_rate": 0.0,
    }
    good = pl.DataFrame([row, {**row, "channel": "sms"}])
    assert not any(stats_problems(good).values())
    bad = pl.DataFrame([{**row, "failure_rate": 1.5}, {**row, "channel": "fax"}, row])
    problems = stats_problems(bad)
    assert problems["bad_rates"] == 1
    assert problems["unknown_channels"] == 1
    assert problems["duplicate_channels"] == 1


def test_dead_letter_check_judges_the_snapshot_its_asset_wrote(
    api, service_headers, admin_headers, notify, worker, settings, sms
):
    from assets.notify import DLQ_TABLE, notify_dead_letters
    from assets.resources import PlatformResource, SystemResource

    resources = {
        "platform": PlatformResource(data_dir=str(settings.data_dir)),
        "notify": SystemResource.with_service("notify", notify),
    }
    register(api, service_headers, "ann")
    notify.conf.max_attempts = 1
    sms.control(down=True)
    _send(api, service_headers, ["sms"])
    worker.run(drain=True, horizon_s=1, max_seconds=20, idle_sleep=0.02)

    first = dg.materialize([notify_dead_letters], resources=resources)
    assert first.success
    snapshot = settings.lake_dir / DLQ_TABLE / "snapshot.parquet"
    written = pl.read_parquet(snapshot)
    assert written["channel"].to_list() == ["sms"] and "503" in written["last_error"][0]
    check = _check(first, "notify_dead_letter_queue_is_empty")
    assert not check.passed and check.metadata["dead"].value == 1
    assert check.metadata["sms"].value == 1

    # The live queue empties, but the check only changes once the asset writes again.
    replay = api.post("/notifications/dlq/replay", json={"ids": None}, headers=admin_headers)
    assert len(replay.json()["replayed"]) == 1
    assert pl.read_parquet(snapshot).height == 1
    second = dg.materialize([notify_dead_letters], resources=resources)
    assert pl.read_parquet(snapshot).height == 0
    assert _check(second, "notify_dead_letter_queue_is_empty").passed


def test_notify_assets_are_kept_fresh_by_automation_conditions():
    from assets.notify import defs
    from assets.resources import PlatformResource, SystemResource

    resources = {"platform": PlatformResource(), "notify": SystemResource(system="notify")}
    graph = dg.Definitions.merge(defs, dg.Definitions(resources=resources)).resolve_asset_graph()
    own = [k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable]
    assert {k.to_user_string() for k in own} == {
        "notify_channel_stats",
        "notify_engagement",
        "notify_dead_letters",
    }
    for key in own:
        assert graph.get(key).automation_condition is not None, key
    checks = {f"{c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys}
    assert checks == {
        "notify_channel_stats:notify_channel_stats_are_consistent",
        "notify_engagement:notify_engagement_is_consistent",
        "notify_dead_letters:notify_dead_letter_queue_is_empty",
    }
