"""Notification analytics (system 12): latency and failure rate per channel, DLQ watch."""

import dagster as dg

from assets.resources import PlatformResource
from services.notify import queue
from services.notify.analytics import channel_stats, publish_stats
from services.notify.store import open_store


@dg.asset(group_name="notify", deps=[dg.AssetKey("lake_ingest")], kinds={"duckdb", "parquet"})
def notify_channel_stats(platform: PlatformResource) -> dg.MaterializeResult:
    """Per channel: sent, delivered, retried, dead, failed; latency p50/p95; failure rate."""
    settings = platform.settings()
    df = channel_stats(platform.lake())
    if df.is_empty():
        return dg.MaterializeResult(metadata={"dagster/row_count": 0, "note": "no events yet"})
    publish_stats(df, settings.lake_dir)
    cols = [
        "channel",
        "sent",
        "delivered",
        "retried",
        "dead",
        "failed",
        "suppressed",
        "latency_p50_ms",
        "latency_p95_ms",
        "failure_rate",
    ]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.select(cols).iter_rows():
        lines.append(
            "| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |"
        )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": df.height,
            "channels": dg.MetadataValue.md("\n".join(lines)),
            "failure_rate_max": float(df["failure_rate"].max()),
            "latency_p95_ms_max": float(df["latency_p95_ms"].fill_null(0).max()),
        }
    )


@dg.asset_check(asset=notify_channel_stats)
def notify_dead_letter_queue_is_empty(platform: PlatformResource) -> dg.AssetCheckResult:
    """Warn while deliveries sit in the dead-letter queue (replay with `blueprint notify dlq`)."""
    engine = open_store(platform.settings())
    try:
        counts = queue.counts(engine)
    finally:
        engine.dispose()
    dead = counts.get("dead", 0)
    return dg.AssetCheckResult(
        passed=dead == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"dead": dead, "pending": counts.get("pending", 0)},
    )


defs = dg.Definitions(
    assets=[notify_channel_stats], asset_checks=[notify_dead_letter_queue_is_empty]
)
