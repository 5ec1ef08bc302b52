"""The ride ETA model on generated trips with a planted speed-by-hour and downtown structure."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest

from models.registry import ModelRegistry
from models.rides_eta import (
    FEATURES,
    PICKUP_CEILING_S,
    PICKUP_FLOOR_S,
    EtaModel,
    SpeedBaseline,
    TooFewTrips,
    evaluate,
    in_period_evaluate,
    load_model,
    mape_scale,
    resolution_of,
    rolling_evaluate,
    save_model,
    snap,
    train,
)
from models.rides_trips import COORDS, evaluable, haversine_km, synthetic_trips, time_split

FAST = {"max_iter": 80, "learning_rate": 0.1, "max_depth": 5, "min_samples_leaf": 20}
# For tests that fit many models: fewer, faster-learning trees.
QUICK = {**FAST, "max_iter": 30, "learning_rate": 0.2}


@pytest.fixture(scope="module")
def trips() -> pl.DataFrame:
    return synthetic_trips(2500, seed=1)


@pytest.fixture(scope="module")
def model(trips) -> EtaModel:
    return train(trips, **FAST)


def test_model_beats_the_median_speed_baseline_on_later_trips(trips):
    r = evaluate(trips, **FAST)
    assert r["n_test"] > 500 and r["n_train"] > 1000
    # The baseline knows speed by hour but not the overhead, the grid or the slow downtown.
    assert r["mape"] < 0.75 * r["baseline_mape"]
    assert r["mae"] < r["baseline_mae"]
    assert r["mape"] < 0.2
    assert 0 < r["default_gbm_mape"] < r["baseline_mape"]


def test_model_recovers_the_planted_rush_hour_slowdown(model):
    a, b = (41.95, -87.70), (41.97, -87.62)  # outside the slow downtown disc
    night = model.predict_seconds(*a, *b, datetime(2015, 3, 4, 3, 0))
    rush = model.predict_seconds(*a, *b, datetime(2015, 3, 4, 8, 0))
    midday = model.predict_seconds(*a, *b, datetime(2015, 3, 4, 12, 30))
    # Planted speeds: 30 km/h at night, about 8 km/h at 8h, about 20 km/h at midday.
    assert rush > 1.8 * night
    assert night < midday < rush


def test_predictions_never_read_what_is_measured_after_the_trip(trips, model):
    test = evaluable(trips).head(200)
    before = model.predict_frame(test)
    scrambled = test.with_columns(
        pl.col("trip_seconds").reverse(),
        pl.col("trip_miles") * 10,
        pl.col("fare") * 3,
        pl.col("tips") + 5,
    )
    np.testing.assert_allclose(model.predict_frame(scrambled), before)
    bare = test.select("pickup_latitude", "pickup_longitude", "dropoff_latitude")
    bare = bare.with_columns(
        test["dropoff_longitude"].alias("drop_lng"), test["trip_start_timestamp"]
    )
    np.testing.assert_allclose(model.predict_frame(bare), before)
    assert not {"trip_miles", "fare", "tips", "trip_seconds"} & set(FEATURES)


def test_single_prediction_matches_the_frame_and_reads_aware_times_in_chicago(trips, model):
    row = evaluable(trips).row(0, named=True)
    wall = datetime.fromtimestamp(row["trip_start_timestamp"], UTC).replace(tzinfo=None)
    one = model.predict_seconds(
        row["pickup_latitude"],
        row["pickup_longitude"],
        row["dropoff_latitude"],
        row["dropoff_longitude"],
        wall,
    )
    frame = model.predict_frame(pl.DataFrame([row]))
    assert one == pytest.approx(frame[0])
    # 14:00 UTC in March 2015 is 09:00 in Chicago (CDT, UTC-5).
    aware = model.predict_seconds(
        41.95, -87.70, 41.97, -87.62, datetime(2015, 3, 18, 14, tzinfo=UTC)
    )
    local = model.predict_seconds(41.95, -87.70, 41.97, -87.62, datetime(2015, 3, 18, 9))
    assert aware == pytest.approx(local)
    by_when = pl.DataFrame(
        {
            "pickup_lat": [41.95],
            "pickup_lng": [-87.70],
            "drop_lat": [41.97],
            "drop_lng": [-87.62],
            "when": [datetime(2015, 3, 18, 9)],
        }
    )
    assert model.predict_frame(by_when)[0] == pytest.approx(local)


def test_pickup_time_is_bounded_and_grows_with_the_leg(model):
    when = datetime(2015, 3, 4, 12)
    here = (41.90, -87.70)
    assert model.predict_pickup_seconds(*here, *here, when) == PICKUP_FLOOR_S
    legs = [0.0005, 0.002, 0.004, 0.008]  # degrees of latitude: about 55 m to 900 m
    times = [model.predict_pickup_seconds(here[0] + d, here[1], *here, when) for d in legs]
    assert all(PICKUP_FLOOR_S <= t <= PICKUP_CEILING_S for t in times)
    assert times == sorted(times) and times[-1] > times[0]
    far = model.predict_pickup_seconds(41.60, -87.90, 42.10, -87.50, datetime(2015, 3, 4, 8))
    assert far <= PICKUP_CEILING_S


def test_baseline_is_the_median_speed_of_each_hour():
    rows = synthetic_trips(600, seed=3)
    base = SpeedBaseline.fit(rows)
    ok = evaluable(rows)
    km = haversine_km(*(ok[c].to_numpy() for c in COORDS))
    speed = km / (ok["trip_seconds"].to_numpy() / 3600)
    hour = (ok["trip_start_timestamp"].to_numpy() % 86_400) // 3600
    assert base.kmh[8] == pytest.approx(np.median(speed[hour == 8]))
    assert base.kmh[8] < base.kmh[3]


def test_evaluation_keeps_only_trips_over_a_minute_between_distinct_points():
    rows = synthetic_trips(300, seed=4)
    rows = rows.with_columns(
        pl.when(pl.int_range(pl.len()) % 10 == 0)
        .then(pl.col("pickup_latitude"))
        .otherwise(pl.col("dropoff_latitude"))
        .alias("dropoff_latitude"),
        pl.when(pl.int_range(pl.len()) % 10 == 0)
        .then(pl.col("pickup_longitude"))
        .otherwise(pl.col("dropoff_longitude"))
        .alias("dropoff_longitude"),
        pl.when(pl.int_range(pl.len()) % 7 == 0)
        .then(60)
        .otherwise(pl.col("trip_seconds"))
        .alias("trip_seconds"),
    )
    kept = evaluable(rows)
    assert kept["trip_seconds"].min() > 60
    same = (kept["pickup_latitude"] == kept["dropoff_latitude"]) & (
        kept["pickup_longitude"] == kept["dropoff_longitude"]
    )
    assert not same.any()
    _, later = time_split(rows)
    assert later["trip_start_timestamp"].min() >= time_split(rows)[0]["trip_start_timestamp"].max()


def test_tuning_never_sees_the_test_trips(trips):
    grid = {"max_depth": [2, 6], "max_iter": [30], "learning_rate": [0.1]}
    a = evaluate(trips, tune=True, grid=grid)
    _, later = time_split(trips)
    cut = later["trip_start_timestamp"].min()
    noisy = trips.with_columns(
        pl.when(pl.col("trip_start_timestamp") >= cut)
        .then(pl.col("trip_seconds") * 5)
        .otherwise(pl.col("trip_seconds"))
        .alias("trip_seconds")
    )
    b = evaluate(noisy, tune=True, grid=grid)
    assert a["params"] == b["params"] and a["validation_mape"] == b["validation_mape"]
    assert b["mape"] > a["mape"]


def test_mape_scale_minimises_relative_error():
    rng = np.random.default_rng(0)
    y = rng.lognormal(6, 0.5, 500)
    pred = np.full(500, float(np.median(y)))
    c = mape_scale(pred, y)

    def err(k: float) -> float:
        return float(np.mean(np.abs(k * pred - y) / y))

    assert err(c) <= min(err(c * 0.95), err(c * 1.05), err(1.0))


def test_saved_model_reloads_through_the_registry(tmp_path, trips, model):
    reg = ModelRegistry(tmp_path)
    version = save_model(reg, model, {"mape": 0.12, "baseline_mape": 0.3, "n_test": 400})
    reg.promote("rides_eta", version)
    meta = reg.meta("rides_eta", version)
    assert meta["metrics"]["mape"] == 0.12 and meta["params"]["max_iter"] == 80
    assert meta["snapshot"]["trips"] == model.snapshot["trips"]
    again = load_model(reg)
    test = evaluable(trips).head(50)
    np.testing.assert_allclose(again.predict_frame(test), model.predict_frame(test))


def test_too_few_trips_is_refused():
    with pytest.raises(TooFewTrips):
        train(synthetic_trips(20, seed=5))


def test_pair_predictions_equal_the_frame_and_single_paths(trips, model):
    test = evaluable(trips).head(50)
    o = test.select("pickup_latitude", "pickup_longitude").to_numpy()
    d = test.select("dropoff_latitude", "dropoff_longitude").to_numpy()
    when = datetime(2015, 3, 18, 9)
    at = test.with_columns(pl.lit(when).alias("when")).drop("trip_start_timestamp")
    np.testing.assert_allclose(model.predict_pairs(o, d, when), model.predict_frame(at))
    legs = model.pickup_pairs(o, d, when)
    singles = [model.predict_pickup_seconds(*a, *b, when) for a, b in zip(o, d, strict=True)]
    np.testing.assert_allclose(legs, singles)
    # The compiled trees serve exactly the fitted estimator (Wednesday 9h in March).
    X = model.features(*o.T, *d.T, *(np.full(len(o), v) for v in (9.0, 2.0, 3.0)))
    expected = np.exp(model.estimator.predict(X)) * model.scale
    np.testing.assert_allclose(model._pairs(o, d, when), expected, rtol=1e-12)
    rounded = snap(expected, model.resolution_s, model.min_s)
    np.testing.assert_allclose(model.predict_pairs(o, d, when), rounded, rtol=1e-12)


def test_trip_times_round_to_the_step_of_recorded_durations(trips, model):
    # The generated durations, like the real ones, are whole minutes.
    assert resolution_of(trips["trip_seconds"].to_numpy()) == 60.0
    assert resolution_of(np.array([61, 122, 300])) == 0.0
    np.testing.assert_array_equal(snap(np.array([29.0, 95.0, 151.0]), 60.0, 120.0), [120, 120, 180])
    np.testing.assert_array_equal(snap(np.array([95.5]), 0.0), [95.5])
    test = evaluable(trips).head(200)
    secs = model.predict_frame(test)
    assert model.resolution_s in (0.0, 60.0)
    if model.resolution_s:
        assert np.all(secs % 60 == 0) and secs.min() >= model.min_s
    # Pickup legs stay continuous: ranking needs no ties between near and far drivers.
    when = datetime(2015, 3, 4, 12)
    legs = model.pickup_pairs(
        np.array([[41.905, -87.70], [41.91, -87.70]]), np.array([[41.90, -87.70]] * 2), when
    )
    assert legs[0] < legs[1]


def test_durations_recorded_to_the_second_are_not_rounded():
    rows = synthetic_trips(1500, seed=7)
    rng = np.random.default_rng(0)
    rows = rows.with_columns(
        (pl.col("trip_seconds") + pl.Series(rng.integers(1, 59, rows.height))).alias("trip_seconds")
    )
    assert train(rows, **FAST).resolution_s == 0.0


def test_rolling_origins_each_beat_the_baseline(trips):
    folds = rolling_evaluate(trips, origins=(0.5, 0.7), horizon=0.2, **FAST)
    assert [f["origin"] for f in folds] == [0.5, 0.7]
    assert all(f["n_test"] > 300 for f in folds)
    assert all(f["mape"] < 0.85 * f["baseline_mape"] and f["mape"] < 0.2 for f in folds)


def test_in_period_check_never_fits_a_fold_on_its_own_trips(trips):
    ids = trips.with_row_index("rid")
    first = in_period_evaluate(ids, folds=3, **QUICK)
    out = first["trips"]
    assert first["n_test"] == out.height > 500
    assert set(out["fold"]) == {0, 1, 2}
    # On trips without drift, seeing the test period changes the error little.
    assert abs(first["mape"] - evaluate(trips, **QUICK)["mape"]) < 0.03
    # Fold 0's durations quadrupled: its own predictions stay the same (its model never saw
    # them) while the other folds' move (their models did).
    fold0 = out.filter(pl.col("fold") == 0)["rid"]
    changed = ids.with_columns(
        pl.when(pl.col("rid").is_in(fold0.implode()))
        .then(pl.col("trip_seconds") * 4)
        .otherwise(pl.col("trip_seconds"))
        .alias("trip_seconds")
    )
    second = in_period_evaluate(changed, folds=3, **QUICK)["trips"]
    both = out.join(second, on="rid", suffix="_2")
    assert both.height == out.height and (both["fold"] == both["fold_2"]).all()
    held = both.filter(pl.col("fold") == 0)
    rest = both.filter(pl.col("fold") != 0)
    np.testing.assert_allclose(held["pred_seconds_2"], held["pred_seconds"])
    assert not np.allclose(rest["pred_seconds_2"], rest["pred_seconds"])


def test_an_artifact_of_the_older_area_lookup_is_refused_at_load(tmp_path, model):
    import joblib

    model.save(tmp_path / "m.joblib")
    obj = joblib.load(tmp_path / "m.joblib")
    obj["areas"] = object()  # stands in for the pickled KNN lookup of older versions
    joblib.dump(obj, tmp_path / "old.joblib")
    with pytest.raises(ValueError, match="retrain"):
        EtaModel.load(tmp_path / "old.joblib")
