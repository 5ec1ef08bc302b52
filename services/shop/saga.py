"""Checkout as a saga: reserve, authorise, create the order, capture; compensate on failure.

Payment keys derive from the checkout (``<checkout>:auth:<attempt>``, ``<checkout>:capture``,
``<checkout>:void``), and a checkout id itself derives from the client's ``Idempotency-Key``,
so a retry after a lost answer or a crash repeats the same gateway calls and never charges
twice. Each phase is recorded (``pay_state``) before and after its call, so ``settle`` can
finish any checkout left mid-way:

- declined: release the reservation (402);
- unknown outcome: 503; once the reservation expires the sweeper releases it and ``settle``
  voids whatever authorisation exists;
- the reservation lapsed while paying: void, 409;
- converted but the capture's answer was lost: ``settle`` captures it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.engine import Engine

from services.errors import Conflict, DomainError, Unavailable
from services.payments.adapter import (
    CARD_OK,
    GatewayError,
    GatewayUnavailable,
    PaymentDeclined,
    PaymentGateway,
)
from services.shop import checkout as co
from services.shop import lifecycle
from services.shop.store import checkouts, orders, payments, refunds
from warehouse.emitter import Emitter

log = logging.getLogger(__name__)
SYSTEM = "shop"


_insert_payment = insert(payments)
_mark_captured = (
    update(checkouts)
    .where(and_(checkouts.c.id == bindparam("cid"), checkouts.c.pay_state == "authorized"))
    .values(pay_state="captured")
)


class PaymentRequired(DomainError):
    """The payment method was declined (402)."""

    status = 402


class Saga:
    def __init__(
        self,
        engine: Engine,
        gateway: PaymentGateway,
        emitter: Emitter,
        clock: Callable[[], float],
        after_commit: Callable[[], None],
    ) -> None:
        self.engine = engine
        self.gateway = gateway
        self.emitter = emitter
        self.clock = clock
        self.after_commit = after_commit
        self.crash_hook: Callable[[str], None] = lambda _point: None

    def checkout_row(self, checkout_id: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(select(checkouts).where(checkouts.c.id == checkout_id)).first()

    def pay(
        self, checkout_id: str, payment_method: str = CARD_OK, row: Any = None
    ) -> tuple[str, dict[str, Any] | None]:
        """Authorise, convert and capture a reserved checkout: the order id, and the order's
        view when this call created it (None when it existed already). ``row`` is the
        checkout as its caller just wrote or read it (spares a read)."""
        row = row if row is not None else self.checkout_row(checkout_id)
        if row.status == "ordered":
            self.settle(checkout_id)
            return row.order_id, None
        if row.status != "reserved" or row.expires_at <= self.clock():
            raise Conflict(f"checkout {checkout_id} is {row.status}; start a new checkout")
        attempt = row.pay_attempt + (1 if row.pay_state == "declined" else 0)
        if row.pay_state != "authorizing" and not co.set_pay_state(
            self.engine,
            checkout_id,
            (None, "authorizing", "declined"),
            "authorizing",
            pay_attempt=attempt,
        ):
            raise Conflict("a payment for this checkout is already in progress")
        try:
            intent = self.gateway.authorize(
                row.amount,
                row.currency,
                idempotency_key=f"{checkout_id}:auth:{attempt}",
                payment_method=payment_method,
                metadata={"checkout": checkout_id},
            )
        except PaymentDeclined as exc:
            co.set_pay_state(self.engine, checkout_id, ("authorizing",), "declined")
            co.release(self.engine, checkout_id, "failed", self.clock(), only_expired=False)
            self.after_commit()
            self.emitter.emit(SYSTEM, "payment_declined", actor=row.customer, entity=checkout_id)
            raise PaymentRequired(f"payment declined: {exc}; the reservation was released") from exc
        except GatewayUnavailable as exc:
            raise Unavailable(
                "the payment's outcome is unknown; retry the checkout with the same "
                "Idempotency-Key (it will not charge twice)"
            ) from exc
        self.crash_hook("authorized")
        order_id = "o_" + checkout_id[3:]
        order = co.convert(
            self.engine, checkout_id, order_id, intent.id, self.clock(), getattr(row, "held", None)
        )
        if order is None:
            co.set_pay_state(
                self.engine, checkout_id, ("authorizing",), "voiding", intent_id=intent.id
            )
            self._void(checkout_id, intent.id)
            self.emitter.emit(
                SYSTEM, "checkout_after_lapse", actor=row.customer, entity=checkout_id
            )
            raise Conflict(
                "the reservation expired before the payment completed; the payment was "
                "voided and nothing was charged"
            )
        self.after_commit()
        self.crash_hook("ordered")
        paid_at = self._capture(checkout_id, order_id, intent.id)
        if paid_at is not None:
            order["status"] = "paid"
            order["events"].append(
                {"status": "paid", "actor": "gateway", "note": "", "ts": paid_at}
            )
        return order_id, order

    def _capture(self, checkout_id: str, order_id: str, intent_id: str) -> float | None:
        """Capture, then mark the order paid: when it was (None if not, or not by this call)."""
        try:
            intent = self.gateway.capture(intent_id, idempotency_key=f"{checkout_id}:capture")
        except GatewayUnavailable:
            return None  # the order stands, authorised: reconcile captures it
        except GatewayError as exc:
            if "succeeded" not in str(exc):
                raise
            intent = self.gateway.retrieve(intent_id)
        now = self.clock()
        with self.engine.begin() as conn:
            if not conn.execute(_mark_captured, {"cid": checkout_id}).rowcount:
                return None
            lifecycle.move(conn, order_id, "placed", "paid", "gateway", now)
            self._log(conn, checkout_id, order_id, "captured", intent.amount, intent_id, now)
        self.after_commit()
        return now

    @staticmethod
    def _log(conn, checkout_id: str, order_id, kind: str, amount: int, intent_id, now) -> None:
        """One row of the payments log (published to the lake by the outbox)."""
        conn.execute(
            _insert_payment,
            {
                "checkout_id": checkout_id,
                "order_id": order_id,
                "kind": kind,
                "amount": amount,
                "intent_id": intent_id,
                "ts": now,
            },
        )

    def _void(self, checkout_id: str, intent_id: str) -> bool:
        try:
            self.gateway.cancel(intent_id, idempotency_key=f"{checkout_id}:void")
        except GatewayUnavailable:
            return False
        except GatewayError as exc:
            if "canceled" not in str(exc):
                raise
        c = checkouts.c
        with self.engine.begin() as conn:
            done = conn.execute(
                update(checkouts)
                .where(and_(c.id == checkout_id, c.pay_state == "voiding"))
                .values(pay_state="voided")
            ).rowcount
            if done:
                row = conn.execute(select(checkouts).where(c.id == checkout_id)).one()
                self._log(
                    conn, checkout_id, row.order_id, "voided", row.amount, intent_id, self.clock()
                )
        if done:
            self.after_commit()
        return bool(done)

    # -- refunds -----------------------------------------------------------------------------

    def add_refund(self, conn, order_id: str, amount: int, now: float) -> str:
        """Record a refund to send (in the caller's transaction); its id is its gateway key."""
        n = len(conn.execute(select(refunds.c.id).where(refunds.c.order_id == order_id)).all())
        refund_id = f"{order_id}:refund:{n + 1}"
        conn.execute(
            insert(refunds).values(
                id=refund_id, order_id=order_id, amount=amount, state="pending", created_at=now
            )
        )
        return refund_id

    def send_refund(self, refund_id: str) -> bool:
        with self.engine.connect() as conn:
            r = conn.execute(select(refunds).where(refunds.c.id == refund_id)).one()
            order = conn.execute(select(orders).where(orders.c.id == r.order_id)).one()
            pay = conn.execute(
                select(checkouts.c.id, checkouts.c.pay_state).where(
                    checkouts.c.id == order.checkout_id
                )
            ).first()
        if r.state != "pending":
            return True
        if pay is not None and pay.pay_state == "authorized":
            # Never captured: the whole authorisation is voided instead.
            co.set_pay_state(self.engine, pay.id, ("authorized",), "voiding")
            pay = self.checkout_row(pay.id)
        if pay is not None and pay.pay_state in ("voiding", "voided"):
            if pay.pay_state == "voiding" and not self._void(pay.id, order.intent_id):
                return False
            state = "voided"
        else:
            try:
                self.gateway.refund(order.intent_id, r.amount, idempotency_key=refund_id)
            except GatewayUnavailable:
                return False
            state = "done"
        with self.engine.begin() as conn:
            moved = conn.execute(
                update(refunds)
                .where(and_(refunds.c.id == refund_id, refunds.c.state == "pending"))
                .values(state=state)
            ).rowcount
            if moved and state == "done":
                self._log(
                    conn,
                    order.checkout_id,
                    order.id,
                    "refunded",
                    r.amount,
                    order.intent_id,
                    self.clock(),
                )
        self.after_commit()
        return True

    # -- settling ----------------------------------------------------------------------------

    def settle(self, checkout_id: str) -> str | None:
        """Drive one checkout's payment to a final state with its own keys."""
        row = self.checkout_row(checkout_id)
        now = self.clock()
        if row.pay_state == "authorizing":
            if row.status == "reserved" and row.expires_at > now:
                return row.pay_state  # its client may still be paying
            if row.status == "reserved":
                co.release(self.engine, checkout_id, "expired", now, only_expired=True)
                self.after_commit()
            try:
                intent = self.gateway.authorize(
                    row.amount,
                    row.currency,
                    idempotency_key=f"{checkout_id}:auth:{row.pay_attempt}",
                    metadata={"checkout": checkout_id},
                )
            except PaymentDeclined:
                co.set_pay_state(self.engine, checkout_id, ("authorizing",), "declined")
                return "declined"
            except GatewayUnavailable:
                return row.pay_state
            co.set_pay_state(
                self.engine, checkout_id, ("authorizing",), "voiding", intent_id=intent.id
            )
            self._void(checkout_id, intent.id)
        elif row.pay_state == "authorized" and row.status == "ordered":
            with self.engine.connect() as conn:
                status = conn.execute(
                    select(orders.c.status).where(orders.c.id == row.order_id)
                ).scalar_one()
            if status == "placed":
                self._capture(checkout_id, row.order_id, row.intent_id)
        elif row.pay_state == "voiding":
            self._void(checkout_id, row.intent_id)
        return self.checkout_row(checkout_id).pay_state

    def reconcile(self) -> dict[str, int]:
        """Settle every payment left mid-way, and send every refund still pending."""
        c = checkouts.c
        with self.engine.connect() as conn:
            ids = list(
                conn.execute(
                    select(c.id).where(c.pay_state.in_(["authorizing", "authorized", "voiding"]))
                ).scalars()
            )
            pending = list(
                conn.execute(select(refunds.c.id).where(refunds.c.state == "pending")).scalars()
            )
        outcome: dict[str, int] = {}
        for checkout_id in ids:
            state = self.settle(checkout_id) or "none"
            outcome[state] = outcome.get(state, 0) + 1
        for refund_id in pending:
            key = "refund_sent" if self.send_refund(refund_id) else "refund_pending"
            outcome[key] = outcome.get(key, 0) + 1
        return outcome
