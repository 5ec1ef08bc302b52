"""The rides assets on a lake the service itself filled: analytics agree with what happened,
surge is promoted and served without a restart, and the replay's blocking check gates the
dispatch policy."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.lake import lake_ingest
from assets.resources import PlatformResource
from assets.rides import (
    rides_demand_forecast,
    rides_dispatch_policy,
    rides_policy_replay,
    rides_surge,
    rides_trip_analytics,
)
from services.rides import geo
from tests.services.rides.conftest import LOOP, make, scatter

DROP = (41.8950, -87.6200)


def drive(svc, clock, n_riders: int = 12, n_drivers: int = 6) -> dict:
    scatter(svc, n_drivers, spread=0.003)
    done = cancelled = unmatched = 0
    for i in range(n_riders):
        clock.advance(20)
        scatter(svc, n_drivers, spread=0.003)
        q = svc.quote(f"u{i}", LOOP, DROP)
        try:
            trip = svc.request(f"u{i}", q["id"])
        except Exception:  # noqa: BLE001 - NoDriver: every driver is busy
            unmatched += 1
            continue
        d = trip["driver_id"]
        clock.advance(4)
        svc.accept(d, trip["id"])
        if i % 4 == 3:
            svc.cancel(f"u{i}", trip["id"])
            cancelled += 1
            continue
        clock.advance(90)
        svc.arrive(d, trip["id"])
        svc.start_trip(d, trip["id"])
        if i % 3 == 0:  # some trips stay on the road: drivers busy, riders waiting
            continue
        clock.advance(60)
        svc.complete(d, trip["id"])
        done += 1
    svc.flush_events()
    return {"completed": done, "cancelled": cancelled, "unmatched": unmatched}


@pytest.fixture
def filled(settings, emitter, clock):
    svc = make(settings, emitter, clock, position_sample_s=1.0)
    facts = drive(svc, clock)
    svc.close()
    emitter.flush()
    return facts


def test_rides_assets_materialise_from_the_services_own_events(settings, emitter, clock, filled):
    resources = {"platform": PlatformResource(data_dir=str(settings.data_dir))}
    result = dg.materialize(
        [
            lake_ingest,
            rides_trip_analytics,
            rides_demand_forecast,
            rides_surge,
            rides_policy_replay,
            rides_dispatch_policy,
        ],
        resources=resources,
        raise_on_error=False,
    )
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    forecast = result.asset_materializations_for_node("rides_demand_forecast")[0].metadata
    assert forecast["dagster/row_count"].value > 0  # the pickup cell, over the next hours
    assert checks["rides_trip_analytics_are_consistent"] is True
    assert checks["rides_surge_is_capped"] is True
    meta = result.asset_materializations_for_node("rides_trip_analytics")[0].metadata
    assert meta["dagster/row_count"].value == 12 - filled["unmatched"]
    assert meta["completed"].value == filled["completed"]
    assert meta["match_p99_s"].value == pytest.approx(4.0)
    assert meta["pickup_eta_mae_s"].value >= 0
    assert meta["cancellation_rate"].value == pytest.approx(
        filled["cancelled"] / (12 - filled["unmatched"])
    )
    assert 0 < meta["utilisation"].value < 1
    replayed = result.asset_materializations_for_node("rides_policy_replay")[0].metadata
    assert replayed["requests"].value == 12 - filled["unmatched"]
    promoted = checks["rides_policy_beats_production"]
    ran = bool(result.asset_materializations_for_node("rides_dispatch_policy"))
    assert ran == promoted  # the blocking check gates the promotion


def test_a_promoted_surge_table_is_served_without_a_restart(settings, emitter, clock):
    from models.registry import ModelRegistry
    from services.rides import surge

    svc = make(settings, emitter, clock)
    try:
        pickup_cell = geo.surge_cell(*LOOP)
        assert svc.quote("a", LOOP, DROP)["surge"] == 1.0
        registry = ModelRegistry(settings.models_dir)
        surge.publish_json(
            registry, surge.NAME, {"cells": {pickup_cell: 1.5}}, metrics={}, snapshot={}, reason="t"
        )
        svc.surge.refresh(force=True)
        q = svc.quote("a", LOOP, DROP)
        assert q["surge"] == 1.5
        base = svc.quote("a", (41.80, -87.70), (41.81, -87.69))
        assert base["surge"] == 1.0
    finally:
        svc.close()


def test_surge_rises_with_demand_over_supply_and_stays_capped():
    from services.rides import surge

    hot, cold = geo.surge_cell(*LOOP), geo.surge_cell(41.80, -87.70)
    out = surge.compute({hot: 40, cold: 1}, {hot: 2, cold: 10}, curve=surge.PRODUCTION_CURVE)
    assert out[hot] > 1.0 and cold not in out
    assert all(1.0 <= m <= surge.PRODUCTION_CURVE.cap for m in out.values())
    again = surge.compute({hot: 0}, {hot: 10}, previous=out, alpha=0.5)
    assert 1.0 < again[hot] < out[hot]  # smoothed over time: it decays, it does not drop


def test_an_empty_lake_gives_empty_analytics_and_a_gated_replay(settings):
    result = dg.materialize(
        [
            lake_ingest,
            rides_trip_analytics,
            rides_demand_forecast,
            rides_surge,
            rides_policy_replay,
        ],
        resources={"platform": PlatformResource(data_dir=str(settings.data_dir))},
        raise_on_error=False,
    )
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["rides_trip_analytics_are_consistent"] is True
    assert checks["rides_surge_is_capped"] is True
    assert checks["rides_policy_beats_production"] is False  # nothing to replay: no promotion
    meta = result.asset_materializations_for_node("rides_trip_analytics")[0].metadata
    assert meta["dagster/row_count"].value == 0
