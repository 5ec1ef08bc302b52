"""Which room (or seat) a booking gets: places numbered 1..total of its unit, assigned when it
is confirmed, for the whole stay.

The count (``booking_inventory.available``, moved only by conditional updates) already makes
overbooking impossible. The assignment is the second guard: two stays in one place can never
overlap, whatever the code does. On PostgreSQL an exclusion constraint says so
(``EXCLUDE USING gist (unit_id WITH =, place WITH =, int4range(first_day, end_day) WITH &&)``,
with ``btree_gist``); on SQLite a trigger refuses an overlapping row. Both are tested by
writing an overlap directly.

Assignment runs in the confirming transaction. On PostgreSQL two confirms may pick the same
free place at once: the loser's insert hits the constraint inside a savepoint and it picks
again. A stay that no single place can hold for every night (the free places differ night to
night) is left unassigned, to be assigned at check-in; the count still holds.
"""

from __future__ import annotations

import logging

from sqlalchemy import (
    DDL,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    and_,
    delete,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from services.booking.store import inventory, metadata

log = logging.getLogger(__name__)
ATTEMPTS = 5

room_stays = Table(
    "booking_room_stays",
    metadata,
    Column("reservation_id", String(40), ForeignKey("booking_reservations.id"), primary_key=True),
    Column("place", Integer, primary_key=True),
    Column("unit_id", String(96), ForeignKey("booking_units.id"), nullable=False),
    Column("first_day", Integer, nullable=False),
    Column("end_day", Integer, nullable=False),
    CheckConstraint("end_day > first_day AND place > 0", name="ck_booking_room_stay"),
    Index("ix_booking_room_stays_unit", "unit_id", "place", "first_day"),
)

event.listen(
    metadata,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"),
)
event.listen(
    room_stays,
    "after_create",
    DDL(
        "ALTER TABLE booking_room_stays ADD CONSTRAINT ex_booking_room_stays_overlap "
        "EXCLUDE USING gist (unit_id WITH =, place WITH =, int4range(first_day, end_day) WITH &&)"
    ).execute_if(dialect="postgresql"),
)
event.listen(
    room_stays,
    "after_create",
    DDL(
        "CREATE TRIGGER tr_booking_room_stays_overlap BEFORE INSERT ON booking_room_stays "
        "WHEN EXISTS (SELECT 1 FROM booking_room_stays s WHERE s.unit_id = NEW.unit_id "
        "AND s.place = NEW.place AND s.first_day < NEW.end_day AND NEW.first_day < s.end_day) "
        "BEGIN SELECT RAISE(ABORT, 'ex_booking_room_stays_overlap: the place is taken on "
        "those nights'); END"
    ).execute_if(dialect="sqlite"),
)


def assign(
    conn: Connection, res_id: str, unit_id: str, first_day: int, nights: int, qty: int
) -> list[int]:
    """Give the reservation ``qty`` places free for every night of its stay; the places, or
    ``[]`` when no ``qty`` places are free for the whole stay (left for check-in)."""
    end = first_day + nights
    s, inv = room_stays.c, inventory.c
    total = conn.execute(
        select(func.min(inv.total)).where(
            and_(inv.unit_id == unit_id, inv.day >= first_day, inv.day < end)
        )
    ).scalar()
    for _ in range(ATTEMPTS):
        taken = set(
            conn.execute(
                select(s.place).where(
                    and_(s.unit_id == unit_id, s.first_day < end, s.end_day > first_day)
                )
            ).scalars()
        )
        free = [p for p in range(1, (total or 0) + 1) if p not in taken][:qty]
        if len(free) < qty:
            log.info("no %d place(s) of %s free for the whole stay of %s", qty, unit_id, res_id)
            return []
        rows = [
            {
                "reservation_id": res_id,
                "place": p,
                "unit_id": unit_id,
                "first_day": first_day,
                "end_day": end,
            }
            for p in free
        ]
        if conn.dialect.name == "sqlite":  # writers are serialised: nobody can race us
            conn.execute(insert(room_stays), rows)
            return free
        try:
            with conn.begin_nested():
                conn.execute(insert(room_stays), rows)
        except IntegrityError:  # another confirm took one of them just now: look again
            continue
        return free
    return []


def unassign(conn: Connection, res_id: str) -> None:
    """The reservation's places are free again (cancelled, or moved to other dates)."""
    conn.execute(delete(room_stays).where(room_stays.c.reservation_id == res_id))


def places(conn: Connection, res_id: str) -> list[int]:
    return list(
        conn.execute(
            select(room_stays.c.place)
            .where(room_stays.c.reservation_id == res_id)
            .order_by(room_stays.c.place)
        ).scalars()
    )
