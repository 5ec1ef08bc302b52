"""Checkout as a saga: reserve, charge, create the order; give the money back on failure.

The charge takes the money at once (``authorize(capture=True)``): the order is written paid
in the transaction that converts the reservation, so a checkout is one gateway call and
three transactions of its own (reserve, convert, and the cart before it). A charge that
finds no order to pay for (the reservation lapsed meanwhile, or the process died and the
client never came back) is given back in full by a refund.

Payment keys derive from the checkout (``<checkout>:charge:<attempt>``, ``<checkout>:void``
for giving an orphan charge back, ``<order>:refund:<n>``), and a checkout id itself derives
from the client's ``Idempotency-Key``, so a retry after a lost answer or a crash repeats the
same gateway calls and never charges twice. Each phase is recorded (``pay_state``) before and
after its call, so ``settle`` can finish any checkout left mid-way:

- declined: release the reservation (402);
- unknown outcome: 503; once the reservation expires the sweeper releases it and ``settle``
  gives back whatever charge exists (``voiding`` -> ``voided``: no order, no money kept);
- the reservation lapsed while paying: the charge is given back, 409.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, insert, select, update
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
from services.shop.store import checkouts, orders, payments, refunds
from warehouse.emitter import Emitter

log = logging.getLogger(__name__)
SYSTEM = "shop"


_insert_payment = insert(payments)


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
        """Charge a reserved checkout and convert it to a paid order: the order id, and the
        order's view when this call created it (None when it existed already). ``row`` is
        the checkout as its caller just wrote or read it (spares a read)."""
        row = row if row is not None else self.checkout_row(checkout_id)
        if row.status == "ordered":
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
            pay_method=payment_method,
        ):
            raise Conflict("a payment for this checkout is already in progress")
        try:
            intent = self._charge(row, checkout_id, attempt, payment_method)
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
        self.crash_hook("charged")
        order_id = "o_" + checkout_id[3:]
        order = co.convert(
            self.engine,
            checkout_id,
            order_id,
            intent.id,
            self.clock(),
            getattr(row, "held", None),
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
                "refunded in full and nothing was kept"
            )
        self.after_commit()
        self.crash_hook("ordered")
        return order_id, order

    def _charge(self, row: Any, checkout_id: str, attempt: int, payment_method: str) -> Any:
        return self.gateway.authorize(
            row.amount,
            row.currency,
            idempotency_key=f"{checkout_id}:charge:{attempt}",
            payment_method=payment_method,
            metadata={"checkout": checkout_id},
            capture=True,
        )

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
        """Give back in full a charge that has no order (its own key: at most once)."""
        try:
            self.gateway.refund(intent_id, None, idempotency_key=f"{checkout_id}:void")
        except GatewayUnavailable:
            return False
        except GatewayError as exc:
            if "already refunded" not in str(exc):
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
        """Send a recorded refund with its own key; False when the gateway did not answer
        (``reconcile`` sends it again)."""
        with self.engine.connect() as conn:
            r = conn.execute(select(refunds).where(refunds.c.id == refund_id)).one()
            order = conn.execute(select(orders).where(orders.c.id == r.order_id)).one()
        if r.state != "pending":
            return True
        try:
            self.gateway.refund(order.intent_id, r.amount, idempotency_key=refund_id)
        except GatewayUnavailable:
            return False
        with self.engine.begin() as conn:
            moved = conn.execute(
                update(refunds)
                .where(and_(refunds.c.id == refund_id, refunds.c.state == "pending"))
                .values(state="done")
            ).rowcount
            if moved:
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
        """Drive one checkout's payment to a final state with its own keys: a charge whose
        checkout never became an order is found again (same key) and given back."""
        row = self.checkout_row(checkout_id)
        now = self.clock()
        if row.pay_state == "authorizing":
            if row.status == "reserved" and row.expires_at > now:
                return row.pay_state  # its client may still be paying
            if row.status == "reserved":
                co.release(self.engine, checkout_id, "expired", now, only_expired=True)
                self.after_commit()
            try:
                intent = self._charge(row, checkout_id, row.pay_attempt, row.pay_method or CARD_OK)
            except PaymentDeclined:
                co.set_pay_state(self.engine, checkout_id, ("authorizing",), "declined")
                return "declined"
            except GatewayUnavailable:
                return row.pay_state
            co.set_pay_state(
                self.engine, checkout_id, ("authorizing",), "voiding", intent_id=intent.id
            )
            self._void(checkout_id, intent.id)
        elif row.pay_state == "voiding":
            self._void(checkout_id, row.intent_id)
        return self.checkout_row(checkout_id).pay_state

    def try_settle(self, checkout_id: str) -> str:
        """``settle``, or ``"refused"`` (logged) when the gateway refuses the call, so one
        such checkout never stops a sweep or a reconciliation of the others; it is tried
        again on the next pass."""
        try:
            return self.settle(checkout_id) or "none"
        except GatewayError:
            log.warning("the gateway refused to settle %s", checkout_id, exc_info=True)
            return "refused"

    def reconcile(self) -> dict[str, int]:
        """Settle every payment left mid-way, and send every refund still pending."""
        c = checkouts.c
        with self.engine.connect() as conn:
            ids = list(
                conn.execute(
                    select(c.id).where(c.pay_state.in_(["authorizing", "voiding"]))
                ).scalars()
            )
            pending = list(
                conn.execute(select(refunds.c.id).where(refunds.c.state == "pending")).scalars()
            )
        outcome: dict[str, int] = {}
        for checkout_id in ids:
            state = self.try_settle(checkout_id)
            outcome[state] = outcome.get(state, 0) + 1
        for refund_id in pending:
            key = "refund_sent" if self.send_refund(refund_id) else "refund_pending"
            outcome[key] = outcome.get(key, 0) + 1
        return outcome
