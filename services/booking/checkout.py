"""Paying for a hold and paying back: confirm, cancel, and settling what a crash or a lost
answer left half-way.

Confirm is the delicate step. Payment goes through the gateway adapter in two phases under
keys derived from the reservation (``<id>:auth:<attempt>``, ``<id>:capture``, ...), and the
reservation records each phase (``pay_state``) before and after, so any crash or lost answer
leaves a state that ``reconcile`` settles by repeating the same keyed call:

1. ``pay_state = authorizing``, then authorise the amount (money reserved, not taken).
2. Convert the hold in one conditional UPDATE: only a hold still ``held`` and unexpired
   becomes ``confirmed``. If it lapsed meanwhile (the sweeper released its inventory), the
   authorisation is voided and the caller gets 409 with the reason: never an overbooking.
3. Capture. A lost capture answer leaves ``authorized`` on a confirmed booking: reconcile
   captures it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from services.booking import changes, holds, rules
from services.booking.store import reservations, units
from services.booking.views import SYSTEM, PaymentRequired, iso_day, view
from services.errors import Conflict, Unavailable
from services.payments.adapter import (
    CARD_OK,
    GatewayError,
    GatewayUnavailable,
    PaymentDeclined,
)

if TYPE_CHECKING:
    from services.booking.service import BookingService


def confirm(
    svc: BookingService, owner: str, res_id: str, payment_method: str = CARD_OK
) -> dict[str, Any]:
    row = holds.begin_payment(svc.engine, res_id, owner, svc.clock())
    if row is None:  # not a live hold of the caller's that may be paid: say why
        row = svc._own(owner, res_id)
        if row.status == "confirmed":
            return view(row, svc.clock())
        if row.status != "held" or row.expires_at <= svc.clock():
            raise Conflict(
                f"hold {res_id} is {row.status if row.status != 'held' else 'expired'}"
                "; it can no longer be confirmed"
            )
        raise Conflict("a payment for this hold is already settled or in progress")
    attempt = row.pay_attempt
    try:
        intent = svc.gateway.authorize(
            row.amount_cents,
            row.currency,
            idempotency_key=f"{res_id}:auth:{attempt}",
            payment_method=payment_method,
            metadata={"booking": res_id},
        )
    except PaymentDeclined as exc:
        holds.set_pay_state(svc.engine, res_id, ("authorizing",), "declined")
        svc.emitter.emit(SYSTEM, "payment_declined", actor=owner, entity=res_id)
        raise PaymentRequired(f"payment declined: {exc}") from exc
    except GatewayUnavailable as exc:
        raise Unavailable(
            "the payment's outcome is unknown; retry confirm (it will not charge twice)"
        ) from exc
    svc.crash_hook("authorized")
    if not holds.convert(svc.engine, res_id, intent.id, svc.clock()):
        void(svc, res_id, intent.id)
        svc.emitter.emit(SYSTEM, "confirm_after_lapse", actor=owner, entity=res_id)
        raise Conflict(
            "the hold expired before the payment completed; the payment was voided and "
            "nothing was charged"
        )
    svc.crash_hook("converted")
    done = capture(svc, res_id, intent.id) or svc._own(owner, res_id)
    svc.emitter.emit(
        SYSTEM,
        "confirmed",
        actor=owner,
        entity=res_id,
        attrs={
            "unit_id": done.unit_id,
            "amount_cents": done.amount_cents,
            "first_day": iso_day(done.first_day),
            "nights": done.nights,
            "qty": done.qty,
        },
    )
    svc._notify(done, "booking_confirmed")
    return view(done, svc.clock())


def capture(svc: BookingService, res_id: str, intent_id: str) -> Any:
    """Capture and record it; the reservation's row after, or None when the capture's
    outcome is unknown or someone else recorded it (reconcile or a webhook)."""
    try:
        svc.gateway.capture(intent_id, idempotency_key=f"{res_id}:capture")
    except GatewayUnavailable:
        return None  # confirmed and authorised: reconcile captures it
    except GatewayError as exc:
        if "succeeded" not in str(exc):
            raise
    return holds.record_capture(svc.engine, res_id)


def void(svc: BookingService, res_id: str, intent_id: str) -> bool:
    holds.set_pay_state(
        svc.engine, res_id, ("authorizing", "authorized"), "voiding", intent_id=intent_id
    )
    try:
        svc.gateway.cancel(intent_id, idempotency_key=f"{res_id}:void")
    except GatewayUnavailable:
        return False
    except GatewayError as exc:
        if "canceled" not in str(exc):
            raise
    return holds.set_pay_state(svc.engine, res_id, ("voiding",), "voided")


def refund(svc: BookingService, res_id: str, intent_id: str, amount: int) -> bool:
    try:
        svc.gateway.refund(intent_id, amount, idempotency_key=f"{res_id}:refund")
    except GatewayUnavailable:
        return False
    except GatewayError as exc:
        if "already refunded" not in str(exc):
            raise
    done = holds.set_pay_state(svc.engine, res_id, ("refunding",), "refunded")
    if done:
        svc.emitter.emit(SYSTEM, "refunded", entity=res_id, attrs={"amount_cents": amount})
    return done


def cancel(
    svc: BookingService, owner: str, res_id: str, privileged: bool = False
) -> dict[str, Any]:
    row = svc._own(owner, res_id, privileged)
    now = svc.clock()
    if row.status == "held":
        if not holds.release_hold(svc.engine, res_id, now):
            raise Conflict(f"hold {res_id} changed meanwhile; look again")
        svc.live.publish({"unit_id": row.unit_id, "change": "released"})
        svc.emitter.emit(SYSTEM, "released", actor=owner, entity=res_id)
        return svc.get(owner, res_id, True)
    if row.status != "confirmed":
        if row.status == "cancelled":
            return view(row, now)
        raise Conflict(f"reservation {res_id} is {row.status}; nothing to cancel")
    if row.pay_state == "changing":
        raise Conflict(f"reservation {res_id} is changing dates; cancel it once that is paid")
    refund = rules.refund_cents(
        row.plan,
        row.amount_cents,
        row.first_day,
        svc.today().toordinal(),
        refundable_days(svc, row.unit_id),
    )
    if not holds.cancel_confirmed(svc.engine, res_id, refund, now):
        raise Conflict(f"reservation {res_id} changed meanwhile; look again")
    svc.live.publish({"unit_id": row.unit_id, "change": "cancelled"})
    svc.emitter.emit(
        SYSTEM,
        "cancelled",
        actor=owner,
        entity=res_id,
        attrs={"refund_cents": refund, "plan": row.plan},
    )
    svc.settle(res_id)
    done = svc._own(owner, res_id, True)
    svc._notify(done, "booking_cancelled")
    return view(done, now)


def refundable_days(svc: BookingService, unit_id: str) -> int:
    with svc.read_engine.connect() as conn:
        return conn.execute(
            select(units.c.refundable_days).where(units.c.id == unit_id)
        ).scalar_one()


def settle(svc: BookingService, res_id: str) -> str | None:
    """Drive one reservation's payment to a final state with its own keys; the state it
    reached (unchanged when the gateway is still unreachable)."""
    with svc.read_engine.connect() as conn:
        row = conn.execute(select(reservations).where(reservations.c.id == res_id)).one()
    now = svc.clock()
    if row.pay_state == "authorizing":
        if row.status == "held" and row.expires_at > now:
            return row.pay_state  # its client may still be confirming
        try:
            intent = svc.gateway.authorize(
                row.amount_cents,
                row.currency,
                idempotency_key=f"{res_id}:auth:{row.pay_attempt}",
                metadata={"booking": res_id},
            )
        except PaymentDeclined:
            holds.set_pay_state(svc.engine, res_id, ("authorizing",), "declined")
            return "declined"
        except GatewayUnavailable:
            return row.pay_state
        void(svc, res_id, intent.id)
    elif row.pay_state == "authorized" and row.status == "confirmed":
        capture(svc, res_id, row.intent_id)
    elif row.pay_state == "voiding":
        void(svc, res_id, row.intent_id)
    elif row.pay_state == "refunding":
        refund(svc, res_id, row.intent_id, row.refund_cents)
    with svc.read_engine.connect() as conn:
        return conn.execute(
            select(reservations.c.pay_state).where(reservations.c.id == res_id)
        ).scalar_one()


def reconcile(svc: BookingService) -> dict[str, int]:
    """Settle every payment left mid-way (after a crash, a lost answer or a lapse)."""
    r = reservations.c
    with svc.read_engine.connect() as conn:
        ids = [
            row.id
            for row in conn.execute(
                select(r.id).where(
                    r.pay_state.in_(["authorizing", "authorized", "voiding", "refunding"])
                )
            )
        ]
    outcome: dict[str, int] = {}
    for res_id in ids:
        state = settle(svc, res_id) or "none"
        outcome[state] = outcome.get(state, 0) + 1
    for change_id in changes.unsettled(svc.engine):
        state = "change_" + changes.settle_change(svc, change_id)
        outcome[state] = outcome.get(state, 0) + 1
    return outcome


def on_webhook(conn: Connection, event: dict[str, Any]) -> None:
    """Gateway events confirm what the calls already recorded; a capture or void made by
    a call whose answer was lost is recorded here (compare-and-set, so idempotent)."""
    obj = event.get("data", {}).get("object", {})
    res_id = (obj.get("metadata") or {}).get("booking")
    if not res_id:
        return
    r = reservations.c
    moves = {
        "payment_intent.succeeded": (["authorized"], "captured"),
        "payment_intent.canceled": (["voiding"], "voided"),
    }
    if event.get("type") in moves:
        expected, new = moves[event["type"]]
        conn.execute(
            reservations.update()
            .where(and_(r.id == res_id, r.intent_id == obj.get("id"), r.pay_state.in_(expected)))
            .values(pay_state=new)
        )
