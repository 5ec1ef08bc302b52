"""The transactions that move trips and drivers: offer, release, accept, advance, cancel.

Each runs in one database transaction and changes a trip only through ``UPDATE ... WHERE
status = <expected>`` (checked by rows affected); a driver is reserved only by
``UPDATE rides_drivers SET trip_id = :trip WHERE id = :driver AND trip_id IS NULL``. The
reservation and the trip's driver are written in the same transaction, so a crash leaves
both or neither.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from services.rides.store import drivers, trips

#: The state machine: status -> the statuses it may move to, and who moves it.
MOVES = {
    "requested": {"accepted": "driver", "cancelled": "either"},
    "accepted": {"arriving": "driver", "cancelled": "either"},
    "arriving": {"in_progress": "driver", "cancelled": "either"},
    "in_progress": {"completed": "driver"},
    "completed": {},
    "cancelled": {},
}
STAMP = {
    "accepted": "accepted_at",
    "arriving": "arrived_at",
    "in_progress": "started_at",
    "completed": "ended_at",
    "cancelled": "ended_at",
}


class _Undo(Exception):
    """Roll the reservation back: the trip was no longer waiting for a driver."""


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(10)


def ensure_driver(engine: Engine, driver_id: str, now: float, online: bool = True) -> None:
    d = drivers.c
    with engine.begin() as conn:
        if conn.execute(
            update(drivers).where(d.id == driver_id).values(online=online, updated_at=now)
        ).rowcount:
            return
        try:
            conn.execute(
                insert(drivers).values(id=driver_id, online=online, trip_id=None, updated_at=now)
            )
        except IntegrityError:  # created by a racing first update
            conn.execute(
                update(drivers).where(d.id == driver_id).values(online=online, updated_at=now)
            )


#: ``offer``'s two conditional updates, built once: a match pays for the UPDATEs, not for
#: building them (their SQL is compiled once per engine either way).
_RESERVE = (
    update(drivers)
    .where(
        and_(
            drivers.c.id == bindparam("b_driver"),
            drivers.c.trip_id.is_(None),
            drivers.c.online.is_(True),
        )
    )
    .values(trip_id=bindparam("b_trip"))
)
_OFFER = (
    update(trips)
    .where(
        and_(
            trips.c.id == bindparam("b_trip"),
            trips.c.status == "requested",
            trips.c.driver_id.is_(None),
        )
    )
    .values(
        driver_id=bindparam("b_driver"),
        offered_at=bindparam("b_now"),
        offer_expires=bindparam("b_expires"),
        offers=trips.c.offers + 1,
        pickup_eta_s=bindparam("b_eta"),
    )
)


def offer(
    engine: Engine,
    trip_id: str,
    driver_id: str,
    now: float,
    timeout_s: float,
    eta_s: float | None = None,
) -> bool:
    """Reserve ``driver_id`` for ``trip_id`` and record the offer; False if either is taken."""
    args = {
        "b_driver": driver_id,
        "b_trip": trip_id,
        "b_now": now,
        "b_expires": now + timeout_s,
        "b_eta": eta_s,
    }
    try:
        with engine.begin() as conn:
            if conn.execute(_RESERVE, args).rowcount != 1:
                return False
            if conn.execute(_OFFER, args).rowcount != 1:
                raise _Undo
    except (IntegrityError, _Undo):  # the unique indexes: someone else won a race we did not see
        return False
    return True


def release(engine: Engine, trip_id: str, driver_id: str, why: str) -> bool:
    """Take back an open offer (declined, timed out, or its process died)."""
    d, t = drivers.c, trips.c
    with engine.begin() as conn:
        row = conn.execute(select(t.tried).where(t.id == trip_id)).first()
        if row is None:
            return False
        moved = conn.execute(
            update(trips)
            .where(and_(t.id == trip_id, t.status == "requested", t.driver_id == driver_id))
            .values(
                driver_id=None,
                offer_expires=None,
                tried=(row.tried + "," if row.tried else "") + driver_id,
            )
        ).rowcount
        if moved != 1:
            return False
        conn.execute(
            update(drivers)
            .where(and_(d.id == driver_id, d.trip_id == trip_id))
            .values(trip_id=None)
        )
    return True


def advance(
    engine: Engine,
    trip_id: str,
    expected: str,
    new: str,
    now: float,
    *,
    driver_id: str | None = None,
    extra: dict[str, Any] | None = None,
    free_driver: bool = False,
    then: Callable[[Connection], Any] | None = None,
) -> bool:
    """Move a trip ``expected -> new`` (and free its driver if asked, and run ``then``) in
    one transaction."""
    d, t = drivers.c, trips.c
    cond = [t.id == trip_id, t.status == expected]
    if driver_id is not None:
        cond.append(t.driver_id == driver_id)
    if expected == "requested" and new == "accepted":
        cond.append(t.offer_expires > now)
    with engine.begin() as conn:
        current = conn.execute(select(t.driver_id).where(and_(*cond))).first()
        if current is None:
            return False
        values = {"status": new, STAMP[new]: now, **(extra or {})}
        if conn.execute(update(trips).where(and_(*cond)).values(**values)).rowcount != 1:
            return False
        if free_driver and current.driver_id is not None:
            conn.execute(
                update(drivers)
                .where(and_(d.id == current.driver_id, d.trip_id == trip_id))
                .values(trip_id=None)
            )
        if then is not None:
            then(conn)
    return True


def set_pay(engine: Engine, trip_id: str, expected: tuple, new: str, **values: Any) -> bool:
    t = trips.c
    cond = t.pay_state.is_(None) if None in expected else t.pay_state.in_(expected)
    if None in expected and len(expected) > 1:
        cond = cond | t.pay_state.in_([e for e in expected if e is not None])
    with engine.begin() as conn:
        return (
            conn.execute(
                update(trips).where(and_(t.id == trip_id, cond)).values(pay_state=new, **values)
            ).rowcount
            == 1
        )
