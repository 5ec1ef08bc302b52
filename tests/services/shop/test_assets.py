"""The shop's assets over a lake the shop filled: the blocking ledger audit passes on the
real ledger and fails on a forged one; the sales rank ranks per category."""

from __future__ import annotations

import dagster as dg
import polars as pl

from assets.resources import PlatformResource
from assets.shop import AUDIT_CHECK, shop_ledger_audit, shop_sales_rank
from services.shop.lake_audit import audit_frames
from tests.services.shop.conftest import seed
from warehouse.ingest import ingest_spool


def test_audit_passes_on_the_published_ledger_and_ranks_sales(svc, settings, emitter):
    v = seed(svc, units=20)
    for i, qty in enumerate([3, 1, 2]):
        svc.set_cart_line(f"u{i}", v, qty)
        order = svc.checkout(f"u{i}")
    svc.orders.act(order["id"], "cancel", "u2", frozenset({"customer"}))
    svc.publish()
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    platform = {"platform": PlatformResource(data_dir=str(settings.data_dir))}
    res = dg.materialize([shop_ledger_audit, shop_sales_rank], resources=platform)
    assert res.success
    [check] = res.get_asset_check_evaluations()
    assert check.check_name == AUDIT_CHECK and check.passed
    ranked = pl.read_parquet(settings.lake_dir / "shop_sales_rank" / "data.parquet")
    assert ranked.to_dicts()[0]["units"] == 6 and ranked.to_dicts()[0]["rank"] == 1


def test_audit_fails_on_oversale_negative_stock_and_payment_without_order():
    ledger = pl.DataFrame(
        [
            (1, 7, "uk-1", "receipt", 2),
            (2, 7, "uk-1", "reserve", 2),
            (3, 7, "uk-1", "sale", 2),
            (4, 7, "uk-1", "sale", 1),
            (5, 8, "uk-1", "return", 1),
        ],
        schema=["ledger_id", "variant_id", "warehouse_id", "kind", "qty"],
        orient="row",
    )
    payments = pl.DataFrame({"checkout_id": ["co_1", "co_2"], "order_id": ["o_1", "o_2"]})
    result = audit_frames(ledger, payments, pl.DataFrame({"order_id": ["o_1"]}))
    text = "\n".join(result.violations)
    assert not result.passed
    assert "ledger row 4" in text  # a sale beyond the reservation
    assert "variant 8" in text  # a return of what was never sold
    assert "co_2 has no order" in text
    clean = audit_frames(ledger.head(3), payments.head(1), pl.DataFrame({"order_id": ["o_1"]}))
    assert clean.passed
