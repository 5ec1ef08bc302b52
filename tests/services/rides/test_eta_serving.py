"""The ETA model reaches matching: the asset trains and gates it, promotion is picked up by a
running service without a restart, and ranking then uses the model's predictions."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.resources import PlatformResource
from assets.rides import rides_eta_model, rides_eta_promoted
from models import rides_eta
from tests.services.rides.conftest import LOOP, make, scatter


@pytest.fixture
def synthetic(monkeypatch):
    trips = rides_eta.synthetic_trips(1500, seed=3)
    monkeypatch.setattr(rides_eta, "load_trips", lambda *a, **k: trips)
    return trips


def test_the_eta_asset_gates_promotion_and_the_service_hot_reloads_it(
    settings, emitter, clock, synthetic
):
    svc = make(settings, emitter, clock)
    try:
        svc.eta.check_every_s = 0.0
        assert svc.eta.source == "speed fallback"
        result = dg.materialize(
            [rides_eta_model, rides_eta_promoted],
            resources={"platform": PlatformResource(data_dir=str(settings.data_dir))},
            run_config={"ops": {"rides_eta_model": {"config": {"max_iter": 250}}}},
        )
        [check] = result.get_asset_check_evaluations()
        assert check.passed  # the planted structure beats median speed per hour
        meta = result.asset_materializations_for_node("rides_eta_model")[0].metadata
        assert meta["mape"].value < meta["baseline_mape"].value
        assert result.asset_materializations_for_node("rides_eta_promoted")
        scatter(svc, 5)
        q = svc.quote("alice", LOOP, (41.90, -87.62))  # the quote's ride time: the model's
        assert svc.eta.source.startswith("model v0001")
        model = rides_eta.load_model(
            __import__("models.registry").registry.ModelRegistry(settings.models_dir)
        )
        from datetime import UTC, datetime

        when = datetime.fromtimestamp(clock.now, UTC)
        expected = model.predict_seconds(*LOOP, 41.90, -87.62, when)
        assert q["duration_s"] == pytest.approx(expected, abs=0.06)  # rounded to 0.1 s
        trip = svc.request("alice", q["id"])
        assert trip["pickup_eta_s"] >= rides_eta.PICKUP_FLOOR_S  # ranked by the model
    finally:
        svc.close()
