"""The transactions that move inventory: hold, convert, lapse, release, swap.

Each runs in one database transaction; inventory moves only through ``store.take_stay`` and
``store.give`` (conditional updates checked by rows affected), and reservations change
state only through ``UPDATE ... WHERE status = <expected>``, so a confirm racing the
sweeper, or two cancels racing each other, cannot both win.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from services.booking import rooms, rules
from services.booking.store import give, inventory, reservations, take_stay, units
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


def fits(unit: Any, stay: Stay) -> None:
    """The party fits the rooms or seats asked for (``rules.Invalid`` otherwise)."""
    if stay.guests > unit["max_guests"] * stay.qty:
        raise rules.Invalid(
            f"{stay.guests} guests do not fit {stay.qty} x {unit['name']} "
            f"(at most {unit['max_guests']} each)"
        )


def load_unit(conn: Connection, unit_id: str) -> dict[str, Any]:
    unit = conn.execute(select(units).where(units.c.id == unit_id)).first()
    if unit is None:
        raise NotFound(f"no unit {unit_id!r}")
    return dict(unit._mapping)


def place_hold(
    engine: Engine,
    owner: str,
    stay: Stay,
    now: float,
    ttl_s: float,
    currency: str,
    unit: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Take the inventory of every night and record the hold, or take nothing.

    One transaction of two statements: the conditional UPDATE over the stay's nights (which
    also reads their prices, so the price is the one of the inventory taken) and the INSERT of
    the reservation. ``unit`` is the unit's row when the caller has it (units never change).
    """
    with engine.begin() as conn:
        if unit is None:
            unit = load_unit(conn, stay.unit_id)
        fits(unit, stay)
        prices = take_stay(conn, stay.unit_id, stay.first_day, stay.nights, stay.qty)
        if prices is None:
            on_sale = conn.execute(
                select(func.count()).where(
                    and_(
                        inventory.c.unit_id == stay.unit_id,
                        inventory.c.day >= stay.first_day,
                        inventory.c.day < stay.first_day + stay.nights,
                    )
                )
            ).scalar_one()
            if on_sale != stay.nights:
                raise SoldOut(f"{stay.unit_id} is not on sale for every night of the stay")
            raise SoldOut(f"{unit['name']} is sold out on at least one night of the stay")
        amount = rules.plan_amount(stay.plan, sum(prices) * stay.qty)
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
            "confirmed_at": None,
            "cancelled_at": None,
            "pay_state": None,
            "pay_attempt": 0,
            "intent_id": None,
            "refund_cents": 0,
            "replaced_by": None,
            "notified": False,
        }
        conn.execute(_insert_reservation, row)
    return row


def release_inventory(conn: Connection, row: Any) -> None:
    """Give back the reservation's nights and free any places assigned to it."""
    for day in range(row.first_day, row.first_day + row.nights):
        give(conn, row.unit_id, day, row.qty)
    if row.status == "confirmed":
        rooms.unassign(conn, row.id)


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


_r = reservations.c
_insert_reservation = insert(reservations)
_convert = (
    update(reservations)
    .where(and_(_r.id == bindparam("rid"), _r.status == "held", _r.expires_at > bindparam("now")))
    .values(
        status="confirmed",
        confirmed_at=bindparam("now"),
        intent_id=bindparam("intent"),
        pay_state="authorized",
    )
    .returning(_r.unit_id, _r.first_day, _r.nights, _r.qty)
)
# Held, unexpired, owned by the caller and not paid or being paid otherwise: the payment may
# start (or start again after a decline: a new attempt, so a new gateway key).
_begin_payment = (
    update(reservations)
    .where(
        and_(
            _r.id == bindparam("rid"),
            _r.owner == bindparam("who"),
            _r.status == "held",
            _r.expires_at > bindparam("now"),
            or_(_r.pay_state.is_(None), _r.pay_state.in_(["authorizing", "declined"])),
        )
    )
    .values(
        pay_state="authorizing",
        pay_attempt=_r.pay_attempt + case((_r.pay_state == "declined", 1), else_=0),
    )
    .returning(*reservations.c)
)
_captured = (
    update(reservations)
    .where(and_(_r.id == bindparam("rid"), _r.pay_state == "authorized"))
    .values(pay_state="captured")
    .returning(*reservations.c)
)


def begin_payment(engine: Engine, res_id: str, owner: str, now: float) -> Any:
    """``pay_state = authorizing`` on the owner's live hold, in one statement that also reads
    it; the row (with the attempt to pay under), or None when the hold is not in that state."""
    with engine.begin() as conn:
        return conn.execute(_begin_payment, {"rid": res_id, "who": owner, "now": now}).first()


def convert(engine: Engine, res_id: str, intent_id: str, now: float) -> bool:
    """Held and unexpired -> confirmed (authorised payment recorded) with its places
    assigned, or False: it lapsed."""
    with engine.begin() as conn:
        row = conn.execute(_convert, {"rid": res_id, "now": now, "intent": intent_id}).first()
        if row is None:
            return False
        rooms.assign(conn, res_id, row.unit_id, row.first_day, row.nights, row.qty)
        return True


def record_capture(engine: Engine, res_id: str) -> Any:
    """authorized -> captured; the reservation's row, or None when it was not authorized."""
    with engine.begin() as conn:
        return conn.execute(_captured, {"rid": res_id}).first()


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
        if row.pay_state == "changing":  # a change's payment is not settled yet
            return False
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
