"""Dagster assets of the logging system: raw and parsed logs per day, templates, alert
evaluations, compaction/retention, and the lake's table views. Thin: they call warehouse.logs."""

import dagster as dg
import orjson
import polars as pl

from assets.resources import PlatformResource
from warehouse.emitter import Emitter, SpoolTransport
from warehouse.lake import Lake
from warehouse.logs.alerts import evaluate, fire
from warehouse.logs.compaction import apply_retention, compact_lake
from warehouse.logs.table import LOGS
from warehouse.parquet_io import partition_dir, publish_parquet

DAILY = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_offset=1)
INGEST = dg.AssetKey("lake_ingest")
TEMPLATES_TABLE = "log_templates"


def _md(df: pl.DataFrame, rows: int = 10) -> dg.MetadataValue:
    if df.is_empty():
        return dg.MetadataValue.md("_no rows_")
    head = df.head(rows).with_columns(pl.all().cast(pl.String).str.slice(0, 120))
    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    for row in head.rows():
        cells = ["" if v is None else str(v).replace("|", "\\|").replace("\n", " ") for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return dg.MetadataValue.md("\n".join(lines))


def _day(lake: Lake, sql: str, day: str) -> pl.DataFrame:
    if "logs" not in lake.tables():
        return pl.DataFrame()
    return lake.query(sql, [day])


@dg.asset(group_name="logs", deps=[INGEST], partitions_def=DAILY, kinds={"parquet", "duckdb"})
def logs_raw(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
    """Log lines received on the day: stored rows by format, and malformed lines in quarantine."""
    lake = platform.lake()
    day = context.partition_key
    by_format = _day(
        lake,
        "SELECT format, count(*) AS lines FROM logs WHERE date = ? GROUP BY 1 ORDER BY 2 DESC",
        day,
    )
    quarantined = 0
    if "quarantine" in lake.tables():
        quarantined = lake.query(
            "SELECT count(*) AS n FROM quarantine WHERE table_name = 'logs' AND date = ?", [day]
        )["n"][0]
    preview = _day(
        lake,
        "SELECT ts, service, format, raw FROM logs WHERE date = ? ORDER BY ts DESC LIMIT 10",
        day,
    )
    total = int(by_format["lines"].sum()) if len(by_format) else 0
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": total,
            "quarantined": int(quarantined),
            "by_format": _md(by_format),
            "preview": _md(preview),
        }
    )


@dg.asset(group_name="logs", deps=[logs_raw], partitions_def=DAILY, kinds={"duckdb"})
def logs_parsed(
    context: dg.AssetExecutionContext, platform: PlatformResource
) -> dg.MaterializeResult:
    """Parsed, enriched lines of the day, by service and normalised level."""
    lake = platform.lake()
    day = context.partition_key
    by_level = _day(
        lake,
        "SELECT service, level, count(*) AS lines FROM logs WHERE date = ? "
        "GROUP BY ALL ORDER BY lines DESC",
        day,
    )
    preview = _day(
        lake,
        "SELECT ts, service, host, level, logger, message, template_id "
        "FROM logs WHERE date = ? ORDER BY ts DESC LIMIT 10",
        day,
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(by_level["lines"].sum()) if len(by_level) else 0,
            "services": len(set(by_level["service"])) if len(by_level) else 0,
            "by_service_level": _md(by_level, 20),
            "preview": _md(preview),
        }
    )


@dg.asset(group_name="logs", deps=[logs_parsed], partitions_def=DAILY, kinds={"parquet"})
def logs_templates(
    context: dg.AssetExecutionContext, platform: PlatformResource
) -> dg.MaterializeResult:
    """Templates of the day with counts, written to the ``log_templates`` lake table."""
    lake = platform.lake()
    day = context.partition_key
    df = _day(
        lake,
        "SELECT service, template_id, any_value(template) AS template, count(*) AS lines, "
        "min(ts) AS first_seen, max(ts) AS last_seen, "
        "count(*) FILTER (WHERE level IN ('error', 'critical')) AS errors "
        "FROM logs WHERE date = ? AND template_id IS NOT NULL GROUP BY ALL ORDER BY lines DESC",
        day,
    )
    target = partition_dir(lake.root, TEMPLATES_TABLE, {"date": day}) / "templates.parquet"
    if len(df):
        publish_parquet(df, target)  # overwrite: rerunning a day is idempotent
    else:
        target.unlink(missing_ok=True)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(df),
            "templates": df["template_id"].n_unique() if len(df) else 0,
            "top_templates": _md(df.select("service", "lines", "errors", "template"), 15),
        }
    )


class AlertConfig(dg.Config):
    error_threshold: int = 20
    window_minutes: int = 5


