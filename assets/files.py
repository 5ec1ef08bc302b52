"""File-sharing assets (system 6): deduplication per user and overall (with delta-sync
efficiency from the lake's sync events), and the chunker sweep that recommends an average
chunk size from a sample of stored files.

Each asset's check reads what the asset just wrote to the lake.
"""

import dagster as dg
import polars as pl

from assets.metadata import md_table, plot_md
from assets.resources import PlatformResource, SystemResource
from services.files import analytics
from warehouse.parquet_io import publish_parquet

GROUP = "files"
DEDUP_CHECK = "files_dedup_is_consistent"
SWEEP_CHECK = "files_chunker_sweep_is_sane"


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"python", "parquet"},
    automation_condition=dg.AutomationCondition.on_cron("*/30 * * * *"),
    check_specs=[dg.AssetCheckSpec(DEDUP_CHECK, asset="files_dedup")],
)
def files_dedup(platform: PlatformResource, files: SystemResource) -> dg.MaterializeResult:
    """Logical bytes (every kept version at full size) against stored bytes (distinct chunks)
    per user and overall (``*``), and bytes sent per sync from the lake's ``sync`` events."""
    svc = files.service()
    df = analytics.dedup_table(svc)
    path = publish_parquet(df, platform.settings().lake_dir / "files_dedup" / "snapshot.parquet")
    written = pl.read_parquet(path)
    overall = written.filter(pl.col("user") == "*").row(0, named=True)
    per_user = written.filter(pl.col("user") != "*")
    sync = analytics.sync_efficiency(platform.lake())
    problems = {
        "stored_over_logical": written.filter(
            pl.col("stored_bytes") > pl.col("logical_bytes")
        ).height,
        "users_storing_more_than_overall": per_user.filter(
            pl.col("stored_bytes") > overall["stored_bytes"]
        ).height,
    }
    meta: dict = {
        "dagster/row_count": written.height,
        "dedup_ratio": float(overall["dedup_ratio"]),
        "logical_bytes": int(overall["logical_bytes"]),
        "stored_bytes": int(overall["stored_bytes"]),
        "per_user": md_table(written),
    }
    if not sync.is_empty():
        sent, total = int(sync["bytes_sent"].sum() or 0), int(sync["bytes_total"].sum() or 0)
        meta["sync_bytes_sent_per_byte_synced"] = sent / total if total else 0.0
        meta["sync_by_device"] = md_table(sync)
    return dg.MaterializeResult(
        metadata=meta,
        check_results=[
            dg.AssetCheckResult(
                check_name=DEDUP_CHECK,
                passed=not any(problems.values()),
                metadata={**problems, "rows": written.height},
            )
        ],
    )


class SweepConfig(dg.Config):
    max_files: int = 200
    max_bytes: int = 64 * 1024 * 1024


@dg.asset(
    group_name=GROUP,
    kinds={"python", "parquet"},
    automation_condition=dg.AutomationCondition.on_cron("0 3 * * *"),
    check_specs=[dg.AssetCheckSpec(SWEEP_CHECK, asset="files_chunker_sweep")],
)
def files_chunker_sweep(
    config: SweepConfig, platform: PlatformResource, files: SystemResource
) -> dg.MaterializeResult:
    """Re-chunk a sample of stored files at several average sizes; recommend the size that
    minimises stored bytes plus per-chunk metadata (``CHUNK_OVERHEAD_BYTES`` a chunk)."""
    svc = files.service()
    sample = analytics.sample_files(svc, config.max_files, config.max_bytes)
    sweep = analytics.chunker_sweep(sample)
    path = publish_parquet(
        sweep, platform.settings().lake_dir / "files_chunker_sweep" / "snapshot.parquet"
    )
    written = pl.read_parquet(path)
    best = analytics.recommend(written) if sample else svc.conf.avg_chunk_bytes
    sizes = written["avg_chunk_bytes"].to_list()

    def draw(fig, ax) -> None:
        ax.plot(sizes, written["cost"].to_list(), marker="o", label="cost")
        ax.plot(sizes, written["stored_bytes"].to_list(), marker=".", label="stored bytes")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("average chunk size (bytes)")
        ax.legend()

    problems = {
        "stored_over_raw": written.filter(pl.col("stored_bytes") > pl.col("raw_bytes")).height,
        "recommendation_outside_sweep": int(best not in sizes),
    }
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written.height,
            "sample_files": len(sample),
            "sample_bytes": sum(len(f) for f in sample),
            "recommended_avg_chunk_bytes": best,
            "configured_avg_chunk_bytes": svc.conf.avg_chunk_bytes,
            "sweep": md_table(written),
            "plot": plot_md(draw, "cost by average chunk size"),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=SWEEP_CHECK,
                passed=not any(problems.values()),
                metadata={**problems, "recommended": best},
            )
        ],
    )


defs = dg.Definitions(assets=[files_dedup, files_chunker_sweep])
