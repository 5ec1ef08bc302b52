from datetime import UTC, datetime, timedelta

import dagster as dg

from assets.lake import lake_ingest
from assets.logs import (
    lake_views,
    logs_alert_evaluations,
    logs_compaction,
    logs_have_no_duplicate_source_seq,
    logs_parsed,
    logs_raw,
    logs_schema_matches_the_table_spec,
    logs_templates,
)
from assets.resources import PlatformResource
from warehouse.emitter import Emitter, SpoolTransport
from warehouse.lake import Lake
from warehouse.logs.process import LogProcessor, ship


def test_logs_assets_materialise_with_counts_templates_alerts_and_checks(settings):
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
    em = Emitter(SpoolTransport(settings, "t"))
    ship(em, LogProcessor().process_records(recs))
    em.close()
    resources = {"platform": PlatformResource(data_dir=str(settings.data_dir))}
    day = now.strftime("%Y-%m-%d")
    everything = [
        lake_ingest,
        logs_raw,
        logs_parsed,
        logs_templates,
        logs_have_no_duplicate_source_seq,
        logs_schema_matches_the_table_spec,
    ]
    result = dg.materialize(everything, resources=resources, partition_key=day)
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        "logs_have_no_duplicate_source_seq": True,
        "logs_schema_matches_the_table_spec": True,
    }
    meta = result.asset_materializations_for_node("logs_raw")[0].metadata
    assert meta["dagster/row_count"].value == 31 and meta["quarantined"].value == 1
    tmeta = result.asset_materializations_for_node("logs_templates")[0].metadata
    assert tmeta["templates"].value == 2
    templates = Lake(settings.lake_dir).query("SELECT template, lines FROM log_templates")
    assert ("upstream <*> timed out", 30) in templates.rows()

    result = dg.materialize(
        [logs_alert_evaluations, logs_compaction, lake_views], resources=resources
    )
    assert result.success
    ameta = result.asset_materializations_for_node("logs_alert_evaluations")[0].metadata
    assert ameta["by_rule"].value.get("error_threshold") == 1
    vmeta = result.asset_materializations_for_node("lake_views")[0].metadata
    assert "logs" in vmeta["schemas"].value and "template_id" in vmeta["schemas"].value["logs"]
