"""What the lake says about rides: per-trip analytics, supply and demand for surge, and the
day of requests and driver positions the replay runs again.

Times inside a trip (``match_s``, ``pickup_s``, ``pickup_eta_s``) are read from the events'
attributes, which the service measured on its own clock; event timestamps only order and
window the events.

- **Match time**: request to the driver's accept (``accepted.match_s``).
- **Pickup-ETA error**: the driver's real time from accept to arrival against the pickup
  time predicted when the offer was made (``arriving``).
- **Cancellation rate**: trips cancelled by the rider or the driver over trips requested;
  ``no_driver`` (nobody could take it) is counted apart.
- **Utilisation**: the share of drivers' sampled positions taken while on a trip (positions
  are sampled per driver at a fixed interval, so the share estimates time on trips).
"""

from __future__ import annotations

from datetime import timedelta

import h3
import polars as pl

from services.rides import geo
from services.rides.replay import Request
from warehouse.lake import Lake

_TRIPS = """
SELECT type, entity, actor, ts,
       TRY_CAST(attrs->>'match_s' AS DOUBLE) AS match_s,
       TRY_CAST(attrs->>'pickup_s' AS DOUBLE) AS pickup_s,
       TRY_CAST(attrs->>'pickup_eta_s' AS DOUBLE) AS pickup_eta_s,
       TRY_CAST(attrs->>'fare_cents' AS BIGINT) AS fare_cents,
       attrs->>'by' AS cancelled_by
FROM events
WHERE system = 'rides'
  AND type IN ('requested', 'accepted', 'arriving', 'completed', 'cancelled', 'no_driver')
"""

_POSITIONS = """
SELECT actor AS driver_id, ts,
       TRY_CAST(attrs->>'lat' AS DOUBLE) AS lat,
       TRY_CAST(attrs->>'lng' AS DOUBLE) AS lng,
       attrs->>'cell' AS cell,
       TRY_CAST(attrs->>'busy' AS BOOLEAN) AS busy
FROM events WHERE system = 'rides' AND type = 'position'
"""

_REQUESTS = """
SELECT r.entity AS trip_id, r.ts,
       TRY_CAST(r.attrs->>'pickup_lat' AS DOUBLE) AS pickup_lat,
       TRY_CAST(r.attrs->>'pickup_lng' AS DOUBLE) AS pickup_lng,
       TRY_CAST(r.attrs->>'drop_lat' AS DOUBLE) AS drop_lat,
       TRY_CAST(r.attrs->>'drop_lng' AS DOUBLE) AS drop_lng,
       r.attrs->>'cell' AS cell,
       TRY_CAST(c.attrs->>'duration_s' AS DOUBLE) AS trip_s
FROM events r
LEFT JOIN events c ON c.system = 'rides' AND c.type = 'completed' AND c.entity = r.entity
WHERE r.system = 'rides' AND r.type = 'requested'
"""

TRIP_SCHEMA = {
    "trip_id": pl.String,
    "requested_at": pl.Datetime("us", "UTC"),
    "outcome": pl.String,
    "match_s": pl.Float64,
    "pickup_eta_s": pl.Float64,
    "pickup_s": pl.Float64,
    "fare_cents": pl.Int64,
}


def _events(lake: Lake, sql: str) -> pl.DataFrame:
    if "events" not in lake.tables():
        return pl.DataFrame()
    return lake.query(sql)


def trip_table(lake: Lake) -> pl.DataFrame:
    """One row per requested trip: outcome, match time, predicted and real pickup time."""
    ev = _events(lake, _TRIPS)
    if ev.is_empty() or ev.filter(pl.col("type") == "requested").is_empty():
        return pl.DataFrame(schema=TRIP_SCHEMA)
    ev = ev.unique(subset=["type", "entity"], keep="last")
    req = ev.filter(pl.col("type") == "requested").select(
        pl.col("entity").alias("trip_id"), pl.col("ts").alias("requested_at")
    )

    def part(kind: str, *cols: str) -> pl.DataFrame:
        return ev.filter(pl.col("type") == kind).select(
            pl.col("entity").alias("trip_id"), *[pl.col(c) for c in cols]
        )

    out = (
        req.join(part("accepted", "match_s"), on="trip_id", how="left")
        .join(part("arriving", "pickup_s", "pickup_eta_s"), on="trip_id", how="left")
        .join(part("completed", "fare_cents"), on="trip_id", how="left")
        .join(part("cancelled", "cancelled_by"), on="trip_id", how="left")
        .join(
            part("no_driver").with_columns(pl.lit(True).alias("unmatched")),
            on="trip_id",
            how="left",
        )
    )
    outcome = (
        pl.when(pl.col("fare_cents").is_not_null())
        .then(pl.lit("completed"))
        .when(pl.col("cancelled_by").is_not_null())
        .then(pl.lit("cancelled_") + pl.col("cancelled_by"))
        .when(pl.col("unmatched").is_not_null())
        .then(pl.lit("no_driver"))
        .otherwise(pl.lit("open"))
    )
    return out.with_columns(outcome.alias("outcome")).select(list(TRIP_SCHEMA)).cast(TRIP_SCHEMA)


