"""The key-value store on the platform: the workload drives a real 5-node cluster through
redis-py (a node killed and restarted), its events land in the lake, and the assets build the
staleness curves and the repair order from them; the routes and the CLI answer."""

from __future__ import annotations

import random

import dagster as dg
import polars as pl
import pytest
from click.testing import CliRunner

from assets.kv import (
    PBS_TABLE,
    kv_repair_order,
    kv_repair_order_puts_the_worst_first,
    kv_staleness,
    kv_staleness_is_a_probability_curve,
)
from assets.resources import PlatformResource
from warehouse.ingest import ingest_spool


@pytest.mark.slow
def test_workload_kills_a_node_loses_nothing_and_feeds_the_assets(client, settings):
    from pipelines.workload import WorkloadContext
    from pipelines.workload.kv import WORKLOAD

    logs: list[str] = []
    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(3), log=logs.append, scale=0.3
    )
    WORKLOAD.run(ctx)
    facts = ctx.facts["kv"]
    assert facts["errors"] == 0
    assert facts["lost_after_heal"] == 0
    assert facts["hints_queued"] > 0 and facts["hints_replayed"] > 0
    ingest_spool(settings.spool_dir, settings.lake_dir)
    result = dg.materialize(
        [
            kv_staleness,
            kv_repair_order,
            kv_staleness_is_a_probability_curve,
            kv_repair_order_puts_the_worst_first,
        ],
        resources={"platform": PlatformResource(data_dir=str(settings.data_dir))},
        selection=[kv_staleness, kv_repair_order],
    )
    assert result.success
    meta = result.asset_materializations_for_node("kv_staleness")[0].metadata
    assert meta["write_samples"].value > 0 and meta["read_samples"].value > 0
    assert "data:image/png;base64" in meta["curves"].value
    table = pl.read_parquet(settings.lake_dir / PBS_TABLE / "pbs.parquet")
    assert set(zip(table["r"], table["w"], strict=True)) == {
        (r, w) for r in (1, 2, 3) for w in (1, 2, 3)
    }
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    lines = WORKLOAD.summarize(ctx)
    assert any(line.startswith("PBS (N=3") for line in lines)
    staleness = client.get(
        "/kv/staleness",
        params={"n": 3, "r": 1, "w": 1},
        headers={"X-API-Key": settings.admin_api_key},
    )
    assert staleness.status_code == 200
    points = staleness.json()["points"]
    assert points[-1]["p_consistent"] >= points[0]["p_consistent"]


def test_routes_need_a_key_and_answer_placement_and_ring(client, admin_headers):
    assert client.get("/kv/ring").status_code == 401
    ring = client.get("/kv/ring", headers=admin_headers).json()
    assert len(ring["nodes"]) == 5
    assert abs(sum(n["replica_share"] for n in ring["nodes"]) - 3.0) < 0.01
    placed = client.get("/kv/placement/user:42", headers=admin_headers).json()
    assert len(placed["replicas"]) == 3 and len(set(placed["replicas"])) == 3
    assert client.get("/kv/staleness?r=4&n=3", headers=admin_headers).status_code == 422
    assert client.get("/kv/staleness", headers=admin_headers).status_code == 404  # empty lake
    assert client.get("/kv/cluster", headers=admin_headers).json() == {
        "configured": False,
        "nodes": [],
    }


def test_cli_ring_shows_every_node(settings):
    from pipelines.cli import main

    result = CliRunner().invoke(main, ["kv", "ring", "--nodes", "4"])
    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in result.output.splitlines() if "ranges=" in line] == [
        "n1",
        "n2",
        "n3",
        "n4",
    ]
