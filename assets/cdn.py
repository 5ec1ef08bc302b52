"""CDN assets: hit ratio per edge and shield from the edges' access logs in the lake."""

import dagster as dg
import polars as pl

from assets.metadata import md_table, plot_md
from assets.resources import PlatformResource
from services.cdn.hitratio import hit_ratio_by_edge, overall_hit_ratio
from warehouse.parquet_io import publish_parquet

GROUP = "cdn"
HIT_RATIO_TABLE = "cdn_hit_ratio"
TABLE_COLUMNS = [
    "edge",
    "role",
    "region",
    "requests",
    "hit_ratio",
    "byte_hit_ratio",
    "stale",
    "p95_ms",
]


def _draw(table: pl.DataFrame):
    """Request and byte hit ratio per edge, side by side."""

    def draw(_fig, ax) -> None:
        names = [f"{r['edge']} ({r['role']})" for r in table.to_dicts()]
        xs = range(len(names))
        ax.bar([x - 0.2 for x in xs], table["hit_ratio"].to_list(), width=0.4, label="requests")
        ax.bar([x + 0.2 for x in xs], table["byte_hit_ratio"].to_list(), width=0.4, label="bytes")
        ax.set_xticks(list(xs), names, rotation=20, ha="right", fontsize=7)
        ax.set_ylim(0, 1)
        ax.set_ylabel("hit ratio")
        ax.legend(fontsize=7)

    return draw


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"duckdb", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
)
def cdn_hit_ratio(
    context: dg.AssetExecutionContext, platform: PlatformResource
) -> dg.MaterializeResult:
    """Request and byte hit ratio, misses, stale serves and latency per edge and shield."""
    table = hit_ratio_by_edge(platform.lake())
    publish_parquet(table, platform.settings().lake_dir / HIT_RATIO_TABLE / "hit_ratio.parquet")
    context.log.info(f"{table.height} edges, {int(table['requests'].sum() or 0)} requests")
    metadata = {
        "dagster/row_count": table.height,
        "edge_hit_ratio": overall_hit_ratio(table, "edge"),
        "shield_hit_ratio": overall_hit_ratio(table, "shield"),
        "by_edge": md_table(table, TABLE_COLUMNS, limit=50),
    }
    if table.height:
        metadata["plot"] = plot_md(_draw(table), "hit ratio per edge")
    return dg.MaterializeResult(metadata=metadata)


@dg.asset_check(asset=cdn_hit_ratio)
def cdn_hit_ratio_is_consistent(platform: PlatformResource) -> dg.AssetCheckResult:
    """Hits never exceed requests and every ratio lies in [0, 1]."""
    path = platform.settings().lake_dir / HIT_RATIO_TABLE / "hit_ratio.parquet"
    if not path.exists():
        return dg.AssetCheckResult(passed=False, metadata={"bad_rows": -1})
    table = pl.read_parquet(path)
    bad = table.filter(
        (pl.col("hits") > pl.col("requests"))
        | ~pl.col("hit_ratio").is_between(0, 1)
        | ~pl.col("byte_hit_ratio").is_between(0, 1)
    )
    return dg.AssetCheckResult(
        passed=bad.height == 0, metadata={"rows": table.height, "bad_rows": bad.height}
    )


defs = dg.Definitions(assets=[cdn_hit_ratio], asset_checks=[cdn_hit_ratio_is_consistent])
