"""Demand-based prices per night, from the booking system's own search and hold events.

For each place and night, demand is searches plus holds (holds weigh ``HOLD_WEIGHT``, a
search that led nowhere is a weaker signal). A night's price multiplier moves with its
demand relative to the place's typical night (log ratio to the median, times
``elasticity``), bounded to ``[floor, ceiling]``, and applies to the nightly price clients
were quoted. Nights with no signal keep their price.
"""

from __future__ import annotations

import polars as pl

from warehouse.lake import Lake

HOLD_WEIGHT = 3.0

_SQL = """
SELECT type, entity AS place_or_id,
       attrs->>'first_day' AS first_day,
       TRY_CAST(attrs->>'nights' AS INTEGER) AS nights,
       TRY_CAST(attrs->>'amount_cents' AS BIGINT) AS amount_cents,
       TRY_CAST(attrs->>'qty' AS INTEGER) AS qty,
       attrs->>'unit_id' AS unit_id
FROM events WHERE system = 'booking' AND type IN ('searched', 'held')
"""


def demand_events(lake: Lake) -> pl.DataFrame:
    if "events" not in lake.tables():
        return pl.DataFrame()
    return lake.query(_SQL)


def nightly_prices(
    events: pl.DataFrame, elasticity: float = 0.15, floor: float = 0.8, ceiling: float = 1.3
) -> pl.DataFrame:
    """Per unit and night: demand, multiplier and suggested nightly price (cents)."""
    cols = {
        "unit_id": pl.String,
        "night": pl.Date,
        "demand": pl.Float64,
        "base_cents": pl.Float64,
        "multiplier": pl.Float64,
        "price_cents": pl.Int64,
    }
    if events.is_empty():
        return pl.DataFrame(schema=cols)
    held = events.filter(pl.col("type") == "held").with_columns(
        pl.col("first_day").str.to_date(strict=False).alias("night")
    )
    if held.is_empty():
        return pl.DataFrame(schema=cols)
    per_night = held.with_columns(
        (pl.col("amount_cents") / (pl.col("nights") * pl.col("qty"))).alias("nightly")
    )
    searched = (
        events.filter(pl.col("type") == "searched")
        .with_columns(pl.col("first_day").str.to_date(strict=False).alias("night"))
        .group_by("night")
        .len("searches")
    )
    demand = (
        per_night.group_by("unit_id", "night")
        .agg(pl.len().alias("holds"), pl.col("nightly").median().alias("base_cents"))
        .join(searched, on="night", how="left")
        .with_columns(
            (HOLD_WEIGHT * pl.col("holds") + pl.col("searches").fill_null(0)).alias("demand")
        )
    )
    typical = demand.group_by("unit_id").agg(pl.col("demand").median().alias("typical"))
    return (
        demand.join(typical, on="unit_id")
        .with_columns(
            (1 + elasticity * (pl.col("demand") / pl.col("typical")).log())
            .clip(floor, ceiling)
            .alias("multiplier")
        )
        .with_columns(
            (pl.col("base_cents") * pl.col("multiplier"))
            .round()
            .cast(pl.Int64)
            .alias("price_cents")
        )
        .select(list(cols))
        .sort("unit_id", "night")
    )
