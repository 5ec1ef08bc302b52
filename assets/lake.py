"""The platform's core assets: spool ingestion and the lake's table inventory."""

import dagster as dg

from assets.metadata import md_table
from assets.resources import PlatformResource
from warehouse.ingest import ingest_spool

# The spool sensor asks for an ingest as soon as a segment is sealed; the cron is the floor
# that keeps the lake fresh if the sensor is off.
INGEST_CRON = "*/5 * * * *"


@dg.asset(
    group_name="lake",
    kinds={"parquet", "duckdb"},
    automation_condition=dg.AutomationCondition.on_cron(INGEST_CRON),
)
def lake_ingest(
    context: dg.AssetExecutionContext, platform: PlatformResource
) -> dg.MaterializeResult:
    """Sealed spool segments, published as Hive-partitioned Parquet (idempotent)."""
    settings = platform.settings()
    report = ingest_spool(settings.spool_dir, settings.lake_dir, progress=context.log.info)
    return dg.MaterializeResult(
        metadata={
            "segments": report.segments,
            "rows": report.rows,
            "quarantined": report.quarantined,
            "files": report.files,
            "rows_by_table": dg.MetadataValue.json(report.rows_by_table),
        }
    )


@dg.asset(
    group_name="lake",
    deps=[lake_ingest],
    kinds={"duckdb"},
    automation_condition=dg.AutomationCondition.eager(),
)
def lake_tables(platform: PlatformResource) -> dg.MaterializeResult:
    """Every lake table as DuckDB sees it through its view: row count, columns and types."""
    lake = platform.lake()
    rows = []
    with lake.connect() as con:
        for table in lake.tables():
            columns = con.execute(f'DESCRIBE "{table}"').fetchall()
            n = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            rows.append(
                {"table": table, "rows": n, "columns": ", ".join(f"{c[0]} {c[1]}" for c in columns)}
            )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(r["rows"] for r in rows),
            "tables": md_table(rows, ["table", "rows"], limit=len(rows)),
            "schemas": dg.MetadataValue.json({r["table"]: r["columns"] for r in rows}),
        }
    )


@dg.asset_check(asset=lake_tables, blocking=True)
def events_have_no_duplicate_source_seq(platform: PlatformResource) -> dg.AssetCheckResult:
    """Ingestion must be exactly-once per ``(source, seq)``, even across replays."""
    dupes = platform.lake().duplicate_keys("events")
    return dg.AssetCheckResult(passed=dupes == 0, metadata={"duplicate_keys": dupes})


defs = dg.Definitions(
    assets=[lake_ingest, lake_tables],
    asset_checks=[events_have_no_duplicate_source_seq],
)
