"""Changing a booking's dates or party: a new stay taken and the old one given back in one
transaction, repriced, and the money moved exactly once.

The swap is one transaction: the old nights are given back and the new ones taken with the
conditional UPDATE (so a change may overlap its own nights even when they are sold out),
and the reservation is rewritten only if it is still in the state the change started from
(compare-and-set). If any new night is short the transaction rolls back and nothing moved.

A hold has nothing paid: the swap and the new price are all. A paid booking is charged again
for its new price on a payment of its own, and its old payment is refunded, each step under
a key derived from the change's id and recorded in ``booking_changes`` before it is made, so a
crash or a lost answer anywhere leaves a state that ``settle_change`` finishes by repeating
the same keyed call:

1. ``authorizing``: the new price is authorised (declined: the change fails, nothing moved).
2. The swap. It points the reservation at the new payment with ``pay_state = changing``
   (which cancellation refuses until the change is paid). Sold out: the new authorisation is
   voided (``voiding`` -> ``voided``) and the booking keeps its dates and payment.
3. ``capturing`` (set by the swap) -> capture the new payment -> ``refunding`` -> refund the
   old one in full -> ``settled``, and the reservation is ``captured`` on its new payment.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Engine

from services.booking import rooms, rules
from services.booking.holds import SoldOut, Stay, fits, release_inventory
from services.booking.store import changes, inventory, reservations, take_stay
from services.booking.views import SYSTEM, PaymentRequired, iso_day, view
from services.errors import Conflict, DomainError, Unavailable
from services.payments.adapter import CARD_OK, GatewayError, GatewayUnavailable, PaymentDeclined

if TYPE_CHECKING:
    from services.booking.service import BookingService


def reprice(conn: Any, stay: Stay) -> list[int] | None:
    """Take the stay's nights; their prices, or None when one is short (roll back)."""
    return take_stay(conn, stay.unit_id, stay.first_day, stay.nights, stay.qty)


def _on_sale(conn: Any, stay: Stay) -> int:
    inv = inventory.c
    return len(
        conn.execute(
            select(inv.day).where(
                and_(
                    inv.unit_id == stay.unit_id,
                    inv.day >= stay.first_day,
                    inv.day < stay.first_day + stay.nights,
                )
            )
        ).all()
    )


