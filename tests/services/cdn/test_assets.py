"""The hit-ratio asset reads CDN access events from the lake."""

from __future__ import annotations

import dagster as dg
import polars as pl

from assets.cdn import HIT_RATIO_TABLE, cdn_hit_ratio, cdn_hit_ratio_is_consistent
from assets.resources import PlatformResource
from services.cdn.accesslog import AccessLog
from warehouse.emitter import Emitter, SpoolTransport
from warehouse.ingest import ingest_spool


def test_hit_ratio_asset_materialises_per_edge_ratios_with_a_plot(settings):
    for edge, region, statuses in (("e1", "eu-west", "HHHM"), ("e2", "us-east", "HMMS")):
        log = AccessLog(
            Emitter(SpoolTransport(settings, name="cdn-edge")),
            edge=edge,
            region=region,
            role="edge",
            interval_s=60,
        )
        names = {"H": "HIT", "M": "MISS", "S": "STALE"}
        for i, s in enumerate(statuses):
            log.record("GET", f"/v/{i}.m4s", 200, names[s], 1000, 1.0)
        log.close()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    result = dg.materialize(
        [cdn_hit_ratio, cdn_hit_ratio_is_consistent],
        resources={"platform": PlatformResource(data_dir=str(settings.data_dir))},
        selection=[cdn_hit_ratio],
    )
    assert result.success
    meta = result.asset_materializations_for_node("cdn_hit_ratio")[0].metadata
    assert meta["dagster/row_count"].value == 2
    assert meta["edge_hit_ratio"].value == 0.625  # (3 + 2) / 8
    assert "data:image/png;base64" in meta["plot"].value
    table = pl.read_parquet(settings.lake_dir / HIT_RATIO_TABLE / "hit_ratio.parquet")
    assert dict(zip(table["edge"], table["hit_ratio"], strict=True)) == {"e1": 0.75, "e2": 0.5}
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
