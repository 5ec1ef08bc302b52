"""The checkout as the API runs it: the client's ``Idempotency-Key`` names the checkout, the
cart is reserved (``checkout``), paid and turned into an order (``saga``), and reservations
past their expiry are given back (``sweep``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from sqlalchemy.engine import Engine

from services.errors import Conflict, NotFound
from services.payments.adapter import CARD_OK
from services.payments.idempotency import IdempotencyStore
from services.shop import checkout as co
from services.shop import shipments
from services.shop.orders import OrderDesk
from services.shop.saga import Saga
from services.shop.settings import ShopSettings


def checkout_id_for(customer: str, key: str | None) -> str:
    """The checkout's id: derived from the client's key, so its retries find it again."""
    if key is None:
        return "co_" + secrets.token_hex(12)
    return "co_" + hashlib.sha256(f"{customer}\x00{key}".encode()).hexdigest()[:24]


class CheckoutDesk:
    def __init__(
        self,
        engine: Engine,
        conf: ShopSettings,
        now: Callable[[], float],
        saga: Saga,
        orders: OrderDesk,
        keys: IdempotencyStore,
        after_commit: Callable[[], None],
        on_transition: Callable[[dict[str, Any], str], None],
    ) -> None:
        self.engine = engine
        self.conf = conf
        self.now = now
        self.saga = saga
        self.orders = orders
        self.keys = keys
        self.after_commit = after_commit
        self.on_transition = on_transition

    def checkout(
        self,
        customer: str,
        *,
        country: str = "United Kingdom",
        payment_method: str = CARD_OK,
        expected_total: int | None = None,
        key: str | None = None,
    ) -> dict[str, Any]:
        """Reserve the cart, pay, and create the order (see ``services.shop.saga``)."""
        checkout_id = checkout_id_for(customer, key)
        row = self.saga.checkout_row(checkout_id) if key is not None else None
        if row is None:  # the cart is read in the reservation's own transaction
            row = SimpleNamespace(
                **self.reserve(
                    checkout_id, customer, None, country, expected_total, paying=payment_method
                )
            )
        elif row.customer != customer:
            raise NotFound(f"no checkout {checkout_id}")
        elif row.status in ("failed", "expired", "released"):
            raise Conflict(f"this checkout is {row.status}; start a new one with a new key")
        order_id, order = self.saga.pay(checkout_id, payment_method, row)
        if order is None:
            order = self.orders.get(order_id, customer, frozenset())
        else:  # built from what the checkout wrote: no shipment has moved yet
            order["shipments"] = shipments.derive(order["status"], order["lines"], {})
        self.on_transition(order, order["status"])
        return order

    def reserve(
        self,
        checkout_id: str,
        customer: str,
        items: list[tuple[int, int]] | None,
        country: str,
        expected_total: int | None = None,
        paying: str | None = None,
    ) -> dict[str, Any]:
        """Reserve ``items`` (None: the customer's cart) for a checkout, or 409; ``paying``:
        the payment method charged next."""
        row = co.reserve(
            self.engine,
            checkout_id,
            customer,
            items,
            country=country,
            currency=self.conf.currency,
            rule=self.conf.allocation,
            max_qty=self.conf.max_line_qty,
            expected_total=expected_total,
            now=self.now(),
            ttl_s=self.conf.reservation_ttl_s,
            paying=paying,
        )
        self.after_commit()
        return row

    def idempotent(
        self,
        scope: str,
        key: str | None,
        method: str,
        path: str,
        body: Any,
        run: Callable[[], Any],
    ) -> tuple[Any, bool]:
        """``run()`` at most once per ``(scope, key)``; 402 and 409 are kept as outcomes."""
        return self.keys.call(scope, key, (method, path, body), run, keep=(402, 409))

    def sweep(self) -> int:
        """Release every reservation past its expiry; how many."""
        n = 0
        for checkout_id in co.expired(self.engine, self.now()):
            if co.release(self.engine, checkout_id, "expired", self.now(), only_expired=True):
                n += 1
                self.saga.try_settle(checkout_id)
        if n:
            self.after_commit()
        return n
