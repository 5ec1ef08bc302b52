"""Hit ratios from the edges' access logs in the lake (``cdn/access`` events).

A request counts as a hit when the edge answered without fetching a body upstream: HIT,
STALE, and REVALIDATED (a 304 from upstream). Byte hit ratio weighs requests by bytes sent.
"""

from __future__ import annotations

import polars as pl

from warehouse.lake import Lake

HIT_STATUSES = ("HIT", "STALE", "REVALIDATED")

HIT_RATIO_SQL = f"""
WITH access AS (
    SELECT json_extract_string(attrs, '$.edge') AS edge,
           json_extract_string(attrs, '$.region') AS region,
           json_extract_string(attrs, '$.role') AS role,
           json_extract_string(attrs, '$.cache') AS cache,
           CAST(json_extract(attrs, '$.bytes') AS BIGINT) AS bytes,
           CAST(json_extract(attrs, '$.latency_ms') AS DOUBLE) AS latency_ms
    FROM events WHERE system = 'cdn' AND type = 'access'
)
SELECT edge, region, role,
       count(*) AS requests,
       count(*) FILTER (WHERE cache IN {HIT_STATUSES}) AS hits,
       count(*) FILTER (WHERE cache = 'MISS') AS misses,
       count(*) FILTER (WHERE cache = 'STALE') AS stale,
       count(*) FILTER (WHERE cache = 'REVALIDATED') AS revalidated,
       count(*) FILTER (WHERE cache IN ('BYPASS', 'ERROR')) AS bypass_or_error,
       round(count(*) FILTER (WHERE cache IN {HIT_STATUSES}) / count(*), 4) AS hit_ratio,
       round(coalesce(sum(bytes) FILTER (WHERE cache IN {HIT_STATUSES}), 0)
             / greatest(sum(bytes), 1), 4) AS byte_hit_ratio,
       sum(bytes) AS bytes,
       round(quantile_cont(latency_ms, 0.5), 3) AS p50_ms,
       round(quantile_cont(latency_ms, 0.95), 3) AS p95_ms
FROM access GROUP BY edge, region, role ORDER BY role, edge
"""

EMPTY = pl.DataFrame(
    schema={
        "edge": pl.Utf8,
        "region": pl.Utf8,
        "role": pl.Utf8,
        "requests": pl.Int64,
        "hits": pl.Int64,
        "misses": pl.Int64,
        "stale": pl.Int64,
        "revalidated": pl.Int64,
        "bypass_or_error": pl.Int64,
        "hit_ratio": pl.Float64,
        "byte_hit_ratio": pl.Float64,
        "bytes": pl.Int64,
        "p50_ms": pl.Float64,
        "p95_ms": pl.Float64,
    }
)


def hit_ratio_by_edge(lake: Lake) -> pl.DataFrame:
    """One row per edge (and shield) with request/byte hit ratios and latency quantiles."""
    if "events" not in lake.tables():
        return EMPTY
    return lake.query(HIT_RATIO_SQL)


def overall_hit_ratio(table: pl.DataFrame, role: str = "edge") -> float | None:
    """Requests served from cache over all requests, for one tier."""
    tier = table.filter(pl.col("role") == role)
    total = int(tier["requests"].sum()) if tier.height else 0
    return None if total == 0 else round(int(tier["hits"].sum()) / total, 4)
