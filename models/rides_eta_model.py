"""The ride ETA model as served: request-time features and the fitted predictor.

The features are what is known when a ride is requested (see :mod:`models.rides_eta`);
community areas are looked up from coordinates, so the service, which only has coordinates,
builds the same features as training.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import polars as pl
from scipy.spatial import cKDTree
from sklearn.ensemble import HistGradientBoostingRegressor

from models.rides_eta_scoring import snap
from models.rides_trees import CompiledTrees, compile_hgb
from models.rides_trips import (
    COORDS,
    bearing_rad,
    clock_features,
    column,
    epoch_wall,
    grid_km,
    haversine_km,
    wall_clock,
)

NO_AREA = 0
FEATURES = (
    "distance_km",
    "grid_km",
    "bearing_sin",
    "bearing_cos",
    "pickup_lat",
    "pickup_lng",
    "drop_lat",
    "drop_lng",
    "hour",
    "weekday",
    "month",
    "pickup_area",
    "drop_area",
)
CATEGORICAL = ("pickup_area", "drop_area")
MONOTONE = ("distance_km", "grid_km")
# Pickup legs are short; below the shortest trips the model saw, time scales with distance.
PICKUP_FLOOR_S = 60.0
PICKUP_CEILING_S = 45 * 60.0


# ---- community areas from coordinates ---------------------------------------------------
@dataclass
class AreaLookup:
    """Nearest known centroid -> community area (Chicago's 77), learned from the trips.

    A KD-tree over the known centroids (degrees of longitude shrunk by cos(latitude), so the
    metric is near-Euclidean at city scale): a lookup of a few points costs microseconds,
    which matters when matching ranks candidates on every request."""

    tree: cKDTree | None = None
    areas: np.ndarray | None = None
    cos_lat: float = 1.0

    @classmethod
    def fit(cls, trips: pl.DataFrame) -> AreaLookup:
        pts = []
        for lat, lng, area in (
            ("pickup_latitude", "pickup_longitude", "pickup_community_area"),
            ("dropoff_latitude", "dropoff_longitude", "dropoff_community_area"),
        ):
            if area in trips.columns:
                pts.append(
                    trips.select(
                        pl.col(lat).alias("lat"), pl.col(lng).alias("lng"), pl.col(area)
                    ).rename({area: "area"})
                )
        if not pts:
            return cls()
        known = pl.concat(pts).drop_nulls().unique(subset=["lat", "lng"], keep="first")
        if known.height == 0:
            return cls()
        lat, lng = known["lat"].to_numpy(), known["lng"].to_numpy()
        cos_lat = float(np.cos(np.radians(np.mean(lat))))
        return cls(
            cKDTree(np.column_stack([lat, lng * cos_lat])),
            known["area"].to_numpy().astype(float),
            cos_lat,
        )

    def area(self, lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
        if self.tree is None or self.areas is None:
            return np.full(len(lat), NO_AREA, dtype=float)
        pts = np.column_stack([np.asarray(lat, float), np.asarray(lng, float) * self.cos_lat])
        return self.areas[self.tree.query(pts)[1]]


# ---- the model -----------------------------------------------------------------------
@dataclass
class EtaModel:
    """Predicts trip seconds from request-time features; see :mod:`models.rides_eta`."""

    params: dict[str, Any]
    estimator: HistGradientBoostingRegressor
    areas: AreaLookup
    scale: float = 1.0
    short_km: float = 0.5
    # Trip times are rounded to this many seconds (0: not rounded), never below ``min_s``.
    resolution_s: float = 0.0
    min_s: float = 0.0
    snapshot: dict[str, Any] = field(default_factory=dict)
    _compiled: CompiledTrees | None = field(default=None, repr=False, compare=False)

    def features(
        self, plat, plng, dlat, dlng, hour: np.ndarray, weekday: np.ndarray, month: np.ndarray
    ) -> np.ndarray:
        """The request-time feature matrix, in ``FEATURES`` order."""
        plat, plng, dlat, dlng = (np.asarray(v, dtype=float) for v in (plat, plng, dlat, dlng))
        b = bearing_rad(plat, plng, dlat, dlng)
        return np.column_stack(
            [
                haversine_km(plat, plng, dlat, dlng),
                grid_km(plat, plng, dlat, dlng),
                np.sin(b),
                np.cos(b),
                plat,
                plng,
                dlat,
                dlng,
                np.asarray(hour, dtype=float),
                np.asarray(weekday, dtype=float),
                np.asarray(month, dtype=float),
                self.areas.area(plat, plng),
                self.areas.area(dlat, dlng),
            ]
        )

    def _raw(self, X: np.ndarray) -> np.ndarray:
        if self._compiled is None:
            self._compiled = compile_hgb(self.estimator)  # cached: compiled once per model
        return np.exp(self._compiled.predict(X)) * self.scale

    def _trip(self, X: np.ndarray) -> np.ndarray:
        return snap(self._raw(X), self.resolution_s, self.min_s)

    def predict_frame(self, df: Any) -> np.ndarray:
        """Seconds for every row of a polars (or pandas) frame with the four coordinate
        columns (``pickup_latitude``... or ``pickup_lat``/``pickup_lng``/``drop_lat``/
        ``drop_lng``) and ``trip_start_timestamp`` (wall-clock epoch) or ``when``."""
        X = self.features(*(column(df, c) for c in COORDS), *wall_clock(df))
        return self._trip(X)

    def predict_pairs(self, origins: np.ndarray, destinations: np.ndarray, when: datetime):
        """Seconds for each (origin, destination) row of two (n, 2) lat/lng arrays, all
        requested at ``when``: the matching hot path, one call per request or batch, no
        frame built and the clock read once."""
        return snap(self._pairs(origins, destinations, when), self.resolution_s, self.min_s)

    def _pairs(self, origins: np.ndarray, destinations: np.ndarray, when: datetime):
        """:meth:`predict_pairs` before rounding: pickup legs stay continuous, so a nearer
        driver never ties with a farther one."""
        o = np.asarray(origins, dtype=float).reshape(-1, 2)
        d = np.asarray(destinations, dtype=float).reshape(-1, 2)
        hour, weekday, month = clock_features(np.array([epoch_wall(when)]))
        n = len(o)
        X = self.features(
            o[:, 0],
            o[:, 1],
            d[:, 0],
            d[:, 1],
            np.repeat(hour, n),
            np.repeat(weekday, n),
            np.repeat(month, n),
        )
        return self._raw(X)

    def predict_seconds(
        self, pickup_lat: float, pickup_lng: float, drop_lat: float, drop_lng: float, when: datetime
    ) -> float:
        """Seconds for one trip requested at ``when``."""
        return float(
            self.predict_pairs([(pickup_lat, pickup_lng)], [(drop_lat, drop_lng)], when)[0]
        )

    def pickup_pairs(self, drivers: np.ndarray, pickups: np.ndarray, when: datetime):
        """Pickup seconds for each (driver, pickup) row, vectorised
        :meth:`predict_pickup_seconds` (one model call for all candidates of a request)."""
        o = np.asarray(drivers, dtype=float).reshape(-1, 2)
        d = np.asarray(pickups, dtype=float).reshape(-1, 2)
        km = haversine_km(o[:, 0], o[:, 1], d[:, 0], d[:, 1])
        # Legs shorter than short_km are stretched along their bearing to short_km, and
        # their time scaled back.
        f = np.where(km < self.short_km, self.short_km / np.maximum(km, 1e-9), 1.0)
        secs = self._pairs(o, o + (d - o) * f[:, None], when) / f
        secs = np.where(km <= 1e-9, 0.0, secs)
        return np.clip(secs, PICKUP_FLOOR_S, PICKUP_CEILING_S)

    def predict_pickup_seconds(
        self,
        driver_lat: float,
        driver_lng: float,
        pickup_lat: float,
        pickup_lng: float,
        when: datetime,
    ) -> float:
        """A driver's time to reach the rider: the trip model on a short leg, bounded.

        This is an extrapolation, sound for ranking and rough for the absolute value. Taxi
        trips run between tract centroids and their clock includes boarding, so on legs of
        about 1 km the model says 4 to 6 minutes, more than a free driver needs: pickup ETAs
        lean long. Ranking is safe: time never falls as distance grows (monotone constraint),
        so for one place and hour a nearer driver never ranks behind a farther one. Trips
        shorter than ``short_km`` (the 5th percentile of training distances) are rare and a
        tree is flat outside its data, so below ``short_km`` the time is scaled down with
        distance from the model's value at ``short_km``. The result stays within
        [``PICKUP_FLOOR_S``, ``PICKUP_CEILING_S``]: a driver needs about a minute to start
        and stop even next door, and a leg beyond 45 minutes is no useful pickup.
        """
        return float(
            self.pickup_pairs([(driver_lat, driver_lng)], [(pickup_lat, pickup_lng)], when)[0]
        )

    def save(self, path: Path) -> None:
        joblib.dump(
            {
                "features": FEATURES,
                "params": self.params,
                "estimator": self.estimator,
                "areas": self.areas,
                "scale": self.scale,
                "short_km": self.short_km,
                "resolution_s": self.resolution_s,
                "min_s": self.min_s,
                "snapshot": self.snapshot,
            },
            path,
        )

    @classmethod
    def load(cls, path: Path) -> EtaModel:
        obj = joblib.load(path)
        if obj.get("features") != FEATURES:
            raise ValueError("ETA artifact was trained on a different feature list")
        if not hasattr(obj["areas"], "tree"):  # the KNN area lookup of older artifacts
            raise ValueError("ETA artifact predates the KD-tree area lookup; retrain it")
        return cls(
            obj["params"],
            obj["estimator"],
            obj["areas"],
            obj["scale"],
            obj["short_km"],
            obj.get("resolution_s", 0.0),
            obj.get("min_s", 0.0),
            obj.get("snapshot", {}),
        )
