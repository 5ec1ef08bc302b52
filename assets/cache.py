"""Distributed cache assets: each tier's hit ratio from the lake, and miss-ratio curves from
the real redirect log with a size to buy."""

import dagster as dg
import polars as pl

from assets.metadata import md_table, plot_md
from assets.resources import PlatformResource
from services.cache.hitratio import hit_ratio_by_owner
from services.cache.mrc import default_sizes, miss_ratio_curves, recommend_size
from services.shortener.analytics import access_log
from warehouse.parquet_io import publish_parquet

GROUP = "cache"
MRC_TABLE = "cache_miss_ratio_curve"
HIT_RATIO_TABLE = "cache_hit_ratio"


class MissRatioConfig(dg.Config):
    target_hit_ratio: float = 0.9
    max_requests: int = 200_000


def _draw_curves(rows: list[dict], target: float):
    def draw(_fig, ax) -> None:
        for policy in sorted({r["policy"] for r in rows}):
            pts = sorted((r["size"], r["miss_ratio"]) for r in rows if r["policy"] == policy)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=policy)
        ax.axhline(1 - target, color="grey", linestyle="--", linewidth=1, label="target miss")
        ax.set_xscale("log")
        ax.set_xlabel("cache size (entries)")
        ax.set_ylabel("miss ratio")
        ax.legend()

    return draw


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"python", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
)
def cache_miss_ratio_curve(
    context: dg.AssetExecutionContext, config: MissRatioConfig, platform: PlatformResource
) -> dg.MaterializeResult:
    """Replays the shortener's redirect log through the simulator (FIFO, LRU, ARC, W-TinyLFU,
    OPT)
    at several sizes and recommends the smallest W-TinyLFU size reaching the target."""
    trace = access_log(platform.lake(), config.max_requests)
    distinct = len(set(trace))
    sizes = default_sizes(distinct) if trace else []
    rows = miss_ratio_curves(trace, sizes) if trace else []
    rec = recommend_size(rows, config.target_hit_ratio)
    df = pl.DataFrame(
        rows,
        schema={
            "policy": pl.String,
            "size": pl.Int64,
            "hit_ratio": pl.Float64,
            "miss_ratio": pl.Float64,
            "requests": pl.Int64,
        },
    )
    publish_parquet(df, platform.settings().lake_dir / MRC_TABLE / "mrc.parquet")
    context.log.info(f"{len(trace)} requests over {distinct} keys; recommended size {rec}")
    meta = {
        "dagster/row_count": df.height,
        "requests": len(trace),
        "distinct_keys": distinct,
        "target_hit_ratio": config.target_hit_ratio,
        "recommended_size": rec if rec is not None else -1,
    }
    if rows:
        # hit ratio per policy (columns) at each size (rows): FIFO is the floor to beat
        wide = df.pivot(on="policy", index="size", values="hit_ratio").sort("size")
        meta["hit_ratio_by_policy"] = md_table(wide.with_columns(pl.exclude("size").round(4)))
        meta["curve"] = plot_md(
            _draw_curves(rows, config.target_hit_ratio), "miss-ratio curve", size=(6, 3.5)
        )
    return dg.MaterializeResult(metadata=meta)


@dg.asset_check(asset=cache_miss_ratio_curve)
def cache_mrc_is_consistent(platform: PlatformResource) -> dg.AssetCheckResult:
    """OPT bounds every policy at every size, and LRU and OPT (stack algorithms) never lose
    hits when the cache grows: a simulator bug breaks one of these."""
    path = platform.settings().lake_dir / MRC_TABLE / "mrc.parquet"
    if not path.exists():
        return dg.AssetCheckResult(passed=False, metadata={"problems": "no curve written"})
    df = pl.read_parquet(path)
    problems = []
    for size in df["size"].unique().to_list():
        at = {r["policy"]: r["hit_ratio"] for r in df.filter(pl.col("size") == size).to_dicts()}
        if any(v > at.get("opt", 1.0) + 1e-9 for v in at.values()):
            problems.append(f"a policy beats OPT at size {size}")
    for policy in ("lru", "opt"):
        ratios = df.filter(pl.col("policy") == policy).sort("size")["hit_ratio"].to_list()
        if any(b < a - 1e-9 for a, b in zip(ratios, ratios[1:], strict=False)):
            problems.append(f"{policy} lost hits as the cache grew")
    return dg.AssetCheckResult(
        passed=not problems, metadata={"rows": df.height, "problems": ", ".join(problems)}
    )


def _draw_hit_ratios(table: pl.DataFrame):
    def draw(_fig, ax) -> None:
        owners = table["owner"].to_list()
        ax.bar(owners, [r or 0.0 for r in table["hit_ratio"].to_list()])
        ax.set_ylim(0, 1)
        ax.set_ylabel("hit ratio")
        ax.tick_params(axis="x", labelrotation=20, labelsize=8)

    return draw


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"duckdb", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
)
def cache_hit_ratio(
    context: dg.AssetExecutionContext, platform: PlatformResource
) -> dg.MaterializeResult:
    """Lookups, hits, misses, near-cache hits, fail-overs and hit ratio of every cache tier
    (each system's own, and the cache system's), from the tiers' stats events in the lake."""
    table = hit_ratio_by_owner(platform.lake())
    publish_parquet(table, platform.settings().lake_dir / HIT_RATIO_TABLE / "hit_ratio.parquet")
    lookups = int(table["lookups"].sum()) if table.height else 0
    hits = int(table["hits"].sum()) if table.height else 0
    context.log.info(f"{table.height} cache tiers, {lookups} lookups")
    metadata = {
        "dagster/row_count": table.height,
        "lookups": lookups,
        "overall_hit_ratio": round(hits / lookups, 4) if lookups else None,
        "by_tier": md_table(
            table, ["owner", "lookups", "hit_ratio", "near_hits", "failovers", "evictions"]
        ),
    }
    if table.height:
        metadata["plot"] = plot_md(_draw_hit_ratios(table), "hit ratio per cache tier")
    return dg.MaterializeResult(metadata=metadata)


@dg.asset_check(asset=cache_hit_ratio)
def cache_hit_ratio_is_consistent(platform: PlatformResource) -> dg.AssetCheckResult:
    """Lookups are hits plus misses, near-cache hits are hits, and ratios lie in [0, 1]."""
    path = platform.settings().lake_dir / HIT_RATIO_TABLE / "hit_ratio.parquet"
    if not path.exists():
        return dg.AssetCheckResult(passed=False, metadata={"bad_rows": -1})
    table = pl.read_parquet(path)
    bad = table.filter(
        (pl.col("lookups") != pl.col("hits") + pl.col("misses"))
        | (pl.col("near_hits") > pl.col("hits"))
        | ~pl.col("hit_ratio").fill_null(0.0).is_between(0, 1)
    )
    return dg.AssetCheckResult(
        passed=bad.height == 0, metadata={"rows": table.height, "bad_rows": bad.height}
    )


defs = dg.Definitions(
    assets=[cache_miss_ratio_curve, cache_hit_ratio],
    asset_checks=[cache_mrc_is_consistent, cache_hit_ratio_is_consistent],
)
