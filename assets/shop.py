"""Shop assets (system 15): sales rank per category over a sliding window, and the daily
inventory-ledger audit, both from the lake's events alone.

The audit's check is blocking: it fails on any conservation violation, any negative stock
and any payment without an order, and nothing downstream runs on a ledger that does not
balance. The shop never audits its own ledger here; the lake's copy is replayed.
"""

from typing import Any

import dagster as dg
import polars as pl

from assets.metadata import md_table
from assets.resources import PlatformResource
from services.shop.lake_audit import audit_lake, sales_rank
from warehouse.parquet_io import publish_parquet

GROUP = "shop"
AUDIT_CHECK = "shop_ledger_balances"


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


defs = dg.Definitions(assets=[shop_ledger_audit, shop_sales_rank])
