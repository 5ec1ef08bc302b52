from datetime import UTC, datetime, timedelta

import dagster as dg
import polars as pl

from assets.lake import lake_ingest, lake_tables
from assets.logs import (
    logs_alert_evaluations,
    logs_compaction,
    logs_parsed,
    logs_raw,
    logs_templates,
)
from assets.resources import PlatformResource, SystemResource
from services.logs.system import build
from warehouse.emitter import Emitter, SpoolTransport
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake
from warehouse.logs.process import LogProcessor, ship
from warehouse.parquet_io import partition_dir, publish_parquet

# Partitions start at the first day with data, or yesterday: yesterday and today always exist.
DAY1 = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
DAY2 = datetime.now(UTC).strftime("%Y-%m-%d")

DAILY = [logs_raw, logs_parsed, logs_templates]


def _ship(settings, records):
    em = Emitter(SpoolTransport(settings, "t"))
    ship(em, LogProcessor().process_records(records))
    em.close()


def _resources(settings, emitter):
    return {
        "platform": PlatformResource(data_dir=str(settings.data_dir)),
        "logs": SystemResource.with_service("logs", build(settings, emitter)),
    }


def _checks(result):
    return {
        e.check_name: (e.passed, e.metadata["partition"].value)
        for e in result.get_asset_check_evaluations()
    }


def test_logs_assets_materialise_with_counts_templates_alerts_and_checks(settings, emitter):
    now = datetime.now(UTC)
    recs = [
        {
            "ts": (now - timedelta(seconds=i)).isoformat(),
            "level": "error",
            "msg": f"upstream {i} timed out",
            "service": "pay",
        }
        for i in range(30)
    ]
    recs += ['level=info msg="user 5 logged in" service=web', "{bad json"]
    _ship(settings, recs)
    resources = _resources(settings, emitter)
    day = now.strftime("%Y-%m-%d")
    result = dg.materialize([lake_ingest, *DAILY], resources=resources, partition_key=day)
    assert result.success
    assert _checks(result) == {
        "logs_have_no_duplicate_source_seq": (True, day),
        "logs_schema_matches_the_table_spec": (True, day),
        "logs_templates_count_every_templated_line": (True, day),
    }
    meta = result.asset_materializations_for_node("logs_raw")[0].metadata
    assert meta["dagster/row_count"].value == 31 and meta["quarantined"].value == 1
    assert "| json | 30 |" in meta["by_format"].value
    tmeta = result.asset_materializations_for_node("logs_templates")[0].metadata
    assert tmeta["templates"].value == 2
    templates = Lake(settings.lake_dir).query("SELECT template, lines FROM log_templates")
    assert ("upstream <*> timed out", 30) in templates.rows()

    result = dg.materialize(
        [logs_alert_evaluations, logs_compaction, lake_tables], resources=resources
    )
    assert result.success
    ameta = result.asset_materializations_for_node("logs_alert_evaluations")[0].metadata
    assert ameta["by_rule"].value.get("error_threshold") == 1
    assert ameta["fired_now"].value >= 1
    fresh = [e for e in result.get_asset_check_evaluations() if e.check_name == "logs_are_fresh"]
    assert fresh and fresh[0].passed
    vmeta = result.asset_materializations_for_node("lake_tables")[0].metadata
    assert "logs" in vmeta["schemas"].value and "template_id" in vmeta["schemas"].value["logs"]


def test_daily_checks_guard_their_own_day_only(settings, emitter):
    """A duplicated file on one day fails that day's check, not the next day's."""
    _ship(
        settings,
        [
            {"ts": f"{d}T10:00:0{i}Z", "msg": f"job {i} done", "service": "batch"}
            for d in (DAY1, DAY2)
            for i in range(5)
        ],
    )
    ingest_spool(settings.spool_dir, settings.lake_dir)
    part = partition_dir(
        settings.lake_dir, "logs", {"service": "batch", "date": DAY1, "hour": "10"}
    )
    original = next(part.glob("*.parquet"))
    publish_parquet(pl.read_parquet(original), part / "copy-of-a-crash.parquet")
    resources = _resources(settings, emitter)

    bad = dg.materialize([logs_raw], resources=resources, partition_key=DAY1, raise_on_error=False)
    assert _checks(bad) == {"logs_have_no_duplicate_source_seq": (False, DAY1)}
    good = dg.materialize([logs_raw], resources=resources, partition_key=DAY2)
    assert _checks(good) == {"logs_have_no_duplicate_source_seq": (True, DAY2)}
    meta = good.asset_materializations_for_node("logs_raw")[0].metadata
    assert meta["dagster/row_count"].value == 5


def test_templates_check_counts_the_written_partition(settings, emitter):
    _ship(
        settings,
        [
            {"ts": f"{DAY1}T10:00:{i:02d}Z", "msg": f"user {i} logged in", "service": s}
            for i in range(12)
            for s in ("web", "api")
        ],
    )
    ingest_spool(settings.spool_dir, settings.lake_dir)
    result = dg.materialize(
        [logs_templates], resources=_resources(settings, emitter), partition_key=DAY1
    )
    evaluation = result.get_asset_check_evaluations()[0]
    assert evaluation.passed
    assert evaluation.metadata["lines_counted"].value == 24
    assert evaluation.metadata["templated_lines"].value == 24
    assert evaluation.metadata["repeated_templates"].value == 0
    empty = dg.materialize(
        [logs_templates], resources=_resources(settings, emitter), partition_key=DAY2
    )
    assert empty.get_asset_check_evaluations()[0].metadata["lines_counted"].value == 0


def test_every_logs_asset_keeps_itself_fresh_in_the_logs_group():
    defs = dg.Definitions(
        assets=[*DAILY, logs_alert_evaluations, logs_compaction],
        resources={"platform": PlatformResource(), "logs": SystemResource(system="logs")},
    )
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable:
            assert node.automation_condition is not None, key
            assert node.group_name == "logs", key
    compaction = graph.get(dg.AssetKey("logs_compaction")).automation_condition
    assert "17 3 * * *" in str(compaction)
