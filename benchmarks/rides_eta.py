"""Ride models on the real Chicago taxi trips: the ETA model and the demand forecast.

- ETA: trained on the earlier 70% of trips by start time, tested on the later 30% (trips over
  a minute between distinct points), against the median-speed-per-hour baseline fitted on
  the same training trips in this run. Hyperparameters are chosen in this run on an inner
  time split of the training trips only.
- Rolling check: the same model and baseline fitted on the earlier 40%, 50%, ... 90% of
  trips and tested on the next 10% each, so a figure that holds on one split only shows.
- In-period check: the test trips dealt into 5 random folds, each predicted by the same model
  fitted on the training trips plus the other folds. Not a result (it sees the test period):
  when it is no lower than the time-split figure, recent trips would not lower the error,
  and only new information would.
- Demand: the hierarchical per-cell forecast (H3 resolution 9, hour of week) of the later 30%
  of pickups from the earlier 70%, against the per-cell overall mean; MAE and Poisson
  deviance per cell-hour. Smoothing chosen on an inner split of the training pickups.

Skips (exit 0, with a message) when ``../shared/data/rides/chicago_taxi_trips.csv`` is absent.

Last line: ``RESULT rides_eta_mape=<x> rides_eta_baseline_mape=<x> rides_eta_mae_s=<x>
rides_eta_baseline_mae_s=<x> rides_eta_test_trips=<n> rides_demand_mae=<x>
rides_demand_baseline_mae=<x>``.
"""

from __future__ import annotations

import os
import time
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import polars as pl  # noqa: E402

from models.rides_demand import evaluate_demand  # noqa: E402
from models.rides_eta import (  # noqa: E402
    evaluate,
    in_period_evaluate,
    load_trips,
    rolling_evaluate,
)
from models.rides_trips import trips_path  # noqa: E402


def measure() -> dict[str, Any] | None:
    """Both evaluations on the real trips, or None when the file is absent."""
    try:
        trips = load_trips()
    except FileNotFoundError:
        return None
    t0 = time.perf_counter()
    eta = evaluate(trips, tune=True)
    t1 = time.perf_counter()
    rolling = rolling_evaluate(trips)
    t1r = time.perf_counter()
    in_period = in_period_evaluate(trips)
    t1p = time.perf_counter()
    pickups = trips.drop_nulls(["pickup_latitude", "pickup_longitude"]).select(
        pl.col("start").alias("ts"),
        pl.col("pickup_latitude").alias("lat"),
        pl.col("pickup_longitude").alias("lng"),
    )
    demand = evaluate_demand(pickups, tune=True)
    t2 = time.perf_counter()
    return {
        "in_period": in_period,
        "eta": eta,
        "demand": demand,
        "rolling": rolling,
        "eta_s": t1 - t0,
        "rolling_s": t1r - t1,
        "in_period_s": t1p - t1r,
        "demand_s": t2 - t1p,
    }


def main() -> None:
    out = measure()
    if out is None:
        print(f"SKIP rides models: no trips at {trips_path()}")
        return
    eta, demand = out["eta"], out["demand"]
    print(
        f"ETA: {eta['n_train']} training trips, {eta['n_test']} test trips; params {eta['params']}"
        f" (inner-validation MAPE {eta['validation_mape']:.4f}), scale {eta['scale']:.3f};"
        f" {out['eta_s']:.1f} s"
    )
    print(
        f"ETA MAPE {eta['mape']:.4f} vs baseline {eta['baseline_mape']:.4f} (default "
        f"gradient boosting on raw seconds {eta['default_gbm_mape']:.4f}); "
        f"MAE {eta['mae']:.1f} s vs {eta['baseline_mae']:.1f} s"
    )
    folds = out["rolling"]
    print(
        "ETA rolling origins (fit on the earlier share, test on the next 10%): "
        + ", ".join(
            f"{f['origin']:.0%}: {f['mape']:.4f} vs {f['baseline_mape']:.4f}" for f in folds
        )
        + f"; mean {sum(f['mape'] for f in folds) / len(folds):.4f} vs "
        f"{sum(f['baseline_mape'] for f in folds) / len(folds):.4f}; {out['rolling_s']:.1f} s"
    )
    print(
        f"ETA in-period check (fitted also on 4 of 5 random folds of the test trips, scored "
        f"on the fifth): MAPE {out['in_period']['mape']:.4f} vs {eta['mape']:.4f} from the "
        f"earlier trips only; {out['in_period_s']:.1f} s"
    )
    print(
        f"Demand: {demand['cells']} cells x {demand['test_hours']} test hours, "
        f"{demand['n_test']} test pickups ({demand['n_test_outside']} outside the area); "
        f"smoothing {demand['params']}; {out['demand_s']:.1f} s"
    )
    print(
        f"Demand per cell-hour: MAE {demand['mae']:.6f} vs per-cell mean "
        f"{demand['baseline_mae']:.6f} (hour-of-week mean {demand['how_mean_mae']:.6f}); "
        f"Poisson deviance {demand['deviance']:.6f} vs {demand['baseline_deviance']:.6f} "
        f"(hour-of-week mean {demand['how_mean_deviance']:.6f})"
    )
    print(
        f"RESULT rides_eta_mape={eta['mape']:.4f}"
        f" rides_eta_baseline_mape={eta['baseline_mape']:.4f}"
        f" rides_eta_mae_s={eta['mae']:.1f} rides_eta_baseline_mae_s={eta['baseline_mae']:.1f}"
        f" rides_eta_test_trips={eta['n_test']} rides_demand_mae={demand['mae']:.6f}"
        f" rides_demand_baseline_mae={demand['baseline_mae']:.6f}"
    )


if __name__ == "__main__":
    main()
