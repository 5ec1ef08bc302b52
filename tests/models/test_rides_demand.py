"""Demand forecast per H3 cell and hour of week, and surge multipliers, on generated requests."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import h3
import numpy as np
import polars as pl
import pytest

from models.rides_demand import (
    HOURS_PER_WEEK,
    PARENT_RESOLUTION,
    RESOLUTION,
    SURGE_CURVES,
    DemandModel,
    evaluate_demand,
    forecast,
    surge_multipliers,
)

HOT = (41.8837, -87.6324)
START = datetime(2015, 1, 5)  # a Monday


def _requests(n_weeks: int = 12, seed: int = 0) -> pl.DataFrame:
    """A hot cell busy at 18h on weekdays, a quiet cell busy at 3h, background elsewhere."""
    rng = np.random.default_rng(seed)
    quiet = (41.95, -87.66)
    rows = []
    for hour in range(n_weeks * HOURS_PER_WEEK):
        t = START + timedelta(hours=hour)
        weekday_evening = t.weekday() < 5 and t.hour == 18
        for _ in range(rng.poisson(3.0 if weekday_evening else 0.3)):
            rows.append((t + timedelta(minutes=int(rng.integers(60))), *HOT))
        for _ in range(rng.poisson(0.4 if t.hour == 3 else 0.01)):
            rows.append((t + timedelta(minutes=int(rng.integers(60))), *quiet))
        for _ in range(rng.poisson(0.3)):
            lat, lng = 41.8 + rng.uniform(0, 0.2), -87.75 + rng.uniform(0, 0.15)
            rows.append((t + timedelta(minutes=int(rng.integers(60))), lat, lng))
    return pl.DataFrame(rows, schema=["ts", "lat", "lng"], orient="row")


@pytest.fixture(scope="module")
def requests() -> pl.DataFrame:
    return _requests()


def test_forecast_recovers_the_planted_hot_cell_and_hour(requests):
    hot = h3.latlng_to_cell(*HOT, RESOLUTION)
    out = forecast(requests, 24, now=datetime(2015, 6, 1))  # a Monday
    assert out.columns[:3] == ["cell", "hour", "hour_of_week"] and "expected" in out.columns
    assert out.height == 24 * out["cell"].n_unique()
    top = out.sort("expected", descending=True).row(0, named=True)
    assert top["cell"] == hot and top["hour"] == datetime(2015, 6, 1, 18)
    model = DemandModel.fit(requests)
    prof = model.profile(hot)
    assert prof[18] > 5 * prof[12]  # Monday 18h against Monday noon
    assert prof[5 * 24 + 18] < 0.5 * prof[18]  # Saturday evening is not a weekday evening
    assert prof[18] == pytest.approx(3.0 + 0.3, rel=0.25)


def test_default_forecast_is_the_hour_after_the_last_request(requests):
    out = forecast(requests)
    last = requests["ts"].max()
    expected_hour = last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    assert out["hour"].unique().to_list() == [expected_hour]


def test_sparse_and_unseen_cells_are_never_zero(requests):
    model = DemandModel.fit(requests)
    rare = requests.filter(pl.col("lat") > 41.949).head(1)
    rare_cell = h3.latlng_to_cell(rare["lat"][0], rare["lng"][0], RESOLUTION)
    assert (model.profile(rare_cell) > 0).all()
    hot = h3.latlng_to_cell(*HOT, RESOLUTION)
    sibling = next(
        c
        for c in h3.cell_to_children(h3.cell_to_parent(hot, PARENT_RESOLUTION), RESOLUTION)
        if c not in model.cell_share
    )
    far_away = h3.latlng_to_cell(40.7, -74.0, RESOLUTION)
    assert (model.profile(sibling) > 0).all() and (model.profile(far_away) > 0).all()
    assert model.profile(sibling).sum() > model.profile(far_away).sum()


def test_cell_forecasts_add_up_to_the_city_rate(requests):
    model = DemandModel.fit(requests)
    seen = sum(model.profile(c) for c in model.cells())
    weekly = model.city_rate.sum()
    assert 0.8 * weekly < seen.sum() < weekly
    parents = {h3.cell_to_parent(c, PARENT_RESOLUTION) for c in model.cells()}
    children = [c for q in parents for c in h3.cell_to_children(q, RESOLUTION)]
    # The smoothing mass left to unseen children of seen parents completes the city.
    assert sum(model.profile(c).sum() for c in children) == pytest.approx(weekly, rel=0.01)
    # Hour by hour the cells follow the city (their own profiles are shrunk toward it).
    assert np.corrcoef(seen, model.city_rate)[0, 1] > 0.9
    weeks = (requests["ts"].max() - requests["ts"].min()) / timedelta(weeks=1)
    assert model.city_rate.sum() == pytest.approx(requests.height / weeks, rel=0.05)


def test_forecast_beats_the_per_cell_mean_on_later_weeks(requests):
    r = evaluate_demand(requests)
    assert r["n_test"] > 0.25 * requests.height and r["cells"] > 100
    assert r["deviance"] < r["baseline_deviance"]
    assert r["mae"] < r["baseline_mae"]
    assert r["deviance"] < r["how_mean_deviance"]  # the unpooled hour-of-week mean
    assert math.isfinite(r["deviance"])


def test_tuning_the_smoothing_never_sees_the_test_requests(requests):
    grid = {"alpha": [4.0, 49.0], "beta": [20.0], "gamma": [5.0, 80.0], "kappa": [4.0]}
    a = evaluate_demand(requests, tune=True, grid=grid)
    ordered = requests.sort("ts")
    cut = int(round(ordered.height * 0.7))
    moved = ordered.with_columns(  # the later 30% all move to one far corner
        pl.when(pl.int_range(pl.len()) >= cut).then(41.99).otherwise(pl.col("lat")).alias("lat")
    )
    b = evaluate_demand(moved, tune=True, grid=grid)
    assert b["deviance"] > a["deviance"]
    assert a["params"] == b["params"]
    assert a["validation_deviance"] == pytest.approx(b["validation_deviance"], rel=1e-12)


def test_epoch_seconds_and_bad_coordinates():
    epoch = pl.DataFrame(
        {"ts": [1_420_484_400, 1_420_488_000], "lat": [41.9, 41.9], "lng": [-87.6] * 2}
    )
    out = forecast(epoch)
    assert out["hour"][0] == datetime(2015, 1, 5, 21)  # the hour after 20:00 UTC
    with pytest.raises(ValueError):
        forecast(pl.DataFrame({"ts": [1_420_484_400], "lat": [95.0], "lng": [-87.6]}))
    with pytest.raises(KeyError):
        forecast(pl.DataFrame({"ts": [1_420_484_400], "lat": [41.0]}))


# ---- surge --------------------------------------------------------------------------
CELL = h3.latlng_to_cell(*HOT, RESOLUTION)
NEIGHBOUR = next(c for c in h3.grid_disk(CELL, 1) if c != CELL)


@pytest.mark.parametrize("curve", sorted(SURGE_CURVES))
def test_no_excess_demand_means_no_surge(curve):
    m = surge_multipliers({CELL: 5, NEIGHBOUR: 2}, {CELL: 5.0, NEIGHBOUR: 0.5}, curve=curve)
    assert m == {CELL: 1.0, NEIGHBOUR: 1.0}
    assert surge_multipliers({CELL: 0}, {CELL: 0.0}, curve=curve) == {CELL: 1.0}


@pytest.mark.parametrize("curve", sorted(SURGE_CURVES))
@pytest.mark.parametrize("smoothing", [0.0, 0.5])
def test_surge_rises_with_demand_falls_with_supply_and_is_capped(curve, smoothing):
    kw = {"curve": curve, "cap": 2.5, "smoothing": smoothing}
    by_demand = [
        surge_multipliers({CELL: 4, NEIGHBOUR: 1}, {CELL: d, NEIGHBOUR: 3.0}, **kw)[CELL]
        for d in np.linspace(0, 40, 41)
    ]
    assert by_demand == sorted(by_demand) and by_demand[0] == 1.0
    assert by_demand[-1] == 2.5 and max(by_demand) <= 2.5
    by_supply = [
        surge_multipliers({CELL: s, NEIGHBOUR: 1}, {CELL: 12.0, NEIGHBOUR: 3.0}, **kw)[CELL]
        for s in range(0, 20)
    ]
    assert by_supply == sorted(by_supply, reverse=True)
    assert by_supply[0] == 2.5  # demand with no driver anywhere near: the cap
    assert by_supply[-1] == 1.0


def test_curves_differ_in_shape():
    m = {
        name: surge_multipliers({CELL: 10}, {CELL: 14.0}, curve=name, smoothing=0.0, cap=5)[CELL]
        for name in SURGE_CURVES
    }
    assert m["linear"] == pytest.approx(1.4)
    assert m["sqrt"] == pytest.approx(math.sqrt(1.4))
    assert m["step"] == 1.25


def test_smoothing_lets_idle_neighbours_damp_a_spike():
    supply, demand = {CELL: 1, NEIGHBOUR: 6}, {CELL: 4.0}
    alone = surge_multipliers(supply, demand, smoothing=0.0, curve="linear")
    pooled = surge_multipliers(supply, demand, smoothing=0.5, curve="linear")
    assert alone[CELL] == 3.0 and pooled[CELL] == 1.0
    far = h3.latlng_to_cell(41.6, -87.9, RESOLUTION)
    far_pooled = surge_multipliers({CELL: 1, far: 6}, demand, smoothing=0.5, curve="linear")
    assert far_pooled[CELL] == 3.0  # only the ring of neighbours pools


def test_bad_surge_arguments_are_refused():
    for kw in ({"curve": "cubic"}, {"cap": 0.5}, {"smoothing": 1.5}):
        with pytest.raises(ValueError):
            surge_multipliers({CELL: 1}, {CELL: 2.0}, **kw)
    with pytest.raises(ValueError):
        surge_multipliers({CELL: -1}, {CELL: 2.0})
    custom = surge_multipliers({CELL: 1}, {CELL: 2.0}, curve=lambda r: r**2, smoothing=0.0, cap=9)
    assert custom[CELL] == 4.0
