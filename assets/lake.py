"""The platform's core assets: spool ingestion and the lake's table inventory."""

import dagster as dg

from assets.resources import PlatformResource
from warehouse.ingest import ingest_spool


@dg.asset(group_name="lake", kinds={"parquet", "duckdb"})
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


@dg.asset(group_name="lake", deps=[lake_ingest], kinds={"duckdb"})
def lake_tables(platform: PlatformResource) -> dg.MaterializeResult:
    """Row counts of every lake table as DuckDB sees it through the views."""
    counts = platform.lake().row_counts()
    table = "\n".join(
        ["| table | rows |", "|---|---:|"] + [f"| {t} | {n} |" for t, n in counts.items()]
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(counts.values()),
            "tables": dg.MetadataValue.md(table),
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