def swap(
    engine: Engine,
    row: Any,
    stay: Stay,
    amount_of: Any,
    values: dict[str, Any],
    expect: dict[str, Any],
    change_values: tuple[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Give back ``row``'s nights, take ``stay``'s, and rewrite the reservation with
    ``values`` plus the new stay and price (``amount_of(prices)``), all in one transaction,
    only if the reservation still matches ``expect``. Returns the new columns."""
    r = reservations.c
    with engine.begin() as conn:
        release_inventory(conn, row)
        prices = reprice(conn, stay)
        if prices is None:
            if _on_sale(conn, stay) != stay.nights:
                raise SoldOut(f"{stay.unit_id} is not on sale for every night of the new dates")
            raise SoldOut("the room is sold out on at least one night of the new dates")
        new = {
            "first_day": stay.first_day,
            "nights": stay.nights,
            "guests": stay.guests,
            "amount_cents": amount_of(prices),
            **values,
        }
        cond = [r.id == row.id] + [getattr(r, k) == v for k, v in expect.items()]
        if conn.execute(update(reservations).where(and_(*cond)).values(**new)).rowcount != 1:
            raise Conflict(f"reservation {row.id} changed meanwhile; look again")
        if row.status == "confirmed":  # its places move with it
            rooms.assign(conn, row.id, stay.unit_id, stay.first_day, stay.nights, stay.qty)
        if change_values is not None:
            change_id, more = change_values
            conn.execute(update(changes).where(changes.c.id == change_id).values(**more))
    return new


def record(engine: Engine, row: dict[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(insert(changes).values(**row))


def set_state(engine: Engine, change_id: str, expected: str, new: str, **values: Any) -> bool:
    """Move a change's payment state from ``expected`` to ``new`` (compare-and-set)."""
    c = changes.c
    with engine.begin() as conn:
        return (
            conn.execute(
                update(changes)
                .where(and_(c.id == change_id, c.pay_state == expected))
                .values(pay_state=new, **values)
            ).rowcount
            == 1
        )


def finish(engine: Engine, change_id: str, res_id: str) -> bool:
    """refunding -> settled, and the reservation paid (``captured``) on its new payment."""
    c, r = changes.c, reservations.c
    with engine.begin() as conn:
        done = conn.execute(
            update(changes)
            .where(and_(c.id == change_id, c.pay_state == "refunding"))
            .values(pay_state="settled")
        ).rowcount
        if done:
            conn.execute(
                update(reservations)
                .where(and_(r.id == res_id, r.pay_state == "changing"))
                .values(pay_state="captured")
            )
        return bool(done)


def load(engine: Engine, change_id: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(changes).where(changes.c.id == change_id)).one()


def unsettled(engine: Engine) -> list[str]:
    c = changes.c
    with engine.connect() as conn:
        return [
            row.id
            for row in conn.execute(
                select(c.id).where(
                    c.pay_state.in_(
                        ["authorizing", "authorized", "voiding", "capturing", "refunding"]
                    )
                )
            )
        ]


# -- the change itself, through the service's gateway ------------------------------------


def change_booking(
    svc: BookingService,
    owner: str,
    res_id: str,
    check_in: date,
    check_out: date,
    guests: int | None = None,
    payment_method: str = CARD_OK,
) -> dict[str, Any]:
    """New dates (and party) for a hold or a paid booking, atomically; a paid booking is
    charged its new price on a new payment and its old payment refunded, exactly once
    (``services.booking.changes``). Sold-out new dates change nothing (409)."""
    row = svc._own(owner, res_id)
    first, nights = rules.check_stay(check_in, check_out, svc.today())
    guests = row.guests if guests is None else guests
    rules.check_guests(guests, row.qty)
    stay = Stay(row.unit_id, first, nights, row.qty, guests, row.plan)
    unit = svc._unit(row.unit_id)
    if unit is not None:
        fits(unit, stay)
    now = svc.clock()
    if row.status == "held":
        if row.expires_at <= now:
            raise Conflict(f"hold {res_id} expired; it can no longer be changed")
        if row.pay_state not in (None, "declined"):
            raise Conflict("a payment for this hold is in progress; it cannot change now")
        swap(
            svc.engine,
            row,
            stay,
            lambda prices: rules.plan_amount(row.plan, sum(prices) * row.qty),
            {},
            {
                "status": "held",
                "pay_state": row.pay_state,
                "first_day": row.first_day,
                "nights": row.nights,
            },
        )
    elif row.status == "confirmed" and row.pay_state == "captured":
        _change_paid(svc, row, stay, payment_method, now)
    elif row.status == "confirmed":
        raise Conflict("this booking's payment is not settled yet; retry the change shortly")
    else:
        raise Conflict(f"reservation {res_id} is {row.status}; it cannot change")
    svc.live.publish({"unit_id": row.unit_id, "change": "changed"})
    done = svc._own(owner, res_id)
    svc.emitter.emit(
        SYSTEM,
        "changed",
        actor=owner,
        entity=res_id,
        attrs={
            "unit_id": row.unit_id,
            "from_first_day": iso_day(row.first_day),
            "from_nights": row.nights,
            "first_day": iso_day(done.first_day),
            "nights": done.nights,
            "amount_cents": done.amount_cents,
            "previous_amount_cents": row.amount_cents,
        },
    )
    return view(done, svc.clock())


def _change_paid(
    svc: BookingService, row: Any, stay: Stay, payment_method: str, now: float
) -> None:
    res_id = row.id
    with svc.read_engine.connect() as conn:
        quoted = conn.execute(
            select(func.count(), func.coalesce(func.sum(inventory.c.price_cents), 0)).where(
                and_(
                    inventory.c.unit_id == stay.unit_id,
                    inventory.c.day >= stay.first_day,
                    inventory.c.day < stay.first_day + stay.nights,
                )
            )
        ).one()
    if quoted[0] != stay.nights:
        raise SoldOut(f"{stay.unit_id} is not on sale for every night of the new dates")
    amount = rules.plan_amount(row.plan, int(quoted[1]) * row.qty)
    change_id = "c_" + secrets.token_hex(10)
    record(
        svc.engine,
        {
            "id": change_id,
            "reservation_id": res_id,
            "old_intent_id": row.intent_id,
            "new_intent_id": None,
            "amount_cents": amount,
            "pay_state": "authorizing",
            "created_at": now,
        },
    )
    try:
        intent = svc.gateway.authorize(
            amount,
            row.currency,
            idempotency_key=f"{change_id}:auth",
            payment_method=payment_method,
            metadata={"booking": res_id, "change": change_id},
        )
    except PaymentDeclined as exc:
        set_state(svc.engine, change_id, "authorizing", "declined")
        raise PaymentRequired(f"payment for the new dates declined: {exc}") from exc
    except GatewayUnavailable as exc:
        raise Unavailable(
            "the new payment's outcome is unknown; nothing changed (it will be voided)"
        ) from exc
    set_state(svc.engine, change_id, "authorizing", "authorized", new_intent_id=intent.id)

    def priced(prices: list[int]) -> int:
        now_amount = rules.plan_amount(row.plan, sum(prices) * row.qty)
        if now_amount != amount:
            raise Conflict("the price of the new dates changed meanwhile; look again")
        return amount

    try:
        swap(
            svc.engine,
            row,
            stay,
            priced,
            {"intent_id": intent.id, "pay_state": "changing"},
            {
                "status": "confirmed",
                "pay_state": "captured",
                "intent_id": row.intent_id,
                "first_day": row.first_day,
                "nights": row.nights,
            },
            (change_id, {"pay_state": "capturing"}),
        )
    except DomainError:
        settle_change(svc, change_id, force=True)  # voids the new authorisation
        raise
    svc.crash_hook("changed")
    settle_change(svc, change_id)


def settle_change(svc: BookingService, change_id: str, *, force: bool = False) -> str:
    """Drive one change's payment steps as far as the gateway answers; the state reached.
    A change still authorising, or authorised but not swapped, is left to its client for
    a minute (``force``: at once) and then voided."""
    ch = load(svc.engine, change_id)
    state = ch.pay_state
    fresh = svc.clock() - ch.created_at < 60 and not force
    try:
        if state == "authorizing" and not fresh:
            intent = svc.gateway.authorize(
                ch.amount_cents,
                svc.conf.currency,
                idempotency_key=f"{change_id}:auth",
                metadata={"booking": ch.reservation_id, "change": change_id},
            )
            set_state(svc.engine, change_id, "authorizing", "authorized", new_intent_id=intent.id)
            state = "authorized"
            ch = load(svc.engine, change_id)
        if state == "authorized" and not fresh:
            set_state(svc.engine, change_id, "authorized", "voiding")
            state = "voiding"
        if state == "voiding":
            _gateway_step(svc, svc.gateway.cancel, ch.new_intent_id, f"{change_id}:void")
            set_state(svc.engine, change_id, "voiding", "voided")
            state = "voided"
        if state == "capturing":
            _gateway_step(svc, svc.gateway.capture, ch.new_intent_id, f"{change_id}:capture")
            set_state(svc.engine, change_id, "capturing", "refunding")
            state = "refunding"
        if state == "refunding":
            _gateway_step(
                svc,
                lambda intent_id, idempotency_key: svc.gateway.refund(
                    intent_id, None, idempotency_key=idempotency_key
                ),
                ch.old_intent_id,
                f"{change_id}:refund",
            )
            finish(svc.engine, change_id, ch.reservation_id)
            state = "settled"
    except PaymentDeclined:
        set_state(svc.engine, change_id, "authorizing", "declined")
        return "declined"
    except GatewayUnavailable:
        pass  # the same keyed call is repeated by the next reconcile
    return state


def _gateway_step(svc: BookingService, call: Callable[..., Any], intent_id: str, key: str) -> None:
    """One keyed gateway call whose effect may already be there (a lost answer)."""
    try:
        call(intent_id, idempotency_key=key)
    except GatewayError as exc:
        if not any(s in str(exc) for s in ("canceled", "succeeded", "already refunded")):
            raise
