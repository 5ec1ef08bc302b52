"""Recrawl scheduling from observed change rates (Cho & Garcia-Molina's estimator).

With ``n`` fetch intervals of mean length ``I`` of which ``X`` saw a change, the change rate
is ``lambda = -ln((n - X + 0.5) / (n + 0.5)) / I``; it corrects for changes hidden between
fetches. The next fetch comes after ``1 / lambda`` (the mean time to the next change),
bounded to ``[min_interval, max_interval]``; a page seen once waits ``default_interval``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

HOUR = 3600.0
DAY = 24 * HOUR


def change_rate(changes: int, intervals: int, mean_interval: float) -> float:
    """Changes per second, estimated from ``intervals`` fetch gaps with ``changes`` changes."""
    if intervals <= 0 or mean_interval <= 0:
        return float("nan")
    ratio = (intervals - changes + 0.5) / (intervals + 0.5)
    return -math.log(ratio) / mean_interval


@dataclass(frozen=True)
class RecrawlPolicy:
    min_interval: float = HOUR
    max_interval: float = 30 * DAY
    default_interval: float = DAY

    def interval(self, rate: float) -> float:
        if math.isnan(rate):
            return self.default_interval
        if rate <= 0:
            return self.max_interval
        return min(self.max_interval, max(self.min_interval, 1.0 / rate))


def schedule(fetches: pl.DataFrame, policy: RecrawlPolicy | None = None) -> pl.DataFrame:
    """``fetches`` (url, fetched_at as epoch seconds, content_hash) -> one row per URL with
    fetches, changes, change_rate_per_day, interval_hours, last_fetch and next_fetch."""
    policy = policy or RecrawlPolicy()
    rows = []
    for (url,), group in fetches.sort("fetched_at").group_by(["url"], maintain_order=True):
        times = group["fetched_at"].to_list()
        hashes = group["content_hash"].to_list()
        changes = sum(1 for a, b in zip(hashes, hashes[1:], strict=False) if a != b)
        n = len(times) - 1
        mean = (times[-1] - times[0]) / n if n else 0.0
        rate = change_rate(changes, n, mean)
        interval = policy.interval(rate)
        rows.append(
            {
                "url": url,
                "fetches": len(times),
                "changes": changes,
                "change_rate_per_day": None if math.isnan(rate) else rate * DAY,
                "interval_hours": interval / HOUR,
                "last_fetch": times[-1],
                "next_fetch": times[-1] + interval,
            }
        )
    schema = {
        "url": pl.String,
        "fetches": pl.Int64,
        "changes": pl.Int64,
        "change_rate_per_day": pl.Float64,
        "interval_hours": pl.Float64,
        "last_fetch": pl.Float64,
        "next_fetch": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)
