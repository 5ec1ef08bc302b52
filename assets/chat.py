"""Messaging assets (system 5): the delivery SLO, the delivery-gap audit, the retention purge.

Both analytics read only the lake's ``chat`` events: the service's own log of what each
device acknowledged. The audit's check is blocking: a device whose delivered sequence has a
hole, a duplicate or a reordering fails the run.
"""

import dagster as dg
import polars as pl

from assets.metadata import md_table
from assets.resources import PlatformResource, SystemResource
from services.chat.audit import AUDIT_SCHEMA, EVENTS_SQL, delivery_slo, gap_audit, verdict
from warehouse.lake import Lake
from warehouse.parquet_io import publish_parquet

GROUP = "chat"
SLO_TABLE = "chat_delivery_slo"
AUDIT_TABLE = "chat_delivery_gap_audit"
PURGE_TABLE = "chat_retention_purges"
SLO_CHECK = "chat_delivery_slo_is_consistent"
AUDIT_CHECK = "chat_delivery_has_no_gaps"
DELIVERED_SQL = (
    "SELECT attrs FROM chat_events WHERE type = 'delivered' "
    "QUALIFY row_number() OVER (PARTITION BY event_id) = 1"
)


def _chat_events(lake: Lake, sql: str) -> pl.DataFrame | None:
    return lake.query(sql) if "events" in lake.tables() else None


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"duckdb", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[dg.AssetCheckSpec(SLO_CHECK, asset=SLO_TABLE)],
)
def chat_delivery_slo(platform: PlatformResource) -> dg.MaterializeResult:
    """p50 and p99 per hop (stored to sent, sent to acknowledged, stored to acknowledged), from
    every ``delivered`` event in the lake. Its check reads the file this run wrote."""
    lake = platform.lake()
    delivered = _chat_events(lake, DELIVERED_SQL)
    if delivered is None:
        delivered = pl.DataFrame(schema={"attrs": pl.String})
    slo = delivery_slo(delivered)
    path = publish_parquet(slo, platform.settings().lake_dir / SLO_TABLE / "snapshot.parquet")
    written = pl.read_parquet(path)
    bad = written.filter(
        (pl.col("p50_ms") > pl.col("p99_ms")) | (pl.col("p50_ms") < -1000)
    ).height  # clocks of one host: a hop may not run backwards by more than a second
    end_to_end = written.filter(pl.col("hop") == "stored_to_acked")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written.height,
            "hops": md_table(written, ["hop", "count", "p50_ms", "p99_ms"]),
            "p99_ms_stored_to_acked": float(end_to_end["p99_ms"].fill_null(0).item()),
        },
        check_results=[
            dg.AssetCheckResult(check_name=SLO_CHECK, passed=bad == 0, metadata={"bad_rows": bad})
        ],
    )


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"duckdb", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[
        dg.AssetCheckSpec(
            AUDIT_CHECK,
            asset=AUDIT_TABLE,
            blocking=True,
            description="Every device's delivered sequence has no hole, no duplicate and no "
            "reordering (purges a device was told of excepted).",
        )
    ],
)
def chat_delivery_gap_audit(platform: PlatformResource) -> dg.MaterializeResult:
    """Per user, device and conversation: rows delivered, duplicates, reorders, holes."""
    lake = platform.lake()
    events = _chat_events(lake, EVENTS_SQL)
    audit = gap_audit(events) if events is not None else pl.DataFrame(schema=AUDIT_SCHEMA)
    path = publish_parquet(audit, platform.settings().lake_dir / AUDIT_TABLE / "snapshot.parquet")
    written = pl.read_parquet(path)
    totals = verdict(written)
    failing = written.filter(
        (pl.col("duplicates") > 0) | (pl.col("reorders") > 0) | (pl.col("holes") > 0)
    )
    return dg.MaterializeResult(
        metadata={"dagster/row_count": written.height, **totals},
        check_results=[
            dg.AssetCheckResult(
                check_name=AUDIT_CHECK,
                passed=failing.is_empty(),
                metadata={
                    **totals,
                    "failing": md_table(failing, ["user_id", "device", "conv", "holes"]),
                },
                description=None
                if failing.is_empty()
                else f"{failing.height} device logs with holes, duplicates or reorders",
            )
        ],
    )


@dg.asset(
    group_name=GROUP,
    kinds={"python", "parquet"},
    automation_condition=dg.AutomationCondition.on_cron("*/10 * * * *"),
)
def chat_retention_purges(platform: PlatformResource, chat: SystemResource) -> dg.MaterializeResult:
    """Disappearing messages: delete rows older than each conversation's retention, and keep
    a record of what this run purged (conversation, through which seq, rows)."""
    purged = chat.service().purge_expired()
    df = pl.DataFrame(
        [{"conv": c, "rows": n} for c, n in purged.items()],
        schema={"conv": pl.String, "rows": pl.Int64},
    )
    publish_parquet(df, platform.settings().lake_dir / PURGE_TABLE / "last_run.parquet")
    return dg.MaterializeResult(
        metadata={"dagster/row_count": df.height, "rows_purged": int(df["rows"].sum() or 0)}
    )


defs = dg.Definitions(assets=[chat_delivery_slo, chat_delivery_gap_audit, chat_retention_purges])
