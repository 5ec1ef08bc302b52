"""Confirmed bookings get places (rooms, seats) for their whole stay; overlapping stays never
share one, on SQLite (a trigger) and PostgreSQL (an exclusion constraint), even when a write
skips the service; cancelling frees them and a change of dates moves them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from services.booking import rooms
from services.booking.settings import BookingSettings
from services.booking.system import build
from tests.services.booking.conftest import seed_hotel


def _places(svc, res_id: str) -> list[int]:
    with svc.engine.connect() as conn:
        return rooms.places(conn, res_id)


def _day(svc, n: int):
    return svc.today() + timedelta(days=n)


def check_places(svc) -> None:
    unit = seed_hotel(svc, rooms=3, prefix="r1")
    a = svc.confirm("ann", svc.hold("ann", unit, _day(svc, 2), _day(svc, 5), 2)["id"])
    b = svc.confirm("bob", svc.hold("bob", unit, _day(svc, 4), _day(svc, 6), 2, qty=2)["id"])
    c = svc.confirm("cat", svc.hold("cat", unit, _day(svc, 5), _day(svc, 7), 1)["id"])
    assert _places(svc, a["id"]) == [1]
    assert _places(svc, b["id"]) == [2, 3]  # overlaps a's last night
    assert _places(svc, c["id"]) == [1]  # a has left by then

    with pytest.raises(IntegrityError), svc.engine.begin() as conn:  # the database refuses
        conn.execute(
            insert(rooms.room_stays).values(
                reservation_id=c["id"],
                place=2,
                unit_id=unit,
                first_day=_day(svc, 5).toordinal(),
                end_day=_day(svc, 6).toordinal(),
            )
        )

    svc.cancel("bob", b["id"])
    assert _places(svc, b["id"]) == []
    moved = svc.change("ann", a["id"], _day(svc, 5), _day(svc, 8))
    assert moved["status"] == "confirmed"
    assert _places(svc, a["id"]) == [2]  # 1 is cat's on night 5; 2 is free again
    held = svc.hold("dan", unit, _day(svc, 20), _day(svc, 21), 1)
    assert _places(svc, held["id"]) == []  # a hold has no place until it is confirmed


def test_places_never_overlap_and_follow_cancels_and_changes_on_sqlite(svc):
    check_places(svc)


@pytest.mark.servers
def test_places_never_overlap_on_postgresql_by_an_exclusion_constraint(pg_settings, emitter):
    svc = build(pg_settings, emitter, conf=BookingSettings())
    try:
        assert svc.engine.dialect.name == "postgresql"
        check_places(svc)
    finally:
        svc.close()
