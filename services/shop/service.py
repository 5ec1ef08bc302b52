"""The shop service: one object that composes the shop's desks (catalogue, carts, checkout,
orders, reviews, support) over one store and one payment gateway, owns the clock, and
answers the notifications and figures that span them. The work is done in the desks; this
class only names them for the router, the workload, the CLI and the assets.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from services.db import create_schema
from services.payments.adapter import CARD_OK, PaymentGateway
from services.payments.idempotency import IdempotencyStore
from services.shop import inventory
from services.shop.cart_desk import CartDesk
from services.shop.catalog_desk import CatalogDesk
from services.shop.checkout_desk import CheckoutDesk
from services.shop.orders import OrderDesk
from services.shop.outbox import Outbox
from services.shop.reviews import Reviews
from services.shop.saga import Saga
from services.shop.search import ShopSearch
from services.shop.settings import ShopSettings
from services.shop.store import checkouts, idempotency, metadata, orders, stock
from services.shop.support import Support
from services.shop.sweeper import Sweeper
from warehouse.emitter import Emitter

log = logging.getLogger(__name__)


class ShopService:
    def __init__(
        self,
        engine: Engine,
        gateway: PaymentGateway,
        emitter: Emitter,
        conf: ShopSettings,
        *,
        clock: Callable[[], float] = time.time,
        notices: Any = None,
        recs: Any = None,
    ) -> None:
        self.engine = engine
        create_schema(engine, metadata)
        self.gateway = gateway
        self.emitter = emitter
        self.conf = conf
        self.clock = clock
        self.notices = notices
        self.recs = recs
        self.local_gateway: Any = None
        # Set after every commit that wrote ledger or order rows: the sweeper publishes.
        self.dirty = threading.Event()
        now = self._now
        self.outbox = Outbox(engine, emitter)
        self.saga = Saga(engine, gateway, emitter, clock, self.dirty.set)
        self.search = ShopSearch(engine)
        self.search.create_index()
        self.catalog = CatalogDesk(engine, emitter, conf, now, self.search, self.dirty.set, recs)
        self.carts = CartDesk(engine, emitter, conf, now)
        self.support = Support(engine, conf, clock, emitter, self._notify)
        self.orders = OrderDesk(
            engine, self.saga, clock, self.dirty.set, self._on_transition, self.support.open
        )
        self.keys = IdempotencyStore(engine, idempotency, clock=clock)
        self.checkouts = CheckoutDesk(
            engine,
            conf,
            now,
            self.saga,
            self.orders,
            self.keys,
            self.dirty.set,
            self._on_transition,
        )
        self.reviews = Reviews(engine, clock, emitter)
        self.sweeper = Sweeper(self)

    def _now(self) -> float:
        return self.clock()

    # -- catalogue (``catalog_desk``) ---------------------------------------------------------

    def add_warehouse(self, warehouse_id: str, country: str, priority: int = 0) -> dict:
        return self.catalog.add_warehouse(warehouse_id, country, priority)

    def add_product(self, seller_id: str, **fields: Any) -> dict[str, Any]:
        return self.catalog.add_product(seller_id, **fields)

    def update_product(
        self, product_id: int, seller_id: str, is_admin: bool, changes: dict[str, Any]
    ) -> dict[str, Any]:
        return self.catalog.update_product(product_id, seller_id, is_admin, changes)

    def set_price(self, variant_id: int, price: int, seller_id: str, is_admin: bool) -> dict:
        return self.catalog.set_price(variant_id, price, seller_id, is_admin)

    def product(self, product_id: int) -> dict[str, Any]:
        return self.catalog.product(product_id)

    def categories(self) -> list[dict[str, Any]]:
        return self.catalog.categories()

    def receive_stock(
        self,
        variant_id: int,
        warehouse_id: str,
        qty: int,
        seller_id: str,
        is_admin: bool,
        ref: str = "receipt",
    ) -> dict[str, int]:
        return self.catalog.receive_stock(variant_id, warehouse_id, qty, seller_id, is_admin, ref)

    def product_of_variant(self, variant_id: int) -> int:
        return self.catalog.product_of_variant(variant_id)

    def is_seller_of(self, seller_id: str, product_id: int) -> bool:
        return self.catalog.is_seller_of(seller_id, product_id)

    def stock_of(self, variant_id: int) -> dict[str, int]:
        return self.catalog.stock_of(variant_id)

    def find(self, **query: Any) -> dict[str, Any]:
        """Faceted search (``CatalogDesk.find``)."""
        return self.catalog.find(**query)

    def also_bought(self, product_id: int, k: int = 10) -> dict[str, Any]:
        return self.catalog.also_bought(product_id, k)

    # -- carts (``cart_desk``) ----------------------------------------------------------------

    def cart(self, owner: str) -> dict[str, Any]:
        return self.carts.cart(owner)

    def set_cart_line(self, owner: str, variant_id: int, qty: int) -> dict[str, Any]:
        return self.carts.set_line(owner, variant_id, qty)

    def new_guest_cart(self) -> str:
        return self.carts.new_guest_cart()

    def guest_cart(self, token: str) -> dict[str, Any]:
        return self.carts.guest_cart(token)

    def set_guest_cart_line(self, token: str, variant_id: int, qty: int) -> dict[str, Any]:
        return self.carts.set_guest_line(token, variant_id, qty)

    def merge_guest_cart(self, customer: str, token: str) -> dict[str, Any]:
        return self.carts.merge_guest_cart(customer, token)

    # -- checkout (``checkout_desk``, ``saga``) ----------------------------------------------

    def checkout(
        self,
        customer: str,
        *,
        country: str = "United Kingdom",
        payment_method: str = CARD_OK,
        expected_total: int | None = None,
        key: str | None = None,
    ) -> dict[str, Any]:
        return self.checkouts.checkout(
            customer,
            country=country,
            payment_method=payment_method,
            expected_total=expected_total,
            key=key,
        )

    def reserve(
        self,
        checkout_id: str,
        customer: str,
        items: list[tuple[int, int]] | None,
        country: str,
        expected_total: int | None = None,
        paying: str | None = None,
    ) -> dict[str, Any]:
        return self.checkouts.reserve(checkout_id, customer, items, country, expected_total, paying)

    def idempotent(
        self, scope: str, key: str | None, method: str, path: str, body: Any, run: Callable
    ) -> tuple[Any, bool]:
        return self.checkouts.idempotent(scope, key, method, path, body, run)

    # -- background (``sweeper``) ------------------------------------------------------------

    def sweep(self) -> int:
        return self.checkouts.sweep()

    def reconcile(self) -> dict[str, int]:
        return self.saga.reconcile()

    def publish(self) -> int:
        """Send the ledger and order transitions not yet in the lake."""
        self.dirty.clear()
        return self.outbox.pump()

    def start(self) -> None:
        self.sweeper.start()

    def stop(self) -> None:
        self.sweeper.stop()

    def close(self) -> None:
        self.stop()
        try:
            self.publish()
        finally:
            self.gateway.close()

    # -- notifications -----------------------------------------------------------------------

    def _on_transition(self, order: dict[str, Any], status: str) -> None:
        self._notify(
            order["customer"],
            f"order_{status}",
            order,
            f"{order['id']}:{status}:{len(order['events'])}",
        )

    def _notify(self, user: str, template: str, data: dict[str, Any], key: str) -> None:
        if self.notices is None:
            return
        try:
            told = {k: v for k, v in data.items() if k not in ("events", "messages")}
            self.notices.send(user, template, told, key)
        except Exception:  # noqa: BLE001 - a notification never undoes an order
            log.warning("could not notify %s (%s)", user, template, exc_info=True)

    # -- figures -----------------------------------------------------------------------------

    def audit(self, variant_ids: list[int] | None = None) -> list[str]:
        """The store's own conservation check (the lake's audit is ``assets/shop.py``)."""
        with self.engine.connect() as conn:
            return inventory.ledger_violations(conn, variant_ids)

    def totals(self) -> dict[str, int]:
        o = orders.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    o.status,
                    func.count(),
                    func.coalesce(func.sum(o.amount), 0),
                    func.coalesce(func.sum(o.refunded), 0),
                )
                .where(o.source == "checkout")
                .group_by(o.status)
            ).all()
            reserved = conn.execute(select(func.coalesce(func.sum(stock.c.reserved), 0))).scalar()
            open_checkouts = conn.execute(
                select(func.count()).where(checkouts.c.status == "reserved")
            ).scalar()
        out = {f"orders_{s}": int(n) for s, n, _a, _r in rows}
        gross = sum(int(a) for s, _n, a, _r in rows if s != "placed")
        refunded = sum(int(r) for _s, _n, _a, r in rows)
        return out | {
            "revenue": gross - refunded,
            "refunded": refunded,
            "reserved_units": int(reserved),
            "open_checkouts": int(open_checkouts),
        }