@dg.asset(group_name="logs", deps=[INGEST, logs_templates], kinds={"python"})
def logs_alert_evaluations(
    context: dg.AssetExecutionContext, config: AlertConfig, platform: PlatformResource
) -> dg.MaterializeResult:
    """Evaluate the alert rules now; new alerts become ``logging/alert_fired`` events."""
    from datetime import timedelta

    from warehouse.logs.alerts import AlertRules

    settings = platform.settings()
    rules = AlertRules(
        error_threshold=config.error_threshold, window=timedelta(minutes=config.window_minutes)
    )
    alerts = evaluate(platform.lake(), rules)
    emitter = Emitter(SpoolTransport(settings, "alerts"))
    try:
        fired = fire(emitter, alerts, settings.data_dir / "logs" / "alerts_state.json")
    finally:
        emitter.close()
    for a in fired:
        context.log.warning(f"alert [{a.rule}] {a.service}: {a.message}")
    table = pl.DataFrame(
        {
            "rule": [a.rule for a in alerts],
            "service": [a.service for a in alerts],
            "message": [a.message for a in alerts],
        },
        schema={"rule": pl.String, "service": pl.String, "message": pl.String},
    )
    by_rule: dict[str, int] = {}
    for a in alerts:
        by_rule[a.rule] = by_rule.get(a.rule, 0) + 1
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(alerts),
            "fired_now": len(fired),
            "by_rule": dg.MetadataValue.json(by_rule),
            "alerts": _md(table, 20),
        }
    )


class MaintenanceConfig(dg.Config):
    retention_days: int = 30
    # Retention deletes data: only tables listed here (other systems opt in); compaction,
    # which loses nothing, covers every spooled table.
    retention_tables: list[str] = ["logs"]


@dg.asset(group_name="logs", deps=[INGEST], kinds={"parquet"})
def logs_compaction(config: MaintenanceConfig, platform: PlatformResource) -> dg.MaterializeResult:
    """Small files merged per partition (every spooled table); old log partitions dropped."""
    lake_dir = platform.settings().lake_dir
    report = compact_lake(lake_dir)
    dropped = apply_retention(lake_dir, config.retention_days, tables=config.retention_tables)
    return dg.MaterializeResult(
        metadata={
            "partitions_compacted": report.partitions,
            "files_in": report.files_in,
            "files_out": report.files_out,
            "duplicates_removed": report.rows_in - report.rows_out,
            "recovered_interrupted": report.recovered,
            "retention_dropped": dg.MetadataValue.json(dropped),
        }
    )


@dg.asset(group_name="lake", deps=[INGEST, logs_compaction], kinds={"duckdb"})
def lake_views(platform: PlatformResource) -> dg.MaterializeResult:
    """Every lake table as DuckDB sees it: its view's columns and types, and its row count."""
    lake = platform.lake()
    rows = []
    with lake.connect() as con:
        for table in lake.tables():
            cols = con.execute(f'DESCRIBE "{table}"').fetchall()
            n = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            schema = ", ".join(f"{c[0]} {c[1]}" for c in cols)
            rows.append({"table": table, "rows": n, "columns": schema})
    df = pl.DataFrame(rows, schema={"table": pl.String, "rows": pl.Int64, "columns": pl.String})
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(df["rows"].sum()) if len(df) else 0,
            "tables": _md(df.with_columns(pl.col("columns").str.slice(0, 400)), 100),
            "schemas": dg.MetadataValue.json({r["table"]: r["columns"] for r in rows}),
        }
    )


@dg.asset_check(asset=logs_parsed, blocking=True)
def logs_schema_matches_the_table_spec(platform: PlatformResource) -> dg.AssetCheckResult:
    """Every column the logs table declares is present in the lake's view of it."""
    lake = platform.lake()
    if "logs" not in lake.tables():
        return dg.AssetCheckResult(passed=True, metadata={"note": "no logs yet"})
    with lake.connect() as con:
        have = {r[0] for r in con.execute('DESCRIBE "logs"').fetchall()}
    missing = sorted((set(LOGS.read_schema) | {"service", "date", "hour"}) - have)
    return dg.AssetCheckResult(
        passed=not missing, metadata={"missing": orjson.dumps(missing).decode()}
    )


@dg.asset_check(asset=logs_raw, blocking=True)
def logs_have_no_duplicate_source_seq(platform: PlatformResource) -> dg.AssetCheckResult:
    """Exactly-once storage: no ``(source, seq)`` twice in the files (compaction removes them)."""
    dupes = platform.lake().duplicate_keys("logs")
    return dg.AssetCheckResult(passed=dupes == 0, metadata={"duplicate_keys": dupes})


@dg.asset_check(asset=logs_raw)
def logs_are_fresh(platform: PlatformResource) -> dg.AssetCheckResult:
    """The newest log line arrived within the last two hours (warns when collectors stall)."""
    lake = platform.lake()
    if "logs" not in lake.tables():
        return dg.AssetCheckResult(
            passed=False, severity=dg.AssetCheckSeverity.WARN, metadata={"note": "no logs at all"}
        )
    age = lake.query("SELECT epoch(now() - max(ts)) / 60.0 AS minutes FROM logs")["minutes"][0]
    return dg.AssetCheckResult(
        passed=age is not None and age <= 120,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"minutes_since_newest": float(age) if age is not None else -1.0},
    )


defs = dg.Definitions(
    assets=[
        logs_raw,
        logs_parsed,
        logs_templates,
        logs_alert_evaluations,
        logs_compaction,
        lake_views,
    ],
    asset_checks=[
        logs_schema_matches_the_table_spec,
        logs_have_no_duplicate_source_seq,
        logs_are_fresh,
    ],
)