def summary(trips: pl.DataFrame, positions: pl.DataFrame) -> dict[str, float | int | None]:
    """The headline figures (see the module docstring); None where nothing was measured."""
    n = trips.height
    matched = trips.filter(pl.col("match_s").is_not_null())
    picked = trips.filter(pl.col("pickup_s").is_not_null() & pl.col("pickup_eta_s").is_not_null())
    err = (picked["pickup_s"] - picked["pickup_eta_s"]).abs()
    cancelled = trips.filter(pl.col("outcome").str.starts_with("cancelled_")).height
    busy = (
        positions["busy"].drop_nulls()
        if not positions.is_empty()
        else pl.Series([], dtype=pl.Boolean)
    )

    def q(s: pl.Series, p: float) -> float | None:
        return None if s.is_empty() else float(s.quantile(p, "linear"))

    return {
        "trips": n,
        "match_p50_s": q(matched["match_s"], 0.5),
        "match_p99_s": q(matched["match_s"], 0.99),
        "pickup_eta_mae_s": None if picked.is_empty() else float(err.mean()),
        "pickup_eta_mape": None
        if picked.is_empty()
        else float((err / picked["pickup_s"].clip(lower_bound=1.0)).mean()),
        "cancellation_rate": cancelled / n if n else None,
        "no_driver_rate": trips.filter(pl.col("outcome") == "no_driver").height / n if n else None,
        "completed": trips.filter(pl.col("outcome") == "completed").height,
        "utilisation": None if busy.is_empty() else float(busy.cast(pl.Float64).mean()),
    }


def positions(lake: Lake) -> pl.DataFrame:
    return _events(lake, _POSITIONS)


def supply_demand(lake: Lake, window_min: float) -> tuple[dict[str, float], dict[str, float]]:
    """Requests and free drivers per surge cell over the last ``window_min`` minutes of the
    lake (counted back from its newest rides event, so an old lake still has a "now")."""
    req = _events(lake, _REQUESTS)
    pos = positions(lake)
    if req.is_empty() and pos.is_empty():
        return {}, {}
    newest = max(f["ts"].max() for f in (req, pos) if not f.is_empty())
    since = newest - timedelta(minutes=window_min)
    demand: dict[str, float] = {}
    if not req.is_empty():
        for c in req.filter(pl.col("ts") >= since)["cell"].drop_nulls():
            parent = h3.cell_to_parent(c, geo.SURGE_RESOLUTION)
            demand[parent] = demand.get(parent, 0) + 1
    supply: dict[str, float] = {}
    if not pos.is_empty():
        free = (
            pos.filter((pl.col("ts") >= since) & ~pl.col("busy").fill_null(False))
            .sort("ts")
            .unique(subset=["driver_id"], keep="last")
        )
        for c in free["cell"].drop_nulls():
            parent = h3.cell_to_parent(c, geo.SURGE_RESOLUTION)
            supply[parent] = supply.get(parent, 0) + 1
    return demand, supply


def replay_day(lake: Lake) -> tuple[str | None, list[Request], list[tuple[str, float, float]]]:
    """The newest day with requests: its requests, and each driver's first position that day."""
    req = _events(lake, _REQUESTS)
    if req.is_empty():
        return None, [], []
    req = req.drop_nulls(["pickup_lat", "pickup_lng", "drop_lat", "drop_lng"])
    if req.is_empty():
        return None, [], []
    req = req.unique(subset=["trip_id"], keep="first").with_columns(
        pl.col("ts").dt.date().alias("day")
    )
    day = req["day"].max()
    today = req.filter(pl.col("day") == day).sort("ts")
    requests = [
        Request(
            r["ts"].timestamp(),
            (r["pickup_lat"], r["pickup_lng"]),
            (r["drop_lat"], r["drop_lng"]),
            r["trip_s"],
        )
        for r in today.iter_rows(named=True)
    ]
    pos = positions(lake)
    drivers: list[tuple[str, float, float]] = []
    if not pos.is_empty():
        first = (
            pos.drop_nulls(["lat", "lng"])
            .filter(pl.col("ts").dt.date() == day)
            .sort("ts")
            .unique(subset=["driver_id"], keep="first")
            .sort("driver_id")
        )
        drivers = [(r["driver_id"], r["lat"], r["lng"]) for r in first.iter_rows(named=True)]
    return str(day), requests, drivers


def request_points(lake: Lake) -> pl.DataFrame:
    """Every request's time and pickup point (the demand forecast's history)."""
    req = _events(lake, _REQUESTS)
    if req.is_empty():
        return pl.DataFrame(schema={"ts": pl.Datetime("us"), "lat": pl.Float64, "lng": pl.Float64})
    return (
        req.unique(subset=["trip_id"], keep="first")
        .select(
            pl.col("ts").dt.replace_time_zone(None),
            pl.col("pickup_lat").alias("lat"),
            pl.col("pickup_lng").alias("lng"),
        )
        .drop_nulls()
    )


def with_forecast(
    demand: dict[str, float], expected: pl.DataFrame | None, window_min: float
) -> dict[str, float]:
    """Surge demand per surge cell: what was requested in the window, or what the forecast
    expects for the coming hour over a window as long, whichever is larger (a surge that
    waits for the rush to arrive prices it too late)."""
    if expected is None or expected.is_empty():
        return dict(demand)
    first = expected.filter(pl.col("hour") == expected["hour"].min())
    ahead: dict[str, float] = {}
    for cell, n in zip(first["cell"].to_list(), first["expected"].to_list(), strict=True):
        parent = h3.cell_to_parent(cell, geo.SURGE_RESOLUTION)
        ahead[parent] = ahead.get(parent, 0.0) + n * window_min / 60.0
    return {c: max(demand.get(c, 0.0), ahead.get(c, 0.0)) for c in set(demand) | set(ahead)}
