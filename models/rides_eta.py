"""Trip and pickup ETA for ride sharing, trained on real Chicago taxi trips.

The model sees only what is known when a ride is requested: the pickup and drop-off points
(coordinates are census-tract or community-area centroids), the great-circle and grid
(Manhattan) distances between them, the bearing, the time of day, weekday and month, and the
community areas of both ends. Community areas are looked up from coordinates (nearest known
centroid), so the service, which only has coordinates, builds the same features as training.
``trip_miles``, ``fare``, ``tips`` and ``trip_seconds`` are measured after the trip and never
enter the features.

A histogram gradient-boosting regressor fits ``log(seconds)``: errors are relative, as MAPE
is. It uses the pinball loss at a quantile below the median (MAPE rewards erring short), is
monotone in both distances, and is followed by a multiplicative correction (the MAPE-optimal
scale, a weighted median of actual over predicted) fitted on the last 20% of its training
trips. Trip times are then rounded to the resolution of the recorded durations (whole
minutes in the data) when that lowers the MAPE on those same calibration trips: the MAPE of a
discrete target is minimised at one of its values, and on the inner splits rounding lowered
it by about 0.002 (:func:`resolution_of`). The loss and leaf size are chosen on two
rolling time splits of the training trips (:func:`select_params`), never on the test trips;
:func:`evaluate` tests on the later 30% of trips by start time. The baseline is the median
speed per hour of day over the great-circle distance, fitted on the same training trips in
the same run. :func:`in_period_evaluate` is a diagnostic, not a result: the test trips are
predicted by models fitted also on most of the test period (random folds), which shows how
much recent trips could lower the error (on the real file: nothing, 0.2806 against 0.2796).

ETA stays model-based (no road graph): tract-centroid coordinates carry no street position,
and the grid distance already follows Chicago's street grid.

Timestamps in the data are Chicago wall-clock time written as epoch seconds and rounded to 15
minutes; a naive ``datetime`` given to :meth:`EtaModel.predict_seconds` is read as that
wall-clock time, an aware one is converted to ``America/Chicago`` first.

This module is the public entry point and the registry glue; the parts live in
``rides_eta_model`` (features and predictor), ``rides_eta_training`` (fitting and parameter
choice), ``rides_eta_evaluation`` (baseline and scoring) and ``rides_eta_scoring`` (MAPE,
scale and rounding).
"""

from __future__ import annotations

import math
from typing import Any

from models.registry import ModelRegistry
from models.rides_eta_evaluation import (
    SpeedBaseline,
    evaluate,
    in_period_evaluate,
    rolling_evaluate,
)
from models.rides_eta_model import (
    FEATURES,
    PICKUP_CEILING_S,
    PICKUP_FLOOR_S,
    AreaLookup,
    EtaModel,
)
from models.rides_eta_scoring import mape, mape_scale, resolution_of, snap
from models.rides_eta_training import DEFAULT_PARAMS, TooFewTrips, select_params, train
from models.rides_trips import load_trips, synthetic_trips

# The public API; ``AreaLookup`` also stays here so artifacts pickled under this module load.
__all__ = [
    "DEFAULT_PARAMS",
    "FEATURES",
    "MODEL_NAME",
    "PICKUP_CEILING_S",
    "PICKUP_FLOOR_S",
    "AreaLookup",
    "EtaModel",
    "SpeedBaseline",
    "TooFewTrips",
    "evaluate",
    "in_period_evaluate",
    "load_model",
    "load_trips",
    "mape",
    "mape_scale",
    "resolution_of",
    "rolling_evaluate",
    "save_model",
    "select_params",
    "snap",
    "synthetic_trips",
    "train",
]

MODEL_NAME = "rides_eta"
ARTIFACT = "model.joblib"


def save_model(
    registry: ModelRegistry, model: EtaModel, metrics: dict[str, Any] | None = None
) -> str:
    """A new ``rides_eta`` version (joblib artifact plus params, metrics and data snapshot)."""
    clean = {
        k: v for k, v in (metrics or {}).items() if isinstance(v, int | float) and math.isfinite(v)
    }
    return registry.save(
        MODEL_NAME,
        ARTIFACT,
        model.save,
        params=model.params,
        metrics=clean,
        snapshot=model.snapshot,
    )


def load_model(registry: ModelRegistry, version: str | None = None) -> EtaModel:
    """The given version, or production; ``LookupError`` when there is none."""
    version = version or registry.production(MODEL_NAME)
    if version is None:
        raise LookupError("no production rides_eta model")
    return EtaModel.load(registry.artifact(MODEL_NAME, version))
