"""Delivery analytics per channel from the lake's ``notify`` events.

Latency is accept-to-provider-acceptance (``delivery_sent.latency_ms``). The failure rate is
terminal failures (dead-lettered, rejected, bounced or failed by callback) over all finished
deliveries; the retry rate is failed attempts that were retried, per sent delivery.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from warehouse.lake import Lake
from warehouse.parquet_io import publish_parquet

STATS_TABLE = "notify_channel_stats"

_SQL = """
WITH e AS (
    SELECT type, attrs->>'channel' AS channel,
           TRY_CAST(attrs->>'latency_ms' AS DOUBLE) AS latency_ms
    FROM events WHERE system = 'notify' AND attrs->>'channel' IS NOT NULL
)
SELECT channel,
    count(*) FILTER (WHERE type IN ('delivery_queued', 'delivery_deferred',
                                    'delivery_digest_wait')) AS accepted,
    count(*) FILTER (WHERE type = 'delivery_sent') AS sent,
    count(*) FILTER (WHERE type = 'delivery_delivered') AS delivered,
    count(*) FILTER (WHERE type = 'delivery_retry') AS retried,
    count(*) FILTER (WHERE type = 'delivery_dead') AS dead,
    count(*) FILTER (WHERE type IN ('delivery_failed', 'delivery_bounced')) AS failed,
    count(*) FILTER (WHERE type = 'delivery_suppressed') AS suppressed,
    count(*) FILTER (WHERE type = 'delivery_deferred') AS deferred,
    quantile_cont(latency_ms, 0.5) FILTER (WHERE type = 'delivery_sent') AS latency_p50_ms,
    quantile_cont(latency_ms, 0.95) FILTER (WHERE type = 'delivery_sent') AS latency_p95_ms,
    max(latency_ms) FILTER (WHERE type = 'delivery_sent') AS latency_max_ms
FROM e GROUP BY channel ORDER BY channel
"""


def channel_stats(lake: Lake) -> pl.DataFrame:
    """One row per channel; empty when the lake holds no notification events yet."""
    if "events" not in lake.tables():
        return pl.DataFrame()
    df = lake.query(_SQL)
    if df.is_empty():
        return df
    finished = pl.col("sent") + pl.col("dead") + pl.col("failed")
    return df.with_columns(
        failure_rate=pl.when(finished > 0)
        .then((pl.col("dead") + pl.col("failed")) / finished)
        .otherwise(0.0),
        retry_rate=pl.when(pl.col("sent") > 0)
        .then(pl.col("retried") / pl.col("sent"))
        .otherwise(0.0),
    )


def publish_stats(df: pl.DataFrame, lake_dir: Path) -> Path:
    """Replace the snapshot table atomically (the asset is unpartitioned)."""
    return publish_parquet(df, lake_dir / STATS_TABLE / "snapshot.parquet")
