"""200 shoppers check out the last 50 units of one variant at once, on SQLite and on
PostgreSQL: exactly 50 orders, every other shopper a clear out-of-stock 409, each order paid
exactly once at the gateway, and the ledger balanced."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.errors import Conflict
from services.shop.settings import ShopSettings
from services.shop.system import build
from tests.services.shop.conftest import seed

SHOPPERS = 200
UNITS = 50
RACES = int(os.environ.get("SHOP_RACES", "2"))  # the benchmark runs 20


def race(svc, variant: int, tag: str) -> tuple[list[str], list[str]]:
    """``SHOPPERS`` threads released together, each buying one unit; (orders, refusals)."""
    for i in range(SHOPPERS):
        svc.set_cart_line(f"{tag}-{i}", variant, 1)
    barrier = threading.Barrier(SHOPPERS)

    def shopper(i: int) -> tuple[str | None, str | None]:
        barrier.wait()
        try:
            return svc.checkout(f"{tag}-{i}", key=f"{tag}-{i}")["id"], None
        except Conflict as exc:
            return None, exc.message

    with ThreadPoolExecutor(SHOPPERS) as pool:
        results = list(pool.map(shopper, range(SHOPPERS)))
    return [o for o, _ in results if o], [m for _, m in results if m]


def check_races(svc) -> None:
    for r in range(RACES):
        v = seed(svc, units=UNITS, code=f"race{r}")
        orders, refusals = race(svc, v, f"r{r}")
        assert len(orders) == UNITS, (r, len(orders), refusals[:3])
        assert len(refusals) == SHOPPERS - UNITS
        assert all("out of stock" in m for m in refusals)
        counts = svc.stock_of(v)
        assert counts["sold"] == UNITS and counts["available"] == 0 and counts["reserved"] == 0
    charges = svc.local_gateway.charges_by("checkout")
    assert len(charges) == UNITS * RACES and set(charges.values()) == {1}
    assert svc.audit() == []


def test_races_on_sqlite_sell_exactly_the_stock(settings, emitter):
    svc = build(settings, emitter, conf=ShopSettings(app_sweeper=False))
    try:
        check_races(svc)
    finally:
        svc.close()


@pytest.mark.servers
def test_races_on_postgresql_sell_exactly_the_stock(pg_settings, emitter):
    svc = build(pg_settings, emitter, conf=ShopSettings(app_sweeper=False))
    try:
        assert svc.engine.dialect.name == "postgresql"
        check_races(svc)
    finally:
        svc.close()
