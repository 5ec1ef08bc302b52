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
    df = pl.DataFrame(rows, schema={"policy": pl.String, "size": pl.Int64, "hit_ratio": pl.Float64,
                                    "miss_ratio": pl.Float64, "requests": pl.Int64})  # fmt: skip
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


defs = dg.Definitions(assets=[cache_miss_ratio_curve])
