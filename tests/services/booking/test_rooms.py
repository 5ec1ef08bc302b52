"""Confirmed bookings get places (rooms, seats) for their whole stay; overlapping stays never
share one, on SQLite (a trigger) and PostgreSQL (an exclusion constraint), even when a write
skips the service; cancelling frees them and a change of dates moves them."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
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


def check_first_free_places(svc) -> None:
    """The one-statement search for free places (``rooms.assign``) finds what listing every
    place and every overlapping stay finds, for random stays, parties and place counts."""
    rng = random.Random(3)
    unit = seed_hotel(svc, rooms=12, prefix="ff")
    today = svc.today()
    s = rooms.room_stays.c
    placed: list[str] = []
    for i in range(200):
        start = today.toordinal() + rng.randint(0, 20)
        end = start + rng.randint(1, 6)
        qty = rng.randint(1, 4)
        with svc.engine.connect() as conn:
            stays = conn.execute(select(s.place, s.first_day, s.end_day).where(s.unit_id == unit))
            taken = {p for p, a, b in stays if a < end and b > start}
        expected = [p for p in range(1, 13) if p not in taken][:qty]
        # a reservation row for the stay to refer to; released at once (its places stay)
        res_id = svc.hold(f"u{i}", unit, today, today + timedelta(days=1), 1)["id"]
        svc.cancel(f"u{i}", res_id)
        with svc.engine.begin() as conn:
            got = rooms.assign(conn, res_id, unit, start, end - start, qty)
        assert got == (expected if len(expected) == qty else [])
        if got:
            placed.append(res_id)
        if placed and rng.random() < 0.4:  # guests leave: their places free up
            with svc.engine.begin() as conn:
                rooms.unassign(conn, placed.pop(rng.randrange(len(placed))))


def test_free_places_match_a_listing_of_every_place(svc):
    check_first_free_places(svc)


@pytest.mark.servers
def test_free_places_match_a_listing_of_every_place_on_postgresql(pg_settings, emitter):
    svc = build(pg_settings, emitter, conf=BookingSettings())
    try:
        check_first_free_places(svc)
    finally:
        svc.close()
