"""The Chicago taxi trips: loading, the evaluation rule, the time split, the geometry of
request-time features, and synthetic trips with a planted structure for tests.

Timestamps in the data are Chicago wall-clock time written as epoch seconds and rounded to 15
minutes; trip durations are rounded to whole minutes. Coordinates are census-tract or
community-area centroids, and many rows have none.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from models.booking_data import shared_data_dir

LOCAL_TZ = ZoneInfo("America/Chicago")
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEG_LAT = 111.195
MIN_TRIP_SECONDS = 60
COORDS = ("pickup_latitude", "pickup_longitude", "dropoff_latitude", "dropoff_longitude")
ALIASES = {
    "pickup_latitude": ("pickup_lat",),
    "pickup_longitude": ("pickup_lng", "pickup_lon"),
    "dropoff_latitude": ("drop_lat", "dropoff_lat"),
    "dropoff_longitude": ("drop_lng", "dropoff_lng", "drop_lon"),
}


def trips_path() -> Path:
    return shared_data_dir() / "rides" / "chicago_taxi_trips.csv"


def load_trips(path: Path | str | None = None) -> pl.DataFrame:
    """The real trips with a ``start`` column (naive Chicago wall clock); raises
    ``FileNotFoundError`` when the file is absent."""
    path = Path(path) if path is not None else trips_path()
    if not path.exists():
        raise FileNotFoundError(f"taxi trips not found at {path}")
    raw = pl.read_csv(path, infer_schema_length=20_000)
    return raw.with_columns(
        pl.from_epoch(pl.col("trip_start_timestamp"), time_unit="s").alias("start")
    ).sort("trip_start_timestamp")


# ---- geometry ------------------------------------------------------------------------
def haversine_km(lat1, lng1, lat2, lng2) -> np.ndarray:
    """Great-circle distance in km (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lng2) - np.asarray(lng1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def bearing_rad(lat1, lng1, lat2, lng2) -> np.ndarray:
    """Initial bearing from the first point to the second, radians from north."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lng2) - np.asarray(lng1))
    x = np.sin(dl) * np.cos(p2)
    y = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.arctan2(x, y)


def grid_km(lat1, lng1, lat2, lng2) -> np.ndarray:
    """North-south plus east-west distance: the length of a path along a street grid."""
    mid = np.radians((np.asarray(lat1) + np.asarray(lat2)) / 2)
    ns = np.abs(np.asarray(lat2) - np.asarray(lat1)) * KM_PER_DEG_LAT
    ew = np.abs(np.asarray(lng2) - np.asarray(lng1)) * KM_PER_DEG_LAT * np.cos(mid)
    return ns + ew


# ---- frames --------------------------------------------------------------------------
def column(df: Any, name: str) -> np.ndarray:
    for candidate in (name, *ALIASES.get(name, ())):
        if candidate in df.columns:
            return np.asarray(df[candidate], dtype=float)
    raise KeyError(f"frame has no column {name!r}")


def clock_features(secs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hour with its quarter-hour fraction, weekday Monday=0, month 1-12) of wall-clock
    epoch seconds."""
    secs = np.asarray(secs, dtype=np.int64)
    hour = (secs % 86_400) / 3600.0
    weekday = ((secs // 86_400) + 3) % 7  # 1970-01-01 was a Thursday (Monday=0)
    month = secs.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64) % 12 + 1
    return hour, weekday.astype(float), month.astype(float)


def wall_clock(df: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`clock_features` of ``trip_start_timestamp`` (epoch seconds of the wall clock)
    or of a ``when`` column of datetimes."""
    if "trip_start_timestamp" in df.columns:
        secs = np.asarray(df["trip_start_timestamp"], dtype=np.int64)
    elif "when" in df.columns:
        secs = np.array([epoch_wall(w) for w in list(df["when"])], dtype=np.int64)
    else:
        raise KeyError("frame has neither trip_start_timestamp nor when")
    return clock_features(secs)


def epoch_wall(when: datetime) -> int:
    """Chicago wall-clock time of ``when`` as epoch seconds, the data's convention."""
    if when.tzinfo is not None:
        when = when.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return int((when - datetime(1970, 1, 1)).total_seconds())


def evaluable(trips: pl.DataFrame) -> pl.DataFrame:
    """Trips longer than a minute with all four coordinates and distinct end points."""
    return trips.drop_nulls([*COORDS, "trip_seconds", "trip_start_timestamp"]).filter(
        (pl.col("trip_seconds") > MIN_TRIP_SECONDS)
        & (
            (pl.col("pickup_latitude") != pl.col("dropoff_latitude"))
            | (pl.col("pickup_longitude") != pl.col("dropoff_longitude"))
        )
    )


def time_split(trips: pl.DataFrame, train_share: float = 0.7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Earlier ``train_share`` of trips by start time, and the later rest."""
    ordered = trips.sort("trip_start_timestamp")
    cut = int(round(ordered.height * train_share))
    return ordered.head(cut), ordered.tail(ordered.height - cut)


def synthetic_trips(n: int = 3000, seed: int = 0, days: int = 120) -> pl.DataFrame:
    """Trips in the real file's columns with a planted structure, for tests without the file:
    speed by hour of day (slow at the 8h and 17h rush, fast at night), a slow downtown area,
    a fixed 90 s overhead, grid-shaped routes and multiplicative noise; times rounded like the
    data (15-minute starts, whole-minute durations)."""
    rng = np.random.default_rng(seed)
    centre_lat, centre_lng = 41.88, -87.66
    n_points = 60
    lat_pts = centre_lat + rng.uniform(-0.12, 0.12, n_points)
    lng_pts = centre_lng + rng.uniform(-0.1, 0.1, n_points)
    area_pts = (
        1
        + (np.floor((lat_pts - centre_lat + 0.12) / 0.06) * 4).astype(int)
        + np.floor((lng_pts - centre_lng + 0.1) / 0.05).astype(int)
    )
    downtown = haversine_km(lat_pts, lng_pts, centre_lat, centre_lng) < 5.0
    a, b = rng.integers(0, n_points, n), rng.integers(0, n_points, n)
    start = 1_420_070_400 + rng.integers(0, days * 96, n) * 900  # 2015-01-01, 15-min steps
    hour = (start % 86_400) / 3600.0
    rush = np.exp(-((hour - 8) ** 2) / 2) + np.exp(-((hour - 17) ** 2) / 2)
    kmh = 30.0 - 10.0 * (hour >= 6) - 12.0 * rush
    kmh = kmh * np.where(downtown[a] | downtown[b], 0.7, 1.0)
    km = grid_km(lat_pts[a], lng_pts[a], lat_pts[b], lng_pts[b])
    secs = 90.0 + km / kmh * 3600.0 * rng.lognormal(0.0, 0.15, n)
    secs = np.maximum(np.round(secs / 60.0) * 60.0, 60.0).astype(np.int64)
    return pl.DataFrame(
        {
            "pickup_community_area": area_pts[a],
            "dropoff_community_area": area_pts[b],
            "trip_start_timestamp": start,
            "pickup_latitude": lat_pts[a],
            "pickup_longitude": lng_pts[a],
            "dropoff_latitude": lat_pts[b],
            "dropoff_longitude": lng_pts[b],
            "trip_seconds": secs,
            "trip_miles": km / 1.609 * 1.1,
            "fare": 3.25 + km * 1.4,
            "tips": np.zeros(n),
        }
    ).with_columns(pl.from_epoch(pl.col("trip_start_timestamp"), time_unit="s").alias("start"))
