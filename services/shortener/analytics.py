"""Click analytics over the lake: per link and day, clicks, visitors, referrers, cache hits."""

from __future__ import annotations

from datetime import date

import polars as pl

from warehouse.lake import Lake

CLICK_STATS_TABLE = "shortener_click_stats"

EMPTY = pl.DataFrame(
    schema={
        "code": pl.String,
        "clicks": pl.Int64,
        "user_agents": pl.Int64,
        "top_referrer": pl.String,
        "cache_hits": pl.Int64,
        "first_click": pl.Datetime("us", "UTC"),
        "last_click": pl.Datetime("us", "UTC"),
    }
)


def click_stats(lake: Lake, day: date) -> pl.DataFrame:
    """One row per short code clicked on ``day``, most clicked first."""
    if "events" not in lake.tables():
        return EMPTY
    df = lake.query(
        """
        WITH c AS (
          SELECT entity AS code, ts,
                 json_extract_string(attrs, '$.referrer') AS referrer,
                 json_extract_string(attrs, '$.user_agent') AS user_agent,
                 json_extract_string(attrs, '$.cache') AS cache
          FROM events
          WHERE system = 'shortener' AND type = 'click' AND CAST(ts AS DATE) = ?
        )
        SELECT code, count(*) AS clicks, count(DISTINCT user_agent) AS user_agents,
               mode(NULLIF(referrer, '')) AS top_referrer,
               count(*) FILTER (WHERE cache = 'hit') AS cache_hits,
               min(ts) AS first_click, max(ts) AS last_click
        FROM c GROUP BY code ORDER BY clicks DESC, code
        """,
        [day],
    )
    return df if df.height else EMPTY


def access_log(lake: Lake, limit: int = 200_000) -> list[str]:
    """Short codes in redirect order: the cache's real access log."""
    if "events" not in lake.tables():
        return []
    df = lake.query(
        "SELECT entity FROM events WHERE system = 'shortener' AND type = 'click' "
        f"ORDER BY ts, seq LIMIT {int(limit)}"
    )
    return df["entity"].to_list()
