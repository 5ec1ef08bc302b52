"""Many clients race for the last rooms of a night and the last seats of a flight, on SQLite
and on PostgreSQL: exactly as many win as there is inventory, and each winner pays once."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from services.booking.settings import BookingSettings
from services.booking.system import build
from services.errors import Conflict

CLIENTS = 200
LAST = 5
RACES = int(os.environ.get("BOOKING_RACES", "5"))  # the benchmark runs 20


def race(svc, unit: str, day, clients: int = CLIENTS) -> list[str]:
    """``clients`` threads released together; each holds one and, if it got it, confirms."""
    barrier = threading.Barrier(clients)

    def client(i: int) -> str | None:
        barrier.wait()
        try:
            held = svc.hold(f"u{i}", unit, day, day + timedelta(days=1), 1)
        except Conflict:
            return None
        return svc.confirm(f"u{i}", held["id"])["id"]

    with ThreadPoolExecutor(clients) as pool:
        return [r for r in pool.map(client, range(clients)) if r is not None]


def seed(svc, days: int) -> None:
    today = svc.today()
    svc.add_property("hx", "Last Rooms Inn", "Faro")
    svc.add_unit("hx-dbl", "room", "Double", 2, property_id="hx")
    svc.add_unit("TP-LIS-OPO-1:economy", "seat", "TP LIS-OPO economy", 1, place="LIS-OPO")
    for unit in ("hx-dbl", "TP-LIS-OPO-1:economy"):
        svc.set_inventory(
            unit, today + timedelta(days=1), today + timedelta(days=days + 1), LAST, 5000
        )


def check_races(svc) -> None:
    seed(svc, RACES)
    for r in range(RACES):
        day = svc.today() + timedelta(days=r + 1)
        for unit in ("hx-dbl", "TP-LIS-OPO-1:economy"):
            winners = race(svc, unit, day)
            assert len(winners) == LAST, (unit, r, len(winners))
            assert svc.calendar(unit, day, day + timedelta(days=1))[0]["available"] == 0
            charges = svc.local_gateway.charges_by("booking")
            assert all(charges[w] == 1 for w in winners)
    assert svc.oversold() == 0
    assert len(svc.local_gateway.charges_by("booking")) == 2 * LAST * RACES


def test_races_on_sqlite_have_exactly_five_winners(settings, emitter):
    svc = build(settings, emitter, conf=BookingSettings())
    try:
        check_races(svc)
    finally:
        svc.close()


@pytest.mark.servers
def test_races_on_postgresql_have_exactly_five_winners(pg_settings, emitter):
    svc = build(pg_settings, emitter, conf=BookingSettings())
    try:
        assert svc.engine.dialect.name == "postgresql"
        check_races(svc)
    finally:
        svc.close()


def test_the_database_itself_refuses_an_overbooking_write(svc, room):
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    from services.booking.store import inventory

    with pytest.raises(IntegrityError), svc.engine.begin() as conn:
        conn.execute(update(inventory).where(inventory.c.unit_id == room).values(available=-1))
