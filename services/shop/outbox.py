"""Publishes the shop's own logs (stock ledger, order transitions, payments) to the lake.

Each movement and transition is written to its table in the transaction that makes it, so the
database is the outbox: this pump emits rows past a stored cursor, in id order, with event ids
derived from the row id. A crash between emit and cursor update re-emits the same ids, which
the audit counts once. The lake's copy is then complete, and the daily audit can recompute
every variant's stock from it without trusting the service's own counters.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

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
    def __init__(self, engine: Engine, emitter: Emitter, batch: int = 2000) -> None:
        self.engine = engine
        self.emitter = emitter
        self.batch = batch
        self._lock = threading.Lock()

    def _cursor(self, name: str) -> int:
        with self.engine.connect() as conn:
            row = conn.execute(select(outbox.c.last_id).where(outbox.c.name == name)).first()
        return -1 if row is None else int(row.last_id)

    def _advance(self, name: str, last: int) -> None:
        with self.engine.begin() as conn:
            if not conn.execute(
                update(outbox).where(outbox.c.name == name).values(last_id=last)
            ).rowcount:
                conn.execute(insert(outbox).values(name=name, last_id=last))

    def pump(self) -> int:
        """Publish everything new in both logs; how many events went out."""
        if not self._lock.acquire(blocking=False):
            return 0
        try:
            return self._pump_ledger() + self._pump_orders() + self._pump_payments()
        finally:
            self._lock.release()

    def _pump_ledger(self) -> int:
        sent = 0
        while True:
            after = self._cursor("ledger")
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(ledger)
                    .where(ledger.c.id > after)
                    .order_by(ledger.c.id)
                    .limit(self.batch)
                ).all()
            if not rows:
                return sent
            self.emitter.emit_events(
                [
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
                    )
                    for r in rows
                ]
            )
            self._advance("ledger", rows[-1].id)
            sent += len(rows)

    def _pump_payments(self) -> int:
        sent = 0
        while True:
            after = self._cursor("payments")
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(payments)
                    .where(payments.c.id > after)
                    .order_by(payments.c.id)
                    .limit(self.batch)
                ).all()
            if not rows:
                return sent
            self.emitter.emit_events(
                [
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
                    )
                    for r in rows
                ]
            )
            self._advance("payments", rows[-1].id)
            sent += len(rows)

    def _pump_orders(self) -> int:
        sent = 0
        while True:
            after = self._cursor("orders")
            with self.engine.connect() as conn:
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
                        .select_from(
                            order_lines.join(products, products.c.id == order_lines.c.product_id)
                        )
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
            if not rows:
                return sent
            events = []
            for r in rows:
                attrs: dict[str, Any] = {"status": r.status, "note": r.note, "seq": r.id}
                if r.status == "placed":
                    attrs |= {"amount": r.amount, "lines": lines.get(r.order_id, [])}
                if r.status in ("refunded", "partially_refunded", "cancelled"):
                    attrs["refunded"] = r.refunded
                events.append(
                    Event(
                        system=SYSTEM,
                        type="order_" + r.status,
                        actor=r.actor,
                        entity=r.order_id,
                        attrs=attrs,
                        ts=datetime.fromtimestamp(r.ts, UTC),
                        event_id=f"shop-order-{r.id}",
                    )
                )
            self.emitter.emit_events(events)
            self._advance("orders", rows[-1].id)
            sent += len(rows)
