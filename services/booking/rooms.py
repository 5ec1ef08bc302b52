"""Which room (or seat) a booking gets: places numbered 1..total of its unit, assigned when it
is confirmed, for the whole stay.

The count (``booking_inventory.available``, moved only by conditional updates) already makes
overbooking impossible. The assignment is the second guard: two stays in one place can never
overlap, whatever the code does. On PostgreSQL an exclusion constraint says so
(``EXCLUDE USING gist (unit_id WITH =, place WITH =, int4range(first_day, end_day) WITH &&)``,
with ``btree_gist``); on SQLite a trigger refuses an overlapping row. Both are tested by
writing an overlap directly.

Assignment runs in the confirming transaction. On PostgreSQL two confirms may pick the same
free place at once: the loser's insert hits the constraint (or, when both inserted at once,
the deadlock detector) inside a savepoint and it picks again. A stay that no single place can
hold for every night (the free places differ night to night) is left unassigned, to be
assigned at check-in; the count still holds.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

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
    bindparam,
    delete,
    event,
    func,
    insert,
    literal,
    select,
    union,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.sql import Select

from services.booking.store import inventory, metadata

log = logging.getLogger(__name__)
ATTEMPTS = 5
DEADLOCK = "40P01"  # PostgreSQL's deadlock_detected

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

_insert_stays = insert(room_stays)


def _overlapping() -> Any:
    """Stays of the unit on any night of ``[first, end)`` (parameters ``unit``, ``first``,
    ``end``). Two of them may share a place on different nights of a longer stay."""
    s = room_stays.c
    return and_(
        s.unit_id == bindparam("unit"),
        s.first_day < bindparam("end"),
        s.end_day > bindparam("first"),
    )


def _places_on_sale() -> Any:
    """The unit's places on sale every night of the stay: the smallest count of those nights."""
    inv = inventory.c
    return (
        select(func.min(inv.total))
        .where(
            and_(
                inv.unit_id == bindparam("unit"),
                inv.day >= bindparam("first"),
                inv.day < bindparam("end"),
            )
        )
        .scalar_subquery()
    )


# How many distinct places are taken on the stay's nights, the highest of them, and how many
# there are: when the taken ones are exactly 1..n (no gaps: nobody cancelled or left early),
# the first free places follow n, and one pass over the index says so.
_occupancy = select(
    func.count(room_stays.c.place.distinct()),
    func.coalesce(func.max(room_stays.c.place), 0),
    _places_on_sale(),
).where(_overlapping())


@functools.cache
def _free_places(qty: int) -> Select:
    """The first ``qty`` places of a unit free on every night of ``[first, end)``, lowest
    first, in one statement, for when the taken places have gaps.

    Every free place lies in a run of free places that starts at 1 or right after a taken
    place, and among the first ``qty`` free places none is more than ``qty - 1`` past the
    start of its run: so the candidates are ``1..qty`` and ``t+1..t+qty`` for each taken
    ``t``, and the database checks those instead of the client listing every place of the
    unit and every stay on those nights."""
    taken = select(room_stays.c.place.label("place")).where(_overlapping()).cte("taken")
    starts = [select(literal(k, Integer).label("p")) for k in range(1, qty + 1)]
    starts += [select((taken.c.place + k).label("p")) for k in range(1, qty + 1)]
    candidates = union(*starts).subquery("candidates")
    return (
        select(candidates.c.p)
        .where(
            and_(
                candidates.c.p <= _places_on_sale(),
                candidates.c.p.not_in(select(taken.c.place)),
            )
        )
        .order_by(candidates.c.p)
        .limit(qty)
    )


def first_free(conn: Connection, unit_id: str, first_day: int, end: int, qty: int) -> list[int]:
    """The lowest ``qty`` places of the unit free on every night of ``[first_day, end)``, or
    ``[]`` when there are not that many."""
    params = {"unit": unit_id, "first": first_day, "end": end}
    taken, top, on_sale = conn.execute(_occupancy, params).one()
    if taken == top:  # the taken places are 1..top
        return list(range(top + 1, top + qty + 1)) if top + qty <= (on_sale or 0) else []
    free = list(conn.execute(_free_places(qty), params).scalars())
    return free if len(free) == qty else []


def assign(
    conn: Connection, res_id: str, unit_id: str, first_day: int, nights: int, qty: int
) -> list[int]:
    """Give the reservation ``qty`` places free for every night of its stay; the places, or
    ``[]`` when no ``qty`` places are free for the whole stay (left for check-in)."""
    end = first_day + nights
    for _ in range(ATTEMPTS):
        free = first_free(conn, unit_id, first_day, end, qty)
        if not free:
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
            conn.execute(_insert_stays, rows)
            return free
        try:
            with conn.begin_nested():
                conn.execute(_insert_stays, rows)
        except IntegrityError:  # another confirm took one of them just now: look again
            continue
        except OperationalError as exc:
            # Two confirms inserting the same place at once each wait for the other's row
            # (an exclusion constraint is checked after the insert): PostgreSQL breaks the
            # deadlock by failing one, whose savepoint is rolled back; it looks again.
            if getattr(exc.orig, "sqlstate", None) != DEADLOCK:
                raise
            log.info("confirm of %s met another on the same place of %s; again", res_id, unit_id)
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
