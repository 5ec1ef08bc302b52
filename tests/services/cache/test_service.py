"""The cache system through its own API: a key-value face with TTLs, stats, node drills."""

from __future__ import annotations

import random

import polars as pl
import pytest

from services.cache.settings import CacheSettings
from services.cache.system import build
from tests.fake_clock import FakeClock
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(5_000.0)


@pytest.fixture
def api(client, settings, emitter, clock):
    """The app, its cache service rebuilt on a fake clock and a small value limit."""
    services = client.app.state.services
    built = services["cache"]
    services["cache"] = build(
        settings, emitter, conf=CacheSettings(max_value_bytes=200, max_ttl_s=3600), clock=clock
    )
    built.close()
    return client


@pytest.fixture
def alice(api) -> dict[str, str]:
    return _key(api, "alice")


def _key(client, user: str, roles=("user",)) -> dict[str, str]:
    admin = {"X-API-Key": client.app.state.settings.admin_api_key}
    resp = client.post("/auth/keys", json={"user_id": user, "roles": list(roles)}, headers=admin)
    return {"X-API-Key": resp.json()["api_key"]}


def test_a_value_put_through_the_api_is_read_back_until_its_ttl_passes(api, alice, clock):
    put = api.put("/cache/keys/user:7", json={"value": {"name": "Ada"}, "ttl_s": 30}, headers=alice)
    assert put.status_code == 200 and put.json() == {"key": "user:7", "ttl_s": 30, "replicas": 2}
    clock.advance(29)
    got = api.get("/cache/keys/user:7", headers=alice)
    assert got.status_code == 200 and got.json() == {"key": "user:7", "value": {"name": "Ada"}}
    clock.advance(2)
    gone = api.get("/cache/keys/user:7", headers=alice)
    assert gone.status_code == 404 and "expired" in gone.json()["detail"]


def test_a_put_without_ttl_gets_the_default_and_null_is_a_value_not_a_miss(api, alice):
    put = api.put("/cache/keys/flag", json={"value": None}, headers=alice)
    assert put.status_code == 200 and put.json()["ttl_s"] == CacheSettings().default_ttl_s
    got = api.get("/cache/keys/flag", headers=alice)
    assert got.status_code == 200 and got.json()["value"] is None


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, {"nested": [1, 2**70]}])
def test_a_value_json_cannot_carry_gets_422_and_is_not_stored(api, alice, value):
    put = api.put("/cache/keys/big", json={"value": value}, headers=alice)
    assert put.status_code == 422 and "64 bits" in put.json()["detail"]
    assert api.get("/cache/keys/big", headers=alice).status_code == 404


def test_delete_drops_the_value_from_every_replica(api, alice):
    api.put("/cache/keys/k", json={"value": 1}, headers=alice)
    assert api.delete("/cache/keys/k", headers=alice).status_code == 204
    assert api.get("/cache/keys/k", headers=alice).status_code == 404
    svc = api.app.state.services["cache"]
    assert all(next(n.keys(), None) is None for n in svc.client.nodes.values())


def test_each_caller_sees_only_its_own_keys(api, alice):
    bob = _key(api, "bob")
    api.put("/cache/keys/shared-name", json={"value": "alice's"}, headers=alice)
    assert api.get("/cache/keys/shared-name", headers=bob).status_code == 404
    api.put("/cache/keys/shared-name", json={"value": "bob's"}, headers=bob)
    assert api.get("/cache/keys/shared-name", headers=alice).json()["value"] == "alice's"
    assert api.get("/cache/keys/shared-name").status_code == 401


def test_bad_ttls_keys_and_oversized_values_are_refused_with_4xx(api, alice):
    too_long = api.put("/cache/keys/k", json={"value": 1, "ttl_s": 7200}, headers=alice)
    assert too_long.status_code == 422 and "at most 3600" in too_long.json()["detail"]
    assert api.put("/cache/keys/k", json={"value": 1, "ttl_s": 0}, headers=alice).status_code == 422
    assert api.put("/cache/keys/k", json={"ttl_s": 5}, headers=alice).status_code == 422
    big = api.put("/cache/keys/k", json={"value": "x" * 300}, headers=alice)
    assert big.status_code == 413 and "at most 200" in big.json()["detail"]
    assert api.get("/cache/keys/" + "k" * 251, headers=alice).status_code == 422
    assert api.get("/cache/keys/a%01b", headers=alice).status_code == 422


