"""Shop assets (system 15): sales rank per category over a sliding window and the daily
inventory-ledger audit, both from the lake's events alone; and "customers also bought"
(``models.also_bought``) trained on the retailer's real orders, gated against popularity
and promoted to the registry the shop serves from (hot-reloaded).

The audit's check is blocking: it fails on any conservation violation, any negative stock
and any payment without an order, and nothing downstream runs on a ledger that does not
balance. The shop never audits its own ledger here; the lake's copy is replayed.
"""

from typing import Any

import dagster as dg
import polars as pl

from assets.metadata import md_table
from assets.resources import PlatformResource
from models.registry import ModelRegistry, decide_promotion
from services.shop.lake_audit import audit_lake, sales_rank
from warehouse.parquet_io import publish_parquet

GROUP = "shop"
AUDIT_CHECK = "shop_ledger_balances"
RECS_GATE = "shop_also_bought_beats_popularity"
PROMOTE_WHEN_GATE_PASSED = (
    dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()
)


class SalesRankConfig(dg.Config):
    window_days: int = 7
    top: int = 10


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest", "shop_ledger_audit"],
    kinds={"duckdb", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
)
def shop_sales_rank(config: SalesRankConfig, platform: PlatformResource) -> dg.MaterializeResult:
    """The best sellers of each category over the last ``window_days`` of placed orders."""
    ranked = sales_rank(platform.lake(), config.window_days, config.top)
    path = publish_parquet(
        ranked, platform.settings().lake_dir / "shop_sales_rank" / "data.parquet"
    )
    written = pl.read_parquet(path)
    meta: dict[str, Any] = {
        "dagster/row_count": written.height,
        "categories": written["category_id"].n_unique() if written.height else 0,
    }
    if written.height:
        meta["preview"] = md_table(written.head(15), list(written.columns))
    return dg.MaterializeResult(metadata=meta)


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"duckdb", "polars"},
    automation_condition=dg.AutomationCondition.on_cron("30 3 * * *"),
    check_specs=[
        dg.AssetCheckSpec(
            AUDIT_CHECK,
            asset="shop_ledger_audit",
            blocking=True,
            description="Replayed from the lake, every variant's stock stays conserved and "
            "non-negative at every ledger step, and every captured payment has its order.",
        )
    ],
)
def shop_ledger_audit(platform: PlatformResource) -> dg.MaterializeResult:
    """The daily inventory-ledger audit over the lake's stock and payment events."""
    result = audit_lake(platform.lake())
    totals = {
        "ledger_rows": result.ledger_rows,
        "stock_rows": result.stock_rows,
        "payments": result.payments,
        "violations": len(result.violations),
    }
    return dg.MaterializeResult(
        metadata={"dagster/row_count": result.ledger_rows, **totals},
        check_results=[
            dg.AssetCheckResult(
                check_name=AUDIT_CHECK,
                passed=result.passed,
                metadata={**totals, "first_violations": "\n".join(result.violations[:10])},
                description=None if result.passed else result.violations[0],
            )
        ],
    )


class AlsoBoughtConfig(dg.Config):
    tune: bool = False  # choose parameters on an inner time split (slow) or use defaults
    min_ratio: float = 1.0  # recall@10 must reach popularity's times this
    margin: float = 0.0  # and production's recall plus this


@dg.asset(
    group_name=GROUP,
    kinds={"implicit", "numpy"},
    automation_condition=dg.AutomationCondition.on_cron("15 4 * * *"),
    check_specs=[
        dg.AssetCheckSpec(
            RECS_GATE,
            asset="shop_also_bought",
            blocking=True,
            description="Recall@10 on each customer's last order (trained before it) reaches "
            "popularity's in the same run, and production's.",
        )
    ],
)
def shop_also_bought(config: AlsoBoughtConfig, platform: PlatformResource):
    """ALS + co-purchase "also bought" on the real orders: evaluated on each customer's last
    order, then trained on every order and saved as a registry version."""
    from models import also_bought as ab

    registry = ModelRegistry(platform.settings().models_dir)
    try:
        lines = ab.load_order_lines(ab.data_path())
    except FileNotFoundError as exc:
        note = f"not trained: {exc}"
        yield dg.Output(
            {"version": None, "promote": False, "reason": note}, metadata={"note": note}
        )
        yield dg.AssetCheckResult(
            check_name=RECS_GATE, passed=False, metadata={"note": note}, description=note
        )
        return
    ev = (
        ab.evaluate_last_order(lines, k=10)
        if config.tune
        else ab.evaluate_last_order(lines, k=10, **ab.DEFAULTS)
    )
    model = ab.train(lines, **ev["params"])
    metrics = {k: ev[k] for k in ("recall_model", "recall_popularity", "ratio", "customers")}
    version = ab.save(model, registry, metrics)
    prod = registry.production(ab.NAME)
    prod_recall = registry.meta(ab.NAME, prod)["metrics"]["recall_model"] if prod else None
    gate = decide_promotion("recall_model", ev["recall_model"], prod_recall, config.margin)
    beats_popularity = ev["recall_model"] >= ev["recall_popularity"] * config.min_ratio
    promote = gate.promote and beats_popularity
    reason = (
        gate.reason
        if beats_popularity
        else (
            f"recall@10 {ev['recall_model']:.4f} below popularity {ev['recall_popularity']:.4f}"
            f" x {config.min_ratio}"
        )
    )
    yield dg.Output(
        {"version": version, "promote": promote, "reason": reason},
        metadata={**metrics, "version": version, "products": model.n_items},
    )
    yield dg.AssetCheckResult(
        check_name=RECS_GATE,
        passed=promote,
        metadata={**metrics, "production_recall": prod_recall or 0.0},
        description=reason,
    )


@dg.asset(group_name=GROUP, kinds={"python"}, automation_condition=PROMOTE_WHEN_GATE_PASSED)
def shop_also_bought_promoted(
    platform: PlatformResource, shop_also_bought: dict
) -> dg.MaterializeResult:
    """The production pointer moves to the candidate (only when the gate passed); the shop
    service notices the new ``stages.json`` and swaps the model in."""
    if not shop_also_bought["promote"]:
        raise dg.Failure(f"also-bought gate refused promotion: {shop_also_bought['reason']}")
    registry = ModelRegistry(platform.settings().models_dir)
    stages = registry.promote(
        "also_bought", shop_also_bought["version"], shop_also_bought["reason"]
    )
    return dg.MaterializeResult(
        metadata={"production": stages["production"], "previous": str(stages["previous"])}
    )


defs = dg.Definitions(
    assets=[shop_ledger_audit, shop_sales_rank, shop_also_bought, shop_also_bought_promoted]
)
