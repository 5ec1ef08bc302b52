"""Key-value store assets: staleness (PBS) from the replica latencies the nodes logged, and
token ranges ranked by observed divergence with what repairing the worst first buys."""

import dagster as dg
import polars as pl

from assets.metadata import md_table, plot_md
from assets.resources import PlatformResource
from services.kv.pbs import pbs_table, replica_latencies
from services.kv.repair_order import convergence, divergence_by_range
from warehouse.parquet_io import publish_parquet

GROUP = "kv"
PBS_TABLE = "kv_staleness"
REPAIR_TABLE = "kv_repair_order"


class StalenessConfig(dg.Config):
    n: int = 3


def _draw_pbs(table: pl.DataFrame):
    def draw(_fig, ax) -> None:
        for (r, w), part in sorted(table.group_by(["r", "w"]), key=lambda g: g[0]):
            pts = part.sort("t_ms")
            style = "-" if r + w <= table["n"][0] else ":"
            ax.plot(
                [max(t, 0.05) for t in pts["t_ms"].to_list()],
                pts["p_consistent"].to_list(),
                style,
                marker="o",
                markersize=3,
                label=f"R={r} W={w}",
            )
        ax.set_xscale("log")
        ax.set_xlabel("time since the write was acknowledged (ms)")
        ax.set_ylabel("P(read sees it)")
        ax.legend(fontsize=7)

    return draw


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"python", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
)
def kv_staleness(
    context: dg.AssetExecutionContext, config: StalenessConfig, platform: PlatformResource
) -> dg.MaterializeResult:
    """Probabilistically Bounded Staleness (Bailis et al., VLDB 2012): for each (N, R, W),
    the probability that a read t ms after a write's commit returns it, by Monte Carlo over
    the WARS model fed with the replica round trips the nodes logged."""
    writes, reads = replica_latencies(platform.lake())
    empty = pl.DataFrame(
        schema={
            "n": pl.Int64,
            "r": pl.Int64,
            "w": pl.Int64,
            "t_ms": pl.Float64,
            "p_consistent": pl.Float64,
        }
    )
    table = pbs_table(writes, reads, config.n) if writes and reads else empty
    publish_parquet(table, platform.settings().lake_dir / PBS_TABLE / "pbs.parquet")
    context.log.info(f"{len(writes)} write and {len(reads)} read replica latencies")
    meta: dict = {
        "dagster/row_count": table.height,
        "write_samples": len(writes),
        "read_samples": len(reads),
    }
    if table.height:
        at0 = table.filter(pl.col("t_ms") == 0.0).sort(["r", "w"])
        meta["p_consistent_at_commit"] = md_table(at0, ["n", "r", "w", "p_consistent"])
        meta["curves"] = plot_md(_draw_pbs(table), "PBS t-visibility", size=(6, 3.5))
    return dg.MaterializeResult(metadata=meta)


@dg.asset_check(asset=kv_staleness)
def kv_staleness_is_a_probability_curve(platform: PlatformResource) -> dg.AssetCheckResult:
    """Probabilities lie in [0, 1], never fall as t grows, and are 1 when R + W > N (quorums
    intersect): a simulation bug breaks one of these."""
    path = platform.settings().lake_dir / PBS_TABLE / "pbs.parquet"
    if not path.exists():
        return dg.AssetCheckResult(passed=False, metadata={"problems": "no table written"})
    table = pl.read_parquet(path)
    problems = []
    if table.filter(~pl.col("p_consistent").is_between(0, 1)).height:
        problems.append("probability outside [0, 1]")
    if table.filter(
        (pl.col("r") + pl.col("w") > pl.col("n")) & (pl.col("p_consistent") < 1)
    ).height:
        problems.append("an intersecting quorum read stale")
    for (r, w), part in table.group_by(["r", "w"]):
        ps = part.sort("t_ms")["p_consistent"].to_list()
        if any(b < a - 1e-9 for a, b in zip(ps, ps[1:], strict=False)):
            problems.append(f"R={r} W={w} falls with time")
    return dg.AssetCheckResult(
        passed=not problems, metadata={"rows": table.height, "problems": ", ".join(problems)}
    )


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"duckdb", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
)
def kv_repair_order(
    context: dg.AssetExecutionContext, platform: PlatformResource
) -> dg.MaterializeResult:
    """Token ranges ranked by the divergence read repair and anti-entropy found (the order
    anti-entropy repairs them in), and steps to convergence worst-first vs round-robin."""
    table = divergence_by_range(platform.lake())
    publish_parquet(table, platform.settings().lake_dir / REPAIR_TABLE / "ranges.parquet")
    divergent = dict(zip(table["key_range"].to_list(), table["divergence"].to_list(), strict=True))
    total = max(divergent, default=-1) + 1
    result = convergence(divergent, total)
    context.log.info(f"{table.height} ranges with recorded repairs")
    meta: dict = {
        "dagster/row_count": table.height,
        "divergent_ranges": sum(1 for v in divergent.values() if v > 0),
        "worst_first_mean_steps_per_key": round(result["worst_first"]["mean_steps_per_key"], 2),
        "round_robin_mean_steps_per_key": round(result["round_robin"]["mean_steps_per_key"], 2),
        "worst_first_steps_to_converge": result["worst_first"]["steps_to_converge"],
        "round_robin_steps_to_converge": result["round_robin"]["steps_to_converge"],
    }
    if table.height:
        meta["worst_ranges"] = md_table(
            table.head(10), ["rank", "key_range", "divergence", "read_repairs", "ae_repaired"]
        )
    return dg.MaterializeResult(metadata=meta)


@dg.asset_check(asset=kv_repair_order)
def kv_repair_order_puts_the_worst_first(platform: PlatformResource) -> dg.AssetCheckResult:
    """Ranks follow divergence, and worst-first never leaves keys stale longer on average."""
    path = platform.settings().lake_dir / REPAIR_TABLE / "ranges.parquet"
    if not path.exists():
        return dg.AssetCheckResult(passed=False, metadata={"problems": "no table written"})
    table = pl.read_parquet(path)
    divs = table.sort("rank")["divergence"].to_list()
    problems = []
    if any(b > a for a, b in zip(divs, divs[1:], strict=False)):
        problems.append("ranks do not follow divergence")
    divergent = dict(zip(table["key_range"].to_list(), table["divergence"].to_list(), strict=True))
    result = convergence(divergent, max(divergent, default=-1) + 1)
    if result["worst_first"]["mean_steps_per_key"] > result["round_robin"]["mean_steps_per_key"]:
        problems.append("worst-first is slower than round-robin")
    return dg.AssetCheckResult(
        passed=not problems, metadata={"rows": table.height, "problems": ", ".join(problems)}
    )


defs = dg.Definitions(
    assets=[kv_staleness, kv_repair_order],
    asset_checks=[kv_staleness_is_a_probability_curve, kv_repair_order_puts_the_worst_first],
)
