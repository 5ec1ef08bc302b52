"""The transactions that move inventory: hold, convert, lapse, release, swap.

Each runs in one database transaction; inventory moves only through ``store.take`` and
``store.give`` (conditional updates checked by rows affected), and reservations change
state only through ``UPDATE ... WHERE status = <expected>``, so a confirm racing the
sweeper, or two cancels racing each other, cannot both win.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection, Engine

from services.booking import rules
from services.booking.store import give, inventory, reservations, take, units
from services.errors import Conflict, NotFound


class SoldOut(Conflict):
    """Not enough left on at least one day of the stay (409)."""


@dataclass(frozen=True)
class Stay:
    unit_id: str
    first_day: int
    nights: int
    qty: int
    guests: int
    plan: str


def new_id() -> str:
    return "r_" + secrets.token_hex(10)


def quote(conn: Connection, stay: Stay) -> tuple[dict[str, Any], int]:
    """The unit and the stay's price (cents, for all rooms or seats, on its plan)."""
    unit = conn.execute(select(units).where(units.c.id == stay.unit_id)).first()
    if unit is None:
        raise NotFound(f"no unit {stay.unit_id!r}")
    if stay.guests > unit.max_guests * stay.qty:
        raise rules.Invalid(
            f"{stay.guests} guests do not fit {stay.qty} x {unit.name} "
            f"(at most {unit.max_guests} each)"
        )
    inv = inventory.c
    rows = conn.execute(
        select(inv.day, inv.price_cents).where(
            and_(
                inv.unit_id == stay.unit_id,
                inv.day >= stay.first_day,
                inv.day < stay.first_day + stay.nights,
            )
        )
    ).all()
    if len(rows) != stay.nights:
        raise SoldOut(f"{stay.unit_id} is not on sale for every night of the stay")
    base = sum(r.price_cents for r in rows) * stay.qty
    return dict(unit._mapping), rules.plan_amount(stay.plan, base)


def place_hold(
    engine: Engine, owner: str, stay: Stay, now: float, ttl_s: float, currency: str
) -> dict[str, Any]:
    """Take the inventory of every night and record the hold, or take nothing."""
    with engine.begin() as conn:
        unit, amount = quote(conn, stay)
        for day in range(stay.first_day, stay.first_day + stay.nights):
            if not take(conn, stay.unit_id, day, stay.qty):
                raise SoldOut(f"{unit['name']} is sold out on at least one night of the stay")
        row = {
            "id": new_id(),
            "owner": owner,
            "unit_id": stay.unit_id,
            "first_day": stay.first_day,
            "nights": stay.nights,
            "qty": stay.qty,
            "guests": stay.guests,
            "plan": stay.plan,
            "amount_cents": amount,
            "currency": currency,
            "status": "held",
            "expires_at": now + ttl_s,
            "created_at": now,
            "pay_attempt": 0,
            "refund_cents": 0,
            "notified": False,
        }
        conn.execute(insert(reservations).values(**row))
    return row


def release_inventory(conn: Connection, row: Any) -> None:
    for day in range(row.first_day, row.first_day + row.nights):
        give(conn, row.unit_id, day, row.qty)


def lapse_expired(engine: Engine, now: float, limit: int = 500) -> list[dict[str, Any]]:
    """Lapse holds past their expiry and give their inventory back; returns them."""
    r = reservations.c
    with engine.connect() as conn:
        due = conn.execute(
            select(r.id)
            .where(and_(r.status == "held", r.expires_at <= now))
            .order_by(r.expires_at)
            .limit(limit)
        ).all()
    lapsed = []
    for (res_id,) in due:
        with engine.begin() as conn:
            done = conn.execute(
                update(reservations)
                .where(and_(r.id == res_id, r.status == "held", r.expires_at <= now))
                .values(status="lapsed")
            ).rowcount
            if done:
                row = conn.execute(select(reservations).where(r.id == res_id)).one()
                release_inventory(conn, row)
                lapsed.append(dict(row._mapping))
    return lapsed


def convert(engine: Engine, res_id: str, intent_id: str, now: float) -> bool:
    """Held and unexpired -> confirmed (authorised payment recorded), or False: it lapsed."""
    r = reservations.c
    with engine.begin() as conn:
        return (
            conn.execute(
                update(reservations)
                .where(and_(r.id == res_id, r.status == "held", r.expires_at > now))
                .values(
                    status="confirmed",
                    confirmed_at=now,
                    intent_id=intent_id,
                    pay_state="authorized",
                )
            ).rowcount
            == 1
        )


def release_hold(engine: Engine, res_id: str, now: float) -> bool:
    """A held reservation given up by its owner: released, inventory back."""
    r = reservations.c
    with engine.begin() as conn:
        done = conn.execute(
            update(reservations)
            .where(and_(r.id == res_id, r.status == "held"))
            .values(status="released", cancelled_at=now)
        ).rowcount
        if done:
            release_inventory(conn, conn.execute(select(reservations).where(r.id == res_id)).one())
        return bool(done)


def cancel_confirmed(engine: Engine, res_id: str, refund: int, now: float) -> bool:
    """Confirmed -> cancelled, inventory back, the refund recorded for the payment step."""
    r = reservations.c
    with engine.begin() as conn:
        row = conn.execute(select(reservations).where(r.id == res_id)).one()
        pay_next = {"captured": "refunding", "authorized": "voiding"}.get(row.pay_state)
        if row.pay_state == "captured" and refund == 0:
            pay_next = "captured"
        done = conn.execute(
            update(reservations)
            .where(and_(r.id == res_id, r.status == "confirmed", r.pay_state == row.pay_state))
            .values(
                status="cancelled",
                cancelled_at=now,
                refund_cents=refund if row.pay_state == "captured" else 0,
                pay_state=pay_next or row.pay_state,
            )
        ).rowcount
        if done:
            release_inventory(conn, row)
        return bool(done)


def set_pay_state(
    engine: Engine, res_id: str, expected: tuple[str | None, ...], new: str, **values: Any
) -> bool:
    """Move the payment state from one of ``expected`` to ``new`` (compare-and-set)."""
    r = reservations.c
    known = [s for s in expected if s is not None]
    cond = r.pay_state.in_(known)
    if None in expected:
        cond = cond | r.pay_state.is_(None)
    with engine.begin() as conn:
        return (
            conn.execute(
                update(reservations)
                .where(and_(r.id == res_id, cond))
                .values(pay_state=new, **values)
            ).rowcount
            == 1
        )
