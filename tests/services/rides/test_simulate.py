"""The simulated city's pickup ground truth: drawn from real trip speeds, never from the
prediction it scores."""

from __future__ import annotations

import random

import pytest

from services.rides import geo
from services.rides.simulate import MIN_AREA_TRIPS, Ask, PickupTruth, run
from tests.fake_clock import FakeClock
from tests.services.rides.conftest import LOOP, START, make


def _trips(hour: int, area: int | None, metres: float, speed: float, n: int) -> list[dict]:
    """``n`` trips due north of the Loop, ``metres`` long, at ``speed`` m/s."""
    north = (LOOP[0] + metres / 111_195.0, LOOP[1])
    length = geo.haversine_m(*LOOP, *north)
    return [
        {"hour": hour, "area": area, "pickup": LOOP, "dropoff": north, "trip_s": length / speed}
    ] * n


def test_a_leg_takes_the_speed_of_real_trips_of_its_hour_area_and_length():
    trips = (
        _trips(8, 1, 1_000, 4.0, MIN_AREA_TRIPS)
        + _trips(8, 2, 1_000, 20.0, MIN_AREA_TRIPS - 1)  # too few: the hour's trips decide
        + _trips(8, None, 20_000, 15.0, 200)  # long runs are fast; a short leg is not one
        + _trips(9, 1, 1_000, 8.0, MIN_AREA_TRIPS)
    )
    truth = PickupTruth(trips)
    rng = random.Random(0)
    leg = (LOOP[0] + 1_000 / 111_195.0, LOOP[1])
    metres = geo.haversine_m(*leg, *LOOP)
    assert truth.seconds(leg, LOOP, 8, 1, rng) == pytest.approx(metres / 4.0)
    assert truth.seconds(leg, LOOP, 9, 1, rng) == pytest.approx(metres / 8.0)
    area2 = {round(truth.seconds(leg, LOOP, 8, 2, rng)) for _ in range(200)}
    assert area2 == {round(metres / 4.0)}  # the hour's 25 trips nearest 1 km, not area 2's
    assert truth.seconds(leg, LOOP, 3, 1, rng) > 0  # an hour without trips: the nearest one
    assert truth.seconds(LOOP, LOOP, 8, 1, rng) == pytest.approx(geo.MIN_TRIP_M / 4.0)


def _simulate(settings, emitter, tmp_path, name: str, speed_kmh: float):
    """The same city, seed and requests; only the served predictor's speed differs."""
    rng = random.Random(5)
    trips = [
        {
            "hour": h,
            "area": 32,
            "pickup": LOOP,
            "dropoff": (LOOP[0] + rng.uniform(0.005, 0.05), LOOP[1] + rng.uniform(-0.03, 0.03)),
            "trip_s": rng.uniform(240, 1800),
        }
        for h in range(24)
        for _ in range(40)
    ]
    asks = [
        Ask(
            240.0 * k,
            (LOOP[0] + rng.uniform(-0.01, 0.01), LOOP[1] + rng.uniform(-0.01, 0.01)),
            (LOOP[0] + 0.03, LOOP[1] + 0.02),
            600.0,
            32,
        )
        for k in range(24)
    ]
    starts = [
        (LOOP[0] + rng.uniform(-0.01, 0.01), LOOP[1] + rng.uniform(-0.01, 0.01)) for _ in range(16)
    ]
    db = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / name}.sqlite"})
    clock = FakeClock(START)
    svc = make(db, emitter, clock, fallback_speed_kmh=speed_kmh, stale_after_s=900.0)
    try:
        return run(svc, clock, asks, starts, random.Random(11), truth=PickupTruth(trips))
    finally:
        svc.close()


def test_the_pickup_error_is_against_a_truth_the_prediction_does_not_set(
    settings, emitter, tmp_path
):
    fast = _simulate(settings, emitter, tmp_path, "fast", 24.0)
    slow = _simulate(settings, emitter, tmp_path, "slow", 12.0)
    assert len(fast.pickups) >= 10 and len(fast.pickups) == len(slow.pickups)
    # The same legs take the same real time whatever was predicted for them ...
    assert [r for _p, r in fast.pickups] == [r for _p, r in slow.pickups]
    assert all(p_s > p_f for (p_f, _r), (p_s, _r2) in zip(fast.pickups, slow.pickups, strict=True))
    # ... so neither predictor's error is zero by construction.
    assert fast.summary()["pickup_eta_mae_s"] > 0 and slow.summary()["pickup_eta_mae_s"] > 0
    assert fast.summary()["pickup_eta_mae_s"] != slow.summary()["pickup_eta_mae_s"]
