"""A shop on a fake clock with two warehouses, and helpers that seed generated products."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.shop.settings import ShopSettings
from services.shop.system import build
from tests.fake_clock import FakeClock

START = datetime(2030, 3, 1, 12, tzinfo=UTC).timestamp()


def seed(
    svc,
    *,
    seller: str = "acme",
    units: int = 50,
    price: int = 1250,
    code: str = "mug",
    split: tuple[int, int] | None = None,
    category=("Kitchen", "Mugs"),
    attrs=None,
) -> int:
    """One product with one variant; ``units`` in stock (split over two warehouses if asked)."""
    svc.add_warehouse("uk-1", "United Kingdom", 0)
    svc.add_warehouse("fr-1", "France", 1)
    product = svc.add_product(
        seller,
        code=code,
        title=f"Enamel {code}",
        description=f"A sturdy {code} for camping",
        category=list(category),
        attributes=attrs or {"colour": "blue", "capacity_ml": 350},
        variants_in=[{"sku": f"{code}-1", "price": price}],
    )
    vid = product["variants"][0]["id"]
    a, b = split or (units, 0)
    if a:
        svc.receive_stock(vid, "uk-1", a, seller, False)
    if b:
        svc.receive_stock(vid, "fr-1", b, seller, False)
    return vid


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def svc(settings, emitter, clock):
    service = build(
        settings, emitter, conf=ShopSettings(reservation_ttl_s=600, max_line_qty=20), clock=clock
    )
    yield service
    service.close()
