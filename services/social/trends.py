"""Trending hashtags: each tag's use in the current window scored against its expected rate.

In the manner of Mastodon's trends: ``score = (observed - expected)^2 / expected`` when the tag
is used more than expected, where ``expected`` is an exponentially time-decayed average of the
tag's use in earlier windows (with a floor, so a brand-new tag needs real volume). A tag needs
``min_authors`` distinct authors in the window, so that one spammer cannot make it trend.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

TRENDS_TABLE = "social_trends"


def score_trends(
    uses: pl.DataFrame,
    now: datetime,
    *,
    window: timedelta = timedelta(hours=1),
    history_windows: int = 24,
    decay: float = 0.8,
    min_authors: int = 3,
    expected_floor: float = 1.0,
) -> pl.DataFrame:
    """Score tags from ``uses`` (columns ``ts``, ``tag``, ``author``), best first.

    >>> # uses = pl.DataFrame({"ts": [...], "tag": [...], "author": [...]})
    >>> # score_trends(uses, now=datetime.now(UTC))  # doctest: +SKIP
    """
    empty = pl.DataFrame(
        schema={
            "tag": pl.String,
            "score": pl.Float64,
            "observed": pl.Int64,
            "expected": pl.Float64,
            "authors": pl.Int64,
        }
    )
    if uses.is_empty():
        return empty
    win_us = int(window.total_seconds() * 1_000_000)
    uses = uses.with_columns(pl.col("ts").dt.convert_time_zone("UTC"))
    bucketed = uses.with_columns(
        (
            (pl.lit(now).cast(pl.Datetime("us", "UTC")) - pl.col("ts")).dt.total_microseconds()
            // win_us
        ).alias("k")
    ).filter((pl.col("k") >= 0) & (pl.col("k") <= history_windows))
    current = (
        bucketed.filter(pl.col("k") == 0)
        .group_by("tag")
        .agg(pl.len().alias("observed"), pl.col("author").n_unique().alias("authors"))
    )
    weights_total = sum(decay ** (k - 1) for k in range(1, history_windows + 1))
    history = (
        bucketed.filter(pl.col("k") > 0)
        .group_by("tag", "k")
        .agg(pl.len().alias("n"))
        .with_columns((pl.col("n") * pl.lit(decay) ** (pl.col("k") - 1)).alias("wn"))
        .group_by("tag")
        .agg((pl.col("wn").sum() / weights_total).alias("expected"))
    )
    scored = (
        current.join(history, on="tag", how="left")
        .with_columns(pl.col("expected").fill_null(0.0).clip(lower_bound=expected_floor))
        .with_columns(
            pl.when(pl.col("observed") > pl.col("expected"))
            .then((pl.col("observed") - pl.col("expected")) ** 2 / pl.col("expected"))
            .otherwise(0.0)
            .alias("score")
        )
        .filter((pl.col("authors") >= min_authors) & (pl.col("score") > 0))
        .select(
            "tag",
            "score",
            pl.col("observed").cast(pl.Int64),
            "expected",
            pl.col("authors").cast(pl.Int64),
        )
        .sort(["score", "tag"], descending=[True, False])
    )
    return scored if not scored.is_empty() else empty


def latest_trends(lake_dir: Path, limit: int = 10) -> tuple[datetime | None, list[dict]]:
    """What the last trends asset run computed (``(None, [])`` before its first run)."""
    path = lake_dir / TRENDS_TABLE / "trends.parquet"
    if not path.exists():
        return None, []
    df = pl.read_parquet(path)
    if df.is_empty():
        return None, []
    computed_at = df["computed_at"][0]
    return computed_at, df.drop("computed_at").head(limit).to_dicts()
