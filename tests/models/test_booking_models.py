"""Cancellation model, net demand and overbooking replay, on generated bookings (and the
real ones when present)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from models.booking_cancel import CancellationModel, evaluate, split_by_year
from models.booking_data import FEATURES, LEAKY, TARGET, bookings_path, prepare, synthetic_bookings
from models.booking_overbooking import (
    Policy,
    cancel_timing,
    capacity_from,
    net_demand,
    newsvendor_allowance,
    remaining_probability,
    replay,
)


def test_features_exclude_the_outcome_and_what_is_known_only_later():
    assert TARGET not in FEATURES
    assert not set(LEAKY) & set(FEATURES)
    assert "arrival_date_year" not in FEATURES
    assert {
        "reservation_status",
        "reservation_status_date",
        "assigned_room_type",
        "booking_changes",
        "days_in_waiting_list",
    } == set(LEAKY)


def test_the_model_never_reads_a_leaky_column():
    frame = prepare(synthetic_bookings(1500, seed=2))
    train, test = split_by_year(frame)
    model = CancellationModel(max_iter=30).fit(train)
    shuffled = test.with_columns(
        [pl.col(c).shuffle(seed=1) for c in LEAKY if c in test.columns] + [pl.lit(0).alias(TARGET)]
    )
    assert np.allclose(model.predict_proba(test), model.predict_proba(shuffled))


def test_the_model_learns_and_beats_chance_on_a_later_year():
    ev = evaluate(prepare(synthetic_bookings(3000, seed=3)))
    assert ev.auc > 0.7 and ev.baseline_auc > 0.7
    assert ev.test_rows > 0 and ev.train_rows > ev.test_rows


def _frame(rows):
    return pl.DataFrame(
        rows,
        schema={
            "hotel": pl.String,
            "arrival": pl.Date,
            "nights": pl.Int64,
            "booked_on": pl.Date,
            "is_canceled": pl.Int64,
            "reservation_status_date": pl.Date,
            "adr": pl.Float64,
        },
    )


def test_replay_walks_nobody_without_overbooking_and_counts_walks_when_it_overbooks():
    d = date(2017, 5, 1)
    rows = [
        {
            "hotel": "H",
            "arrival": d,
            "nights": 1,
            "booked_on": date(2017, 1, 1),
            "is_canceled": 0,
            "reservation_status_date": d,
            "adr": 100.0,
        },
        {
            "hotel": "H",
            "arrival": d,
            "nights": 1,
            "booked_on": date(2017, 1, 2),
            "is_canceled": 0,
            "reservation_status_date": d,
            "adr": 90.0,
        },
        {
            "hotel": "H",
            "arrival": d,
            "nights": 1,
            "booked_on": date(2017, 1, 3),
            "is_canceled": 1,
            "reservation_status_date": date(2017, 2, 1),
            "adr": 80.0,
        },
    ]
    frame = _frame(rows)
    scores = np.array([0.9, 0.9, 0.9])  # the model expects most to cancel
    none = replay(frame, scores, {"H": 1}, Policy("none", "none"))
    assert (none.accepted, none.arrivals, none.walked) == (1, 1, 0)
    greedy = replay(frame, scores, {"H": 1}, Policy("model", "model", z=0.0))
    assert greedy.accepted == 3 and greedy.arrivals == 2 and greedy.walked == 1
    assert greedy.room_nights == 1 and greedy.revenue == 100.0
    careful = replay(frame, scores, {"H": 1}, Policy("model", "model", z=10.0))
    assert careful.walked == 0


def test_net_demand_sums_expected_and_actual_shows_per_night():
    d = date(2017, 5, 1)
    frame = _frame(
        [
            {
                "hotel": "H",
                "arrival": d,
                "nights": 2,
                "booked_on": d,
                "is_canceled": 0,
                "reservation_status_date": d,
                "adr": 1.0,
            },
            {
                "hotel": "H",
                "arrival": d,
                "nights": 1,
                "booked_on": d,
                "is_canceled": 1,
                "reservation_status_date": d,
                "adr": 1.0,
            },
        ]
    )
    demand = net_demand(frame, np.array([0.25, 0.5]))
    first = demand.filter(pl.col("night") == d).row(0, named=True)
    assert first["gross"] == 2 and first["expected_shows"] == pytest.approx(1.25)
    assert first["actual_shows"] == 1


def test_allowance_grows_with_the_cancellation_rate_and_is_zero_without_cancellations():
    assert newsvendor_allowance(100, 0.0, 0.05) == 0
    assert 0 < newsvendor_allowance(100, 0.1, 0.05) < newsvendor_allowance(100, 0.3, 0.05)


def test_a_booking_still_alive_near_arrival_is_less_likely_to_cancel():
    p = np.array([0.4])
    assert remaining_probability(p, 1.0)[0] == pytest.approx(0.4)
    assert remaining_probability(p, 0.1)[0] < 0.1


def test_timing_and_capacity_come_from_training_data():
    frame = prepare(synthetic_bookings(2000, seed=4))
    train, _ = split_by_year(frame)
    timing = cancel_timing(train)
    assert timing[-1] == pytest.approx(1.0) and np.all(np.diff(timing) >= 0)
    capacity = capacity_from(train)
    assert set(capacity) == {"Resort Hotel", "City Hotel"} and min(capacity.values()) >= 1


@pytest.mark.slow
@pytest.mark.skipif(
    not bookings_path().exists(), reason="real hotel bookings not in ../shared/data"
)
def test_real_bookings_auc_beats_the_logistic_baseline_on_2017():
    from models.booking_data import load_bookings

    ev = evaluate(load_bookings())
    assert ev.auc > ev.baseline_auc and ev.auc >= 0.88
