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


ENGAGEMENT_TABLE = "notify_engagement"

# A delivery counts once however often its pixel is fetched or its links clicked. Clicks are
# the shortener's own click events on the short codes ``link_tracked`` tied to deliveries.
_ENGAGEMENT_SQL = """
WITH accepted AS (
    SELECT attrs->>'notification_id' AS notification_id, attrs->>'template' AS template,
           coalesce(attrs->>'campaign', '') AS campaign
    FROM events WHERE system = 'notify' AND type = 'notification_accepted'
), sent AS (
    SELECT DISTINCT entity AS delivery_id, attrs->>'notification_id' AS notification_id,
           attrs->>'channel' AS channel
    FROM events WHERE system = 'notify' AND type = 'delivery_sent'
), opened AS (
    SELECT DISTINCT entity AS delivery_id FROM events
    WHERE system = 'notify' AND type = 'email_opened'
), clicked AS (
    SELECT DISTINCT l.entity AS delivery_id
    FROM events l JOIN events c
      ON c.system = 'shortener' AND c.type = 'click' AND c.entity = l.attrs->>'code'
    WHERE l.system = 'notify' AND l.type = 'link_tracked'
)
SELECT s.channel, a.template, a.campaign,
       count(*) AS sent,
       count(o.delivery_id) AS opened,
       count(k.delivery_id) AS clicked
FROM sent s JOIN accepted a USING (notification_id)
LEFT JOIN opened o ON o.delivery_id = s.delivery_id
LEFT JOIN clicked k ON k.delivery_id = s.delivery_id
GROUP BY ALL ORDER BY s.channel, a.template, a.campaign
"""


def engagement(lake: Lake) -> pl.DataFrame:
    """Per channel, template and campaign: deliveries sent, opened and clicked, and the open
    rate (email only: the others have no pixel), click-through rate and click-to-open rate.

    Opens are an upper bound: some mail systems fetch every image on arrival.
    """
    if "events" not in lake.tables():
        return pl.DataFrame()
    df = lake.query(_ENGAGEMENT_SQL)
    if df.is_empty():
        return df
    email = pl.col("channel") == "email"
    return df.with_columns(
        open_rate=pl.when(email).then(pl.col("opened") / pl.col("sent")),
        click_rate=pl.col("clicked") / pl.col("sent"),
        click_to_open=pl.when(email & (pl.col("opened") > 0)).then(
            pl.col("clicked") / pl.col("opened")
        ),
    )


def publish_engagement(df: pl.DataFrame, lake_dir: Path) -> Path:
    return publish_parquet(df, lake_dir / ENGAGEMENT_TABLE / "snapshot.parquet")
