"""A booking service on a fake clock with one hotel, and helpers to build more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.booking.settings import BookingSettings
from services.booking.system import build
from tests.fake_clock import FakeClock

START = datetime(2030, 3, 1, 12, tzinfo=UTC).timestamp()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def seed_hotel(svc, *, rooms: int = 5, price: int = 10_000, days: int = 60, prefix: str = "h1"):
    today = svc.today()
    svc.add_property(prefix, f"Hotel {prefix}", "Lisbon", "PT")
    svc.add_unit(f"{prefix}-dbl", "room", "Double", 2, property_id=prefix)
    svc.set_inventory(f"{prefix}-dbl", today, today + timedelta(days=days), rooms, price)
    return f"{prefix}-dbl"


@pytest.fixture
def svc(settings, emitter, clock):
    service = build(settings, emitter, conf=BookingSettings(hold_ttl_s=600), clock=clock)
    yield service
    service.close()


@pytest.fixture
def room(svc) -> str:
    return seed_hotel(svc)
