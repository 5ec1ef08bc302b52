"""Edge processes write access logs through the spool into the lake; hit ratios come out."""

from __future__ import annotations

import httpx

from services.cdn.hitratio import hit_ratio_by_edge, overall_hit_ratio
from services.cdn.process import start_edge
from tests.services.cdn.helpers import ScriptedOrigin
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake


def test_edge_access_logs_land_in_the_lake_with_cache_status(settings):
    origin = ScriptedOrigin().start()
    try:
        with start_edge(origin.url, name="edge-log", region="ap-south", settings=settings) as e:
            for _ in range(4):
                httpx.get(e.url + "/a?cc=max-age%3D60&size=1000", trust_env=False)
            httpx.get(e.url + "/b?cc=no-store", trust_env=False)
        # stop() is graceful: the edge drained its log and sealed its spool segment.
    finally:
        origin.stop()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    lake = Lake(settings.lake_dir)
    table = hit_ratio_by_edge(lake)
    row = table.filter(table["edge"] == "edge-log").to_dicts()[0]
    assert row["region"] == "ap-south" and row["requests"] == 5
    assert row["hits"] == 3 and row["misses"] == 1 and row["bypass_or_error"] == 1
    assert row["hit_ratio"] == 0.6 and 0.7 < row["byte_hit_ratio"] < 1
    assert overall_hit_ratio(table) == 0.6
    urls = lake.query("SELECT entity FROM events WHERE system='cdn' AND type='access'")
    assert set(urls["entity"]) == {"/a?cc=max-age%3D60&size=1000", "/b?cc=no-store"}


def test_hit_ratio_of_an_empty_lake_is_an_empty_table(tmp_path):
    table = hit_ratio_by_edge(Lake(tmp_path / "lake"))
    assert table.height == 0 and overall_hit_ratio(table) is None
