"""Engagement analytics over the lake: views, likes, comments and watch time per video."""

from __future__ import annotations

import polars as pl

from warehouse.lake import Lake

ENGAGEMENT_TABLE = "video_engagement"

EMPTY = pl.DataFrame(
    schema={
        "video_id": pl.String,
        "views": pl.Int64,
        "likes": pl.Int64,
        "comments": pl.Int64,
        "watch_seconds": pl.Float64,
        "viewers": pl.Int64,
    }
)

ENGAGEMENT_SQL = """
SELECT entity AS video_id,
       count(*) FILTER (WHERE type = 'view') AS views,
       count(*) FILTER (WHERE type = 'like') AS likes,
       count(*) FILTER (WHERE type = 'comment') AS comments,
       coalesce(sum(CAST(json_extract(attrs, '$.seconds') AS DOUBLE))
                FILTER (WHERE type = 'watch'), 0) AS watch_seconds,
       count(DISTINCT actor) FILTER (WHERE type IN ('view', 'watch')) AS viewers
FROM events
WHERE system = 'video' AND type IN ('view', 'like', 'comment', 'watch')
GROUP BY entity ORDER BY watch_seconds DESC, video_id
"""


def engagement(lake: Lake) -> pl.DataFrame:
    """One row per video with engagement events, most watched first."""
    if "events" not in lake.tables():
        return EMPTY
    df = lake.query(ENGAGEMENT_SQL)
    return df.cast(EMPTY.schema) if df.height else EMPTY


def engagement_problems(df: pl.DataFrame) -> dict[str, int]:
    """Videos listed twice, and rows with negative watch time."""
    return {
        "duplicate_videos": df.height - df["video_id"].n_unique(),
        "negative_watch_seconds": df.filter(pl.col("watch_seconds") < 0).height,
    }
