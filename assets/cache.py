"""Distributed cache assets: miss-ratio curves from the real redirect log, and a size to buy."""

import base64
import io

import dagster as dg
import polars as pl

from assets.resources import PlatformResource
from services.cache.mrc import default_sizes, miss_ratio_curves, recommend_size
from services.shortener.analytics import access_log
from warehouse.parquet_io import publish_parquet

MRC_TABLE = "cache_miss_ratio_curve"


class MissRatioConfig(dg.Config):
    target_hit_ratio: float = 0.9
    max_requests: int = 200_000


def _plot(rows: list[dict], target: float) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    for policy in sorted({r["policy"] for r in rows}):
        pts = sorted((r["size"], r["miss_ratio"]) for r in rows if r["policy"] == policy)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=policy)
    ax.axhline(1 - target, color="grey", linestyle="--", linewidth=1, label="target miss")
    ax.set_xscale("log")
    ax.set_xlabel("cache size (entries)")
    ax.set_ylabel("miss ratio")
    ax.legend()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


@dg.asset(group_name="cache", deps=["lake_ingest"], kinds={"python", "parquet"})
def cache_miss_ratio_curve(
    context: dg.AssetExecutionContext, config: MissRatioConfig, platform: PlatformResource
) -> dg.MaterializeResult:
    """Replays the shortener's redirect log through the simulator (LRU, ARC, W-TinyLFU, OPT)
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
        meta["curve"] = dg.MetadataValue.md(
            f"![miss-ratio curve](data:image/png;base64,{_plot(rows, config.target_hit_ratio)})"
        )
    return dg.MaterializeResult(metadata=meta)


@dg.asset_check(asset=cache_miss_ratio_curve)
def cache_mrc_is_consistent(platform: PlatformResource) -> dg.AssetCheckResult:
    """OPT bounds every policy at every size, and LRU and OPT (stack algorithms) never lose
    hits when the cache grows: a simulator bug breaks one of these."""
    path = platform.settings().lake_dir / MRC_TABLE / "mrc.parquet"
    if not path.exists():
        return dg.AssetCheckResult(passed=True, metadata={"note": "no curve yet"})
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
    return dg.AssetCheckResult(passed=not problems, metadata={"problems": ", ".join(problems)})


defs = dg.Definitions(assets=[cache_miss_ratio_curve], asset_checks=[cache_mrc_is_consistent])
