"""Scoring the ride ETA model against the median-speed-per-hour baseline on later trips
than it was fitted on (one time split, or rolling origins), and the in-period check of how
much of the test error recent data could remove."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sklearn.ensemble import HistGradientBoostingRegressor

from models.rides_eta_model import CATEGORICAL, FEATURES
from models.rides_eta_scoring import mape
from models.rides_eta_training import (
    TooFewTrips,
    features_and_seconds,
    select_params,
    train,
    trainable_trips,
)
from models.rides_trips import COORDS, column, evaluable, haversine_km, time_split, wall_clock


# ---- the baseline --------------------------------------------------------------------
@dataclass
class SpeedBaseline:
    """Median great-circle speed per hour of day (the overall median for unseen hours)."""

    kmh: np.ndarray

    @classmethod
    def fit(cls, trips: pl.DataFrame) -> SpeedBaseline:
        rows = evaluable(trips)
        km = haversine_km(*(rows[c].to_numpy() for c in COORDS))
        speed = km / (rows["trip_seconds"].to_numpy() / 3600.0)
        hour = (rows["trip_start_timestamp"].to_numpy() % 86_400) // 3600
        overall = float(np.median(speed))
        kmh = np.array(
            [
                float(np.median(speed[hour == h])) if np.any(hour == h) else overall
                for h in range(24)
            ]
        )
        return cls(kmh)

    def predict_frame(self, df: Any) -> np.ndarray:
        km = haversine_km(*(column(df, c) for c in COORDS))
        hour, _, _ = wall_clock(df)
        return km / self.kmh[hour.astype(int) % 24] * 3600.0


# ---- evaluation -----------------------------------------------------------------------
def evaluate(
    trips: pl.DataFrame,
    *,
    tune: bool = False,
    grid: dict[str, list[Any]] | None = None,
    train_share: float = 0.7,
    **params: Any,
) -> dict[str, Any]:
    """MAPE and MAE (seconds) of the model and of the median-speed-per-hour baseline on the
    later ``1 - train_share`` of trips, both fitted on the earlier part in this run.

    With ``tune`` the params come from :func:`select_params` on the training part only."""
    train_part, test_part = time_split(trips.drop_nulls(["trip_start_timestamp"]), train_share)
    test = evaluable(test_part)
    if test.height < 20:
        raise TooFewTrips(f"{test.height} test trips; need at least 20")
    chosen = dict(params)
    val_mape = None
    if tune:
        chosen, val_mape = select_params(train_part, grid)
        chosen.update(params)
    model = train(train_part, **chosen)
    base = SpeedBaseline.fit(train_part)
    y = test["trip_seconds"].to_numpy().astype(float)
    pred = model.predict_frame(test)
    bpred = base.predict_frame(test)
    # For reference: scikit-learn's default gradient boosting on raw seconds, same features.
    X_fit, y_fit = features_and_seconds(model.areas, trainable_trips(train_part))
    plain = HistGradientBoostingRegressor(
        categorical_features=[name in CATEGORICAL for name in FEATURES], random_state=0
    ).fit(X_fit, y_fit)
    dpred = np.maximum(plain.predict(features_and_seconds(model.areas, test)[0]), 1.0)
    return {
        "mape": mape(pred, y),
        "mae": float(np.mean(np.abs(pred - y))),
        "baseline_mape": mape(bpred, y),
        "baseline_mae": float(np.mean(np.abs(bpred - y))),
        "n_train": model.snapshot["trips"],
        "n_test": int(test.height),
        "params": model.params,
        "scale": model.scale,
        "validation_mape": val_mape,
        "default_gbm_mape": mape(dpred, y),
    }


def rolling_evaluate(
    trips: pl.DataFrame,
    origins: tuple[float, ...] = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    horizon: float = 0.1,
    **params: Any,
) -> list[dict[str, float]]:
    """MAPE of the model and of the baseline on rolling origins: for each ``origin``, fit on
    the earlier ``origin`` share of trips and test on the next ``horizon`` share. A gain that
    holds on one split only shows here as folds that disagree."""
    ordered = trips.drop_nulls(["trip_start_timestamp"]).sort("trip_start_timestamp")
    n = ordered.height
    out = []
    for origin in origins:
        lo, hi = int(round(n * origin)), int(round(n * min(1.0, origin + horizon)))
        fit_part, test = ordered.head(lo), evaluable(ordered.slice(lo, hi - lo))
        if test.height < 20:
            continue
        y = test["trip_seconds"].to_numpy().astype(float)
        model = train(fit_part, **params)
        base = SpeedBaseline.fit(fit_part)
        out.append(
            {
                "origin": origin,
                "n_test": float(test.height),
                "mape": mape(model.predict_frame(test), y),
                "baseline_mape": mape(base.predict_frame(test), y),
            }
        )
    return out


def in_period_evaluate(
    trips: pl.DataFrame,
    *,
    train_share: float = 0.7,
    folds: int = 5,
    seed: int = 0,
    **params: Any,
) -> dict[str, Any]:
    """MAPE on the later ``1 - train_share`` of trips (the test trips of :func:`evaluate`) of
    models that also saw most of the test period: the test trips are dealt at random into
    ``folds``, and each fold is predicted by a model fitted on the training trips plus the
    other folds, never on its own trips. A diagnostic, not a result: when it is no lower than
    the time-split figure, the later trips are not harder for lack of recent trips, and only
    new information (not a better fit of these features) can lower the error.

    Returns ``mape``, ``n_test`` and ``trips``: the test trips with their ``fold`` and
    ``pred_seconds``. The deal depends on the number of test trips and ``seed`` only."""
    train_part, test_part = time_split(trips.drop_nulls(["trip_start_timestamp"]), train_share)
    test = evaluable(test_part)
    if test.height < 20 * folds:
        raise TooFewTrips(f"{test.height} test trips; need at least {20 * folds}")
    fold = np.random.default_rng(seed).integers(0, folds, test.height)
    pred = np.empty(test.height)
    for f in range(folds):
        held = pl.Series(fold == f)
        fit = pl.concat([train_part, test.filter(~held)], how="vertical_relaxed")
        pred[fold == f] = train(fit, **params).predict_frame(test.filter(held))
    y = test["trip_seconds"].to_numpy().astype(float)
    return {
        "mape": mape(pred, y),
        "n_test": int(test.height),
        "trips": test.with_columns(pl.Series("fold", fold), pl.Series("pred_seconds", pred)),
    }
