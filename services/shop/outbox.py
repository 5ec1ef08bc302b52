"""Publishes the shop's own logs (stock ledger, order transitions, payments) to the lake.

Each movement and transition is written to its table in the transaction that makes it, so the
database is the outbox (the cursor form of ``services.outbox``): this pump emits rows past a
stored cursor, in id order, with event ids derived from the row id. A crash between emit and
cursor update re-emits the same ids, which the audit counts once. The lake's copy is then
complete, and the daily audit can recompute every variant's stock from it without trusting the
service's own counters.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from services.outbox import Publisher
from services.shop.store import (
    ledger,
    order_events,
    order_lines,
    orders,
    outbox,
    payments,
    products,
)
from warehouse.emitter import Emitter
from warehouse.events import Event

SYSTEM = "shop"


class Outbox:
    """The shop's logs in the cursor form of ``services.outbox``."""

    def __init__(self, engine: Engine, emitter: Emitter, batch: int = 2000) -> None:
        self.engine = engine
        self.batch = batch
        self.publisher = Publisher(engine, emitter, cursors=outbox, batch=batch)
        self._lock = threading.Lock()

    def pump(self) -> int:
        """Publish everything new in both logs; how many events went out."""
        if not self._lock.acquire(blocking=False):
            return 0
        try:
            return self._pump_ledger() + self._pump_orders() + self._pump_payments()
        finally:
            self._lock.release()

    def _drain(self, name: str, read: Callable[[Connection, int], list[tuple[int, Event]]]) -> int:
        return self.publisher.drain(name, read)

    def _pump_ledger(self) -> int:
        return self._drain("ledger", self._ledger_events)

    def _pump_payments(self) -> int:
        return self._drain("payments", self._payment_events)

    def _pump_orders(self) -> int:
        return self._drain("orders", self._order_events)

    def _ledger_events(self, conn: Connection, after: int) -> list[tuple[int, Event]]:
        rows = conn.execute(
            select(ledger).where(ledger.c.id > after).order_by(ledger.c.id).limit(self.batch)
        ).all()
        return [
            (
                r.id,
                Event(
                    system=SYSTEM,
                    type="stock_" + r.kind,
                    entity=str(r.variant_id),
                    attrs={
                        "ledger_id": r.id,
                        "variant_id": r.variant_id,
                        "warehouse_id": r.warehouse_id,
                        "qty": r.qty,
                        "ref": r.ref,
                    },
                    ts=datetime.fromtimestamp(r.ts, UTC),
                    event_id=f"shop-ledger-{r.id}",
                ),
            )
            for r in rows
        ]

    def _payment_events(self, conn: Connection, after: int) -> list[tuple[int, Event]]:
        rows = conn.execute(
            select(payments).where(payments.c.id > after).order_by(payments.c.id).limit(self.batch)
        ).all()
        return [
            (
                r.id,
                Event(
                    system=SYSTEM,
                    type="payment_" + r.kind,
                    entity=r.checkout_id,
                    attrs={
                        "payment_id": r.id,
                        "order_id": r.order_id,
                        "amount": r.amount,
                        "intent_id": r.intent_id,
                    },
                    ts=datetime.fromtimestamp(r.ts, UTC),
                    event_id=f"shop-payment-{r.id}",
                ),
            )
            for r in rows
        ]

    def _order_events(self, conn: Connection, after: int) -> list[tuple[int, Event]]:
        rows = conn.execute(
            select(order_events, orders.c.customer, orders.c.amount, orders.c.refunded)
            .select_from(order_events.join(orders, orders.c.id == order_events.c.order_id))
            .where(order_events.c.id > after)
            .order_by(order_events.c.id)
            .limit(self.batch)
        ).all()
        placed = [r.order_id for r in rows if r.status == "placed"]
        lines: dict[str, list[dict[str, Any]]] = {}
        if placed:
            for ln in conn.execute(
                select(order_lines, products.c.category_id)
                .select_from(order_lines.join(products, products.c.id == order_lines.c.product_id))
                .where(order_lines.c.order_id.in_(placed))
            ):
                lines.setdefault(ln.order_id, []).append(
                    {
                        "product_id": ln.product_id,
                        "variant_id": ln.variant_id,
                        "seller_id": ln.seller_id,
                        "category_id": ln.category_id,
                        "qty": ln.qty,
                        "unit_price": ln.unit_price,
                    }
                )
        events = []
        for r in rows:
            attrs: dict[str, Any] = {"status": r.status, "note": r.note, "seq": r.id}
            if r.status == "placed":
                attrs |= {"amount": r.amount, "lines": lines.get(r.order_id, [])}
            if r.status in ("refunded", "partially_refunded", "cancelled"):
                attrs["refunded"] = r.refunded
            events.append(
                (
                    r.id,
                    Event(
                        system=SYSTEM,
                        type="order_" + r.status,
                        actor=r.actor,
                        entity=r.order_id,
                        attrs=attrs,
                        ts=datetime.fromtimestamp(r.ts, UTC),
                        event_id=f"shop-order-{r.id}",
                    ),
                )
            )
        return events