def test_reads_fail_over_while_a_node_is_down_and_writes_need_one_live_replica(api, alice):
    keys = [f"k{i}" for i in range(60)]
    for key in keys:
        api.put(f"/cache/keys/{key}", json={"value": key}, headers=alice)
    admin = {"X-API-Key": api.app.state.settings.admin_api_key}
    assert api.put("/cache/nodes/node-0", json={"up": False}, headers=alice).status_code == 403
    down = api.put("/cache/nodes/node-0", json={"up": False}, headers=admin)
    assert down.status_code == 200 and down.json() == {
        "name": "node-0",
        "up": False,
        "entries": None,
        "evictions": None,
        "expired": None,
    }
    assert all(api.get(f"/cache/keys/{k}", headers=alice).json()["value"] == k for k in keys)
    stats = api.get("/cache/stats", headers=alice).json()
    assert stats["failovers"] >= 1 and stats["down"] == ["node-0"]
    assert stats["nodes"]["node-0"] == {"up": False} and stats["hit_ratio"] == 1.0
    for name in ("node-1", "node-2"):
        api.put(f"/cache/nodes/{name}", json={"up": False}, headers=admin)
    unavailable = api.put("/cache/keys/new", json={"value": 1}, headers=alice)
    assert unavailable.status_code == 503
    up = api.put("/cache/nodes/node-0", json={"up": True}, headers=admin)
    assert up.json()["up"] is True and up.json()["entries"] > 0
    assert api.put("/cache/nodes/node-9", json={"up": True}, headers=admin).status_code == 404


@pytest.fixture
def api3(client, settings, emitter, clock):
    """The app with a three-replica cache tier (N=3: strong calls use R=W=2)."""
    services = client.app.state.services
    built = services["cache"]
    services["cache"] = build(settings, emitter, conf=CacheSettings(replicas=3), clock=clock)
    built.close()
    return client


def test_a_caller_picks_strong_consistency_per_call_and_gets_503_below_quorum(api3, clock):
    alice = _key(api3, "alice")
    admin = {"X-API-Key": api3.app.state.settings.admin_api_key}
    strong = {"consistency": "strong"}
    put = api3.put("/cache/keys/k", json={"value": "v1"}, params=strong, headers=alice)
    assert put.status_code == 200 and put.json()["replicas"] == 3
    api3.put("/cache/nodes/node-0", json={"up": False}, headers=admin)
    put = api3.put("/cache/keys/k", json={"value": "v2"}, params=strong, headers=alice)
    assert put.status_code == 200 and put.json()["replicas"] == 2
    assert api3.get("/cache/keys/k", params=strong, headers=alice).json()["value"] == "v2"
    api3.put("/cache/nodes/node-1", json={"up": False}, headers=admin)
    # eventual still answers from the one live replica
    eventual = {"consistency": "eventual"}
    assert api3.get("/cache/keys/k", params=eventual, headers=alice).json()["value"] == "v2"
    for resp in (
        api3.get("/cache/keys/k", params=strong, headers=alice),
        api3.put("/cache/keys/k", json={"value": "v3"}, params=strong, headers=alice),
    ):
        assert resp.status_code == 503, resp.text
        assert "quorum is 2" in resp.json()["detail"]
    for name in ("node-0", "node-1"):
        api3.put(f"/cache/nodes/{name}", json={"up": True}, headers=admin)
    clock.advance(5)  # the down marks lapse
    # the refused write reached node-2 before failing: not acknowledged, but the newest copy
    assert api3.get("/cache/keys/k", params=strong, headers=alice).json()["value"] == "v3"
    assert api3.delete("/cache/keys/k", params=strong, headers=alice).status_code == 204
    assert api3.get("/cache/keys/k", params=eventual, headers=alice).status_code == 404
    stats = api3.get("/cache/stats", headers=alice).json()
    assert stats["read_repairs"] >= 1 and stats["quorum_failures"] == 2
    assert (stats["consistency"], stats["read_quorum"], stats["write_quorum"]) == (
        "eventual",
        1,
        1,
    )
    bad = api3.get("/cache/keys/k", params={"consistency": "causal"}, headers=alice)
    assert bad.status_code == 422


def test_the_consistency_setting_makes_a_strong_tier(settings, emitter):
    svc = build(settings, emitter, conf=CacheSettings(replicas=3, consistency="strong"))
    assert (svc.client.consistency, svc.client.read_quorum, svc.client.write_quorum) == (
        "strong",
        2,
        2,
    )
    with pytest.raises(ValueError, match="R \\+ W > N"):
        build(
            settings,
            emitter,
            conf=CacheSettings(replicas=3, consistency="strong", read_quorum=1, write_quorum=1),
        )
    svc.close()


def test_owners_name_the_replicas_of_a_key_for_admins_only(api, alice):
    admin = {"X-API-Key": api.app.state.settings.admin_api_key}
    owners = api.get("/cache/owners/some-key", headers=admin).json()
    svc = api.app.state.services["cache"]
    assert (
        owners["replicas"] == svc.client.replicas_for("some-key") and len(owners["replicas"]) == 2
    )
    assert api.get("/cache/owners/some-key", headers=alice).status_code == 403


