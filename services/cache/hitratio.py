"""Hit ratios of every cache tier from the lake (``cache``/``stats`` events).

Each tier (the shortener's, the feed's, the cache system's own...) reports its counter deltas
every ``report_interval_s`` seconds and when it closes, with its owner as ``actor``; summing
the deltas per owner gives each tier's hit ratio over whatever time the lake holds.
"""

from __future__ import annotations

import polars as pl

from warehouse.lake import Lake

COUNTERS = ("hits", "misses", "near_hits", "sets", "failovers", "node_errors")

_SUMS = ",\n       ".join(
    f"CAST(coalesce(sum(CAST(json_extract(attrs, '$.{c}') AS BIGINT)), 0) AS BIGINT) AS {c}"
    for c in COUNTERS
)

HIT_RATIO_SQL = f"""
SELECT actor AS owner,
       count(*) AS reports,
       {_SUMS},
       coalesce(max(CAST(json_extract(attrs, '$.evictions_total') AS BIGINT)), 0) AS evictions,
       min(ts) AS first_report,
       max(ts) AS last_report
FROM events WHERE system = 'cache' AND type = 'stats' AND actor IS NOT NULL
GROUP BY actor ORDER BY actor
"""

EMPTY = pl.DataFrame(
    schema={
        "owner": pl.String,
        "reports": pl.Int64,
        **dict.fromkeys(COUNTERS, pl.Int64),
        "evictions": pl.Int64,
        "first_report": pl.Datetime("us", "UTC"),
        "last_report": pl.Datetime("us", "UTC"),
        "lookups": pl.Int64,
        "hit_ratio": pl.Float64,
    }
)


def hit_ratio_by_owner(lake: Lake) -> pl.DataFrame:
    """One row per cache tier owner: lookups, hits, misses, hit ratio, fail-overs, evictions.

    ``evictions`` is the largest node eviction total one report saw (totals are per process).
    """
    if "events" not in lake.tables():
        return EMPTY
    df = lake.query(HIT_RATIO_SQL)
    if df.height == 0:
        return EMPTY
    lookups = pl.col("hits") + pl.col("misses")
    return df.with_columns(
        lookups.cast(pl.Int64).alias("lookups"),
        pl.when(lookups > 0)
        .then((pl.col("hits").cast(pl.Float64) / lookups).round(4))
        .otherwise(None)
        .alias("hit_ratio"),
    ).select(EMPTY.columns)
