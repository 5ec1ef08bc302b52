"""Notification assets (system 12): delivery analytics per channel, open and click rates,
and the dead-letter queue.

Each asset's check reads exactly what the asset just wrote to the lake (its ``check_specs``
are evaluated on the written file within the same run), never the live store.
"""

from datetime import UTC, datetime

import dagster as dg
import polars as pl

from assets.metadata import md_table
from assets.resources import PlatformResource, SystemResource
from services.notify.analytics import (
    channel_stats,
    engagement,
    publish_engagement,
    publish_stats,
)
from services.notify.store import CHANNELS
from warehouse.parquet_io import publish_parquet

GROUP = "notify"
STATS_CHECK = "notify_channel_stats_are_consistent"
ENGAGEMENT_CHECK = "notify_engagement_is_consistent"
DLQ_TABLE = "notify_dead_letters"
DLQ_CHECK = "notify_dead_letter_queue_is_empty"
DLQ_SCHEMA = {
    "id": pl.String,
    "user_id": pl.String,
    "channel": pl.String,
    "category": pl.String,
    "attempts": pl.Int64,
    "last_error": pl.String,
    "created_at": pl.Float64,
    "dead_since": pl.Float64,
}
STATS_COLUMNS = [
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


def stats_problems(stats: pl.DataFrame) -> dict[str, int]:
    """Unknown or repeated channels, rates outside [0, 1], negative latencies or counts."""
    if stats.is_empty():
        return {"unknown_channels": 0, "duplicate_channels": 0, "bad_rates": 0, "bad_values": 0}
    rates = pl.col("failure_rate").is_between(0.0, 1.0) & pl.col("retry_rate").ge(0.0)
    counts = ["accepted", "sent", "delivered", "retried", "dead", "failed", "suppressed"]
    negative = pl.any_horizontal([pl.col(c) < 0 for c in counts]) | (
        pl.col("latency_p50_ms").fill_null(0) < 0
    )
    return {
        "unknown_channels": stats.filter(~pl.col("channel").is_in(list(CHANNELS))).height,
        "duplicate_channels": stats.height - stats["channel"].n_unique(),
        "bad_rates": stats.filter(~rates).height,
        "bad_values": stats.filter(negative).height,
    }


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"duckdb", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[dg.AssetCheckSpec(STATS_CHECK, asset="notify_channel_stats")],
)
def notify_channel_stats(platform: PlatformResource) -> dg.MaterializeResult:
    """Per channel: sent, delivered, retried, dead, failed; latency p50/p95; failure rate.

    Built from the lake's ``notify`` events; its check reads the snapshot this run wrote.
    """
    settings = platform.settings()
    df = channel_stats(platform.lake())
    if df.is_empty():
        return dg.MaterializeResult(
            metadata={"dagster/row_count": 0, "note": "no notification events yet"},
            check_results=[
                dg.AssetCheckResult(
                    check_name=STATS_CHECK, passed=True, metadata={"rows": 0, "written": False}
                )
            ],
        )
    path = publish_stats(df, settings.lake_dir)
    written = pl.read_parquet(path)
    problems = stats_problems(written)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written.height,
            "channels": md_table(written, STATS_COLUMNS),
            "failure_rate_max": float(written["failure_rate"].max()),
            "latency_p95_ms_max": float(written["latency_p95_ms"].fill_null(0).max()),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=STATS_CHECK,
                passed=not any(problems.values()),
                metadata={**problems, "rows": written.height},
            )
        ],
    )


def engagement_problems(df: pl.DataFrame) -> dict[str, int]:
    """Rows with more opens or clicks than sends, or an open rate off email."""
    if df.is_empty():
        return {"over_sent": 0, "open_rate_off_email": 0}
    over = (pl.col("opened") > pl.col("sent")) | (pl.col("clicked") > pl.col("sent"))
    off_email = (pl.col("channel") != "email") & pl.col("open_rate").is_not_null()
    return {"over_sent": df.filter(over).height, "open_rate_off_email": df.filter(off_email).height}


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"duckdb", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[dg.AssetCheckSpec(ENGAGEMENT_CHECK, asset="notify_engagement")],
)
def notify_engagement(platform: PlatformResource) -> dg.MaterializeResult:
    """Open and click-through rates per channel, template and campaign.

    Opens come from the email pixel, clicks from the shortener's click events on the short
    links that replaced each message's links. Its check reads the snapshot this run wrote.
    """
    df = engagement(platform.lake())
    if df.is_empty():
        return dg.MaterializeResult(
            metadata={"dagster/row_count": 0, "note": "no sent notifications yet"},
            check_results=[dg.AssetCheckResult(check_name=ENGAGEMENT_CHECK, passed=True)],
        )
    written = pl.read_parquet(publish_engagement(df, platform.settings().lake_dir))
    problems = engagement_problems(written)
    email = written.filter(pl.col("channel") == "email")
    sent = int(written["sent"].sum())
    metadata: dict[str, object] = {
        "dagster/row_count": written.height,
        "engagement": md_table(
            written,
            [
                "channel",
                "template",
                "campaign",
                "sent",
                "opened",
                "clicked",
                "open_rate",
                "click_rate",
            ],
        ),
        "click_rate": round(int(written["clicked"].sum()) / sent, 4) if sent else 0.0,
    }
    if email.height and int(email["sent"].sum()):
        metadata["email_open_rate"] = round(
            int(email["opened"].sum()) / int(email["sent"].sum()), 4
        )
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(
                check_name=ENGAGEMENT_CHECK,
                passed=not any(problems.values()),
                metadata={**problems, "rows": written.height},
            )
        ],
    )


class DeadLettersConfig(dg.Config):
    max_rows: int = 100_000


@dg.asset(
    group_name=GROUP,
    kinds={"python", "parquet"},
    automation_condition=dg.AutomationCondition.on_cron("*/15 * * * *"),
    check_specs=[
        dg.AssetCheckSpec(
            DLQ_CHECK,
            asset="notify_dead_letters",
            description="Warn while deliveries sit in the dead-letter queue "
            "(replay with `blueprint notify dlq replay`).",
        )
    ],
)
def notify_dead_letters(
    config: DeadLettersConfig, platform: PlatformResource, notify: SystemResource
) -> dg.MaterializeResult:
    """A snapshot of the dead-letter queue: deliveries that ran out of attempts, oldest first.

    Its check warns while the snapshot this run wrote holds any row.
    """
    rows = notify.service().dead_letters(config.max_rows)
    df = pl.DataFrame(
        [{**{k: r.get(k) for k in DLQ_SCHEMA}, "dead_since": r["updated_at"]} for r in rows],
        schema=DLQ_SCHEMA,
    )
    path = publish_parquet(df, platform.settings().lake_dir / DLQ_TABLE / "snapshot.parquet")
    written = pl.read_parquet(path)
    by_channel = dict(written.group_by("channel").len().iter_rows()) if written.height else {}
    oldest = written["dead_since"].min() if written.height else None
    age_h = None if oldest is None else (datetime.now(UTC).timestamp() - oldest) / 3600
    check_meta: dict[str, float | int] = {"dead": written.height, **by_channel}
    if age_h is not None:
        check_meta["oldest_age_hours"] = round(age_h, 2)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written.height,
            "dead_letters": md_table(
                written, ["id", "channel", "user_id", "attempts", "last_error"]
            ),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=DLQ_CHECK,
                passed=written.height == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata=check_meta,
            )
        ],
    )


defs = dg.Definitions(assets=[notify_channel_stats, notify_engagement, notify_dead_letters])
