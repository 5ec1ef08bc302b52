"""The inventory-ledger audit and the sales rank, computed from the lake's events alone.

The shop publishes every ledger row and order transition to the lake (``services.shop.
outbox``). The audit replays each variant's ledger per warehouse in ledger order and checks,
at every step, ``on_hand = received - sold + returned >= 0``, ``reserved >= 0`` and
``on_hand - reserved >= 0`` (a sale or release beyond what was reserved, or a return beyond
what was sold, shows up as one of these going negative), and that every captured payment
has its order. It trusts nothing the service reports about itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from warehouse.lake import Lake

LEDGER_SQL = """
SELECT DISTINCT
       TRY_CAST(attrs->>'ledger_id' AS BIGINT) AS ledger_id,
       TRY_CAST(attrs->>'variant_id' AS BIGINT) AS variant_id,
       attrs->>'warehouse_id' AS warehouse_id,
       replace(type, 'stock_', '') AS kind,
       TRY_CAST(attrs->>'qty' AS BIGINT) AS qty
FROM events WHERE system = 'shop' AND type LIKE 'stock_%'
"""
PAYMENTS_SQL = """
SELECT DISTINCT entity AS checkout_id, attrs->>'order_id' AS order_id
FROM events WHERE system = 'shop' AND type = 'payment_captured'
"""
ORDERS_SQL = """
SELECT DISTINCT entity AS order_id FROM events
WHERE system = 'shop' AND type = 'order_placed'
"""
PLACED_SQL = """
SELECT entity AS order_id, min(ts) AS ts, any_value(attrs) AS attrs FROM events
WHERE system = 'shop' AND type = 'order_placed' GROUP BY entity
"""


@dataclass
class AuditResult:
    violations: list[str] = field(default_factory=list)
    ledger_rows: int = 0
    stock_rows: int = 0
    payments: int = 0

    @property
    def passed(self) -> bool:
        return not self.violations


def _query(lake: Lake, sql: str) -> pl.DataFrame:
    return lake.query(sql) if "events" in lake.tables() else pl.DataFrame()


def audit_frames(ledger: pl.DataFrame, payments: pl.DataFrame, placed: pl.DataFrame) -> AuditResult:
    """The audit over ledger rows (ledger_id, variant_id, warehouse_id, kind, qty), captured
    payments (checkout_id, order_id) and placed orders (order_id)."""
    out = AuditResult(ledger_rows=ledger.height, payments=payments.height)
    if ledger.height:
        dup = ledger.group_by("ledger_id").len().filter(pl.col("len") > 1).height
        if dup:
            out.violations.append(f"{dup} ledger ids published with different contents")
        q = pl.col("qty")
        kind = pl.col("kind")
        steps = (
            ledger.unique("ledger_id")
            .sort("ledger_id")
            .with_columns(
                pl.when(kind.is_in(["receipt", "return"]))
                .then(q)
                .when(kind == "sale")
                .then(-q)
                .otherwise(0)
                .alias("d_on_hand"),
                pl.when(kind == "reserve")
                .then(q)
                .when(kind.is_in(["release", "sale"]))
                .then(-q)
                .otherwise(0)
                .alias("d_reserved"),
                pl.when(kind == "sale")
                .then(q)
                .when(kind == "return")
                .then(-q)
                .otherwise(0)
                .alias("d_outstanding"),
            )
            .with_columns(
                pl.col("d_on_hand").cum_sum().over("variant_id", "warehouse_id").alias("on_hand"),
                pl.col("d_reserved").cum_sum().over("variant_id", "warehouse_id").alias("reserved"),
                pl.col("d_outstanding")
                .cum_sum()
                .over("variant_id", "warehouse_id")
                .alias("sold_not_returned"),
            )
        )
        unknown = steps.filter(~kind.is_in(["receipt", "reserve", "release", "sale", "return"]))
        bad = steps.filter(
            (pl.col("on_hand") < 0)
            | (pl.col("reserved") < 0)
            | (pl.col("on_hand") - pl.col("reserved") < 0)
            | (pl.col("sold_not_returned") < 0)
            | (q <= 0)
        )
        for r in bad.head(20).iter_rows(named=True):
            out.violations.append(
                f"variant {r['variant_id']} at {r['warehouse_id']} after ledger row "
                f"{r['ledger_id']} ({r['kind']} {r['qty']}): on_hand {r['on_hand']}, reserved "
                f"{r['reserved']}, sold-not-returned {r['sold_not_returned']}"
            )
        if bad.height > 20:
            out.violations.append(f"... {bad.height - 20} more ledger violations")
        if unknown.height:
            out.violations.append(f"{unknown.height} ledger rows of unknown kind")
        out.stock_rows = steps.select("variant_id", "warehouse_id").unique().height
    if payments.height:
        known = set(placed["order_id"].to_list()) if placed.height else set()
        orphans = [c for c, o in payments.iter_rows() if o not in known]
        out.violations += [f"payment for checkout {c} has no order" for c in orphans[:20]]
        if len(orphans) > 20:
            out.violations.append(f"... {len(orphans) - 20} more payments without an order")
    return out


def audit_lake(lake: Lake) -> AuditResult:
    return audit_frames(
        _query(lake, LEDGER_SQL), _query(lake, PAYMENTS_SQL), _query(lake, ORDERS_SQL)
    )


def sales_rank(lake: Lake, window_days: int = 7, top: int = 10) -> pl.DataFrame:
    """Units sold per product within each category over the last ``window_days`` of placed
    orders (the window ends at the newest order), ranked 1.. per category."""
    placed = _query(lake, PLACED_SQL)
    schema = {
        "category_id": pl.Int64,
        "product_id": pl.Int64,
        "units": pl.Int64,
        "revenue": pl.Int64,
        "rank": pl.UInt32,
    }
    if not placed.height:
        return pl.DataFrame(schema=schema)
    end = placed["ts"].max()
    lines = (
        placed.filter(pl.col("ts") > end - pl.duration(days=window_days))
        .with_columns(
            pl.col("attrs")
            .str.json_decode(
                pl.Struct(
                    {
                        "lines": pl.List(
                            pl.Struct(
                                {
                                    "product_id": pl.Int64,
                                    "category_id": pl.Int64,
                                    "qty": pl.Int64,
                                    "unit_price": pl.Int64,
                                }
                            )
                        )
                    }
                )
            )
            .struct.field("lines")
            .alias("lines")
        )
        .explode("lines")
        .unnest("lines")
        .drop_nulls("product_id")
    )
    if not lines.height:
        return pl.DataFrame(schema=schema)
    return (
        lines.group_by("category_id", "product_id")
        .agg(
            pl.col("qty").sum().alias("units"),
            (pl.col("qty") * pl.col("unit_price")).sum().alias("revenue"),
        )
        .with_columns(
            pl.col("units")
            .rank("ordinal", descending=True)
            .over("category_id")
            .cast(pl.UInt32)
            .alias("rank")
        )
        .filter(pl.col("rank") <= top)
        .sort("category_id", "rank")
        .select(list(schema))
    )