def test_the_tiers_counts_and_node_drills_reach_the_lake_as_cache_events(
    api, alice, emitter, settings
):
    from services.cache.hitratio import hit_ratio_by_owner

    api.put("/cache/keys/a", json={"value": 1}, headers=alice)
    for key in ("a", "a", "b"):
        api.get(f"/cache/keys/{key}", headers=alice)
    admin = {"X-API-Key": settings.admin_api_key}
    api.put("/cache/nodes/node-1", json={"up": False}, headers=admin)
    api.put("/cache/nodes/node-1", json={"up": True}, headers=admin)
    api.app.state.services["cache"].report()
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    lake = Lake(settings.lake_dir)
    row = hit_ratio_by_owner(lake).filter(pl.col("owner") == "cache").to_dicts()[0]
    assert (row["lookups"], row["hits"], row["misses"], row["sets"]) == (3, 2, 1, 1)
    assert row["hit_ratio"] == pytest.approx(2 / 3, abs=1e-4)
    drills = lake.query(
        "SELECT type, entity, actor FROM events WHERE system = 'cache' AND type LIKE 'node_%' "
        "ORDER BY ts"
    ).rows()
    assert drills == [("node_down", "node-1", "admin"), ("node_up", "node-1", "admin")]


def test_workload_drives_the_api_and_reports_hit_ratio_and_failovers(client, settings, emitter):
    from pipelines.workload import WorkloadContext
    from pipelines.workload.cache import WORKLOAD

    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(5), scale=0.5, log=lambda _m: None
    )
    WORKLOAD.run(ctx)
    facts = ctx.facts["cache"]
    assert facts["errors"] == 0 and facts["reads"] == 300
    assert facts["puts"] == facts["misses"] and 0.3 < facts["hit_ratio"] < 1
    assert facts["failovers"] >= 1 and facts["victim"] == "node-0"
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    lines = WORKLOAD.summarize(ctx)
    assert lines[0].startswith("key-value API: 300 Zipf reads")
    assert any(line.startswith("hit ratio by tier (lake): ") and "cache " in line for line in lines)
    quorum = facts["quorum"]
    assert quorum["stale"] == 0 and quorum["refused"] == 2 and quorum["repairs"] > 0
    assert quorum["writes"] > 0 and quorum["reads"] > 0
    # the 2-replica tier: strong reads of keys on the down node are refused, not stale
    assert facts["strong_api"]["below_quorum"] > 0 and facts["strong_api"]["other"] == 0
    assert any(
        line.startswith("simulator on this run's 300 reads") and "fifo" in line for line in lines
    )
    assert any(line.startswith("strong consistency (N=3, R=W=2)") for line in lines)


def test_hit_ratio_asset_has_one_row_per_tier_with_a_plot_and_a_passing_check(settings):
    import dagster as dg

    from assets.cache import HIT_RATIO_TABLE, cache_hit_ratio, cache_hit_ratio_is_consistent
    from assets.resources import PlatformResource
    from services.cache import build_cache
    from warehouse.emitter import Emitter, SpoolTransport

    emitter = Emitter(SpoolTransport(settings, name="test"))
    for owner, hits, misses in (("shortener", 8, 2), ("feed", 1, 3)):
        tier = build_cache(settings, emitter, name=owner)
        tier.set("k", 1)
        for _ in range(hits):
            tier.get("k")
        for _ in range(misses):
            tier.get("absent")
        tier.close()
    emitter.close()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    result = dg.materialize(
        [cache_hit_ratio, cache_hit_ratio_is_consistent],
        resources={"platform": PlatformResource(data_dir=str(settings.data_dir))},
    )
    assert result.success
    meta = result.asset_materializations_for_node("cache_hit_ratio")[0].metadata
    assert meta["dagster/row_count"].value == 2 and meta["lookups"].value == 14
    assert meta["overall_hit_ratio"].value == round(9 / 14, 4)
    assert "data:image/png;base64" in meta["plot"].value and "shortener" in meta["by_tier"].value
    table = pl.read_parquet(settings.lake_dir / HIT_RATIO_TABLE / "hit_ratio.parquet")
    assert dict(zip(table["owner"], table["hit_ratio"], strict=True)) == {
        "feed": 0.25,
        "shortener": 0.8,
    }
    checks = result.get_asset_check_evaluations()
    assert [c.check_name for c in checks] == ["cache_hit_ratio_is_consistent"]
    assert checks[0].passed


def test_cli_hit_ratio_prints_each_tier_from_the_lake(settings):
    from click.testing import CliRunner

    from pipelines.cli import main
    from warehouse.emitter import Emitter, SpoolTransport

    empty = CliRunner().invoke(main, ["cache", "hit-ratio"])
    assert empty.exit_code == 0 and "no cache stats" in empty.output
    emitter = Emitter(SpoolTransport(settings, name="cli-test"))
    svc = build(settings, emitter)
    svc.client.get("nothing")
    svc.close()
    emitter.close()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    out = CliRunner().invoke(main, ["cache", "hit-ratio"])
    assert out.exit_code == 0 and "cache" in out.output and "lookups" in out.output
