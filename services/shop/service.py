"""The shop service: catalogue, stock receipts, carts, checkout, and the parts it composes
(orders, reviews, support, search), with its sweeper (expired reservations, payments left
mid-way, the ledger's publication to the lake).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from services.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unavailable
from services.payments.adapter import CARD_OK, PaymentGateway
from services.payments.idempotency import IdempotencyStore, fingerprint
from services.shop import catalog, guests, inventory, shipments
from services.shop import checkout as co
from services.shop.orders import OrderDesk
from services.shop.outbox import Outbox
from services.shop.reviews import Reviews
from services.shop.saga import Saga
from services.shop.search import ShopSearch
from services.shop.settings import ShopSettings
from services.shop.store import (
    carts,
    checkouts,
    idempotency,
    metadata,
    orders,
    products,
    stock,
    variants,
    warehouses,
)
from services.shop.support import Support
from warehouse.emitter import Emitter

log = logging.getLogger(__name__)
SYSTEM = "shop"


def checkout_id_for(customer: str, key: str | None) -> str:
    """The checkout's id: derived from the client's key, so its retries find it again."""
    if key is None:
        return "co_" + secrets.token_hex(12)
    return "co_" + hashlib.sha256(f"{customer}\x00{key}".encode()).hexdigest()[:24]


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
        metadata.create_all(engine)
        self.gateway = gateway
        self.emitter = emitter
        self.conf = conf
        self.clock = clock
        self.notices = notices
        self.keys = IdempotencyStore(engine, idempotency, clock=clock)
        self.outbox = Outbox(engine, emitter)
        self._dirty = threading.Event()
        self.saga = Saga(engine, gateway, emitter, clock, self._dirty.set)
        self.search = ShopSearch(engine)
        self.search.create_index()
        self.support = Support(engine, conf, clock, emitter, self._notify)
        self.orders = OrderDesk(
            engine, self.saga, clock, self._dirty.set, self._on_transition, self.support.open
        )
        self.reviews = Reviews(engine, clock, emitter)
        self.recs = recs
        self.local_gateway: Any = None
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    # -- catalogue ---------------------------------------------------------------------------

    def add_warehouse(self, warehouse_id: str, country: str, priority: int = 0) -> dict:
        with self.engine.begin() as conn:
            if conn.execute(select(warehouses.c.id).where(warehouses.c.id == warehouse_id)).first():
                return {"id": warehouse_id, "country": country, "priority": priority}
            conn.execute(
                insert(warehouses).values(id=warehouse_id, country=country, priority=priority)
            )
        return {"id": warehouse_id, "country": country, "priority": priority}

    def add_product(self, seller_id: str, **fields: Any) -> dict[str, Any]:
        fields.setdefault("currency", self.conf.currency)
        fields.setdefault("description", "")
        fields.setdefault("attributes", None)
        with self.engine.begin() as conn:
            pid = catalog.add_product(conn, seller_id=seller_id, now=self.clock(), **fields)
            self.search.index(conn, pid)
            out = catalog.product_view(conn, pid, self._available)
        self.emitter.emit(
            SYSTEM,
            "product_added",
            actor=seller_id,
            entity=str(pid),
            attrs={"category_id": out["category_id"]},
        )
        return out

    def update_product(
        self, product_id: int, seller_id: str, is_admin: bool, changes: dict[str, Any]
    ) -> dict[str, Any]:
        with self.engine.begin() as conn:
            catalog.update_product(conn, product_id, seller_id, is_admin, changes)
            self.search.index(conn, product_id)
            out = catalog.product_view(conn, product_id, self._available)
        self.emitter.emit(SYSTEM, "product_updated", actor=seller_id, entity=str(product_id))
        return out

    def set_price(self, variant_id: int, price: int, seller_id: str, is_admin: bool) -> dict:
        with self.engine.begin() as conn:
            catalog.set_variant_price(conn, variant_id, price, seller_id, is_admin)
            pid = conn.execute(
                select(variants.c.product_id).where(variants.c.id == variant_id)
            ).scalar_one()
            out = catalog.product_view(conn, pid, self._available)
        self.emitter.emit(
            SYSTEM, "price_set", actor=seller_id, entity=str(variant_id), attrs={"price": price}
        )
        return out

    def product(self, product_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return catalog.product_view(conn, product_id, self._available)

    def categories(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return catalog.tree(conn)

    @staticmethod
    def _available(conn, variant_id: int) -> int:
        return inventory.counts(conn, variant_id)["available"]

    def receive_stock(
        self,
        variant_id: int,
        warehouse_id: str,
        qty: int,
        seller_id: str,
        is_admin: bool,
        ref: str = "receipt",
    ) -> dict[str, int]:
        """Goods into a warehouse (the seller of the product, or an admin)."""
        if not 1 <= qty <= 10**9:
            raise Invalid("a receipt is 1 to 10^9 units")
        with self.engine.begin() as conn:
            v = conn.execute(select(variants).where(variants.c.id == variant_id)).first()
            if v is None:
                raise NotFound(f"no variant {variant_id}")
            catalog.owned_product(conn, v.product_id, seller_id, is_admin)
            if not conn.execute(
                select(warehouses.c.id).where(warehouses.c.id == warehouse_id)
            ).first():
                raise NotFound(f"no warehouse {warehouse_id!r}")
            inventory.receive(conn, variant_id, warehouse_id, qty, ref, self.clock())
            out = inventory.counts(conn, variant_id)
        self._dirty.set()
        return out

    def product_of_variant(self, variant_id: int) -> int:
        with self.engine.connect() as conn:
            pid = conn.execute(
                select(variants.c.product_id).where(variants.c.id == variant_id)
            ).scalar()
        if pid is None:
            raise NotFound(f"no variant {variant_id}")
        return int(pid)

    def find(
        self,
        *,
        q: str | None = None,
        category: int | None = None,
        min_price: int | None = None,
        max_price: int | None = None,
        seller: str | None = None,
        min_rating: float | None = None,
        attrs: list[str] | tuple[str, ...] = (),
        sort: str = "relevance",
        limit: int = 20,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """Faceted search; ``attrs`` are ``name:value`` (integers and booleans read as such)."""
        parsed: dict[str, Any] = {}
        for item in attrs:
            name, sep, raw = item.partition(":")
            if not sep or not name:
                raise Invalid(f"attribute filter {item!r} must be name:value")
            value: Any = raw
            if re.fullmatch(r"-?\d{1,18}", raw):
                value = int(raw)
            elif raw in ("true", "false"):
                value = raw == "true"
            parsed[name] = value
        filters: dict[str, Any] = {
            "q": q,
            "min_price": min_price,
            "max_price": max_price,
            "seller": seller,
            "min_rating": min_rating,
            "attributes": parsed,
        }
        if category is not None:
            with self.engine.connect() as conn:
                filters["category_path"] = catalog.category_path(conn, category)
        return self.search.search(filters, sort, limit, cursor)

    def stock_of(self, variant_id: int) -> dict[str, int]:
        with self.engine.connect() as conn:
            if not conn.execute(select(variants.c.id).where(variants.c.id == variant_id)).first():
                raise NotFound(f"no variant {variant_id}")
            return inventory.counts(conn, variant_id)

    def also_bought(self, product_id: int, k: int = 10) -> dict[str, Any]:
        """Products bought by this product's customers, from the promoted model (503 until
        one is promoted); products the model knows but the catalogue does not are skipped."""
        served = self.recs.current() if self.recs is not None else None
        if served is None or served.model is None:
            raise Unavailable(
                "no also-bought model is promoted yet; materialise shop_also_bought_promoted"
            )
        with self.engine.connect() as conn:
            code = conn.execute(
                select(products.c.code).where(
                    and_(products.c.id == product_id, products.c.active.is_(True))
                )
            ).scalar()
            if code is None:
                raise NotFound(f"no product {product_id}")
            ranked = served.model.similar(code, k + 5, fallback=False)
            rows = {
                r.code: r
                for r in conn.execute(
                    select(products).where(
                        and_(
                            products.c.code.in_([c for c, _ in ranked]), products.c.active.is_(True)
                        )
                    )
                )
            }
        items = [
            {**catalog.product_summary(rows[c]), "score": round(float(score), 6)}
            for c, score in ranked
            if c in rows
        ][:k]
        return {"product_id": product_id, "model_version": served.version, "items": items}

    # -- carts -------------------------------------------------------------------------------

    def cart(self, owner: str, conn: Connection | None = None) -> dict[str, Any]:
        """The cart's lines priced from the catalogue (read in ``conn`` when given)."""
        if conn is None:
            with self.engine.connect() as conn:
                return self.cart(owner, conn)
        rows = conn.execute(
            select(
                carts.c.variant_id,
                carts.c.qty,
                variants.c.price,
                variants.c.currency,
                products.c.title,
                products.c.id.label("product_id"),
            )
            .select_from(
                carts.join(variants, variants.c.id == carts.c.variant_id).join(
                    products, products.c.id == variants.c.product_id
                )
            )
            .where(carts.c.owner == owner)
            .order_by(carts.c.variant_id)
        ).all()
        lines = [
            {
                "variant_id": r.variant_id,
                "product_id": r.product_id,
                "title": r.title,
                "qty": r.qty,
                "unit_price": r.price,
                "currency": r.currency,
            }
            for r in rows
        ]
        return {
            "lines": lines,
            "total": sum(ln["qty"] * ln["unit_price"] for ln in lines),
            "currency": self.conf.currency,
        }

    def set_cart_line(
        self, owner: str, variant_id: int, qty: int, guest_token: str | None = None
    ) -> dict[str, Any]:
        """Set a line's quantity (0 removes it); the price is always the catalogue's. A guest
        cart is checked in the same transaction (a merge cannot slip in between)."""
        if not 0 <= qty <= self.conf.max_line_qty:
            raise Invalid(f"quantity must be 0 to {self.conf.max_line_qty} (0 removes the line)")
        with self.engine.begin() as conn:
            if guest_token is not None:
                guests.owner(conn, guest_token, writing=True)
            catalog.priced_variant(conn, variant_id)
            key = and_(carts.c.owner == owner, carts.c.variant_id == variant_id)
            if qty == 0:
                conn.execute(delete(carts).where(key))
            elif not conn.execute(
                update(carts).where(key).values(qty=qty, updated_at=self.clock())
            ).rowcount:
                n = conn.execute(select(func.count()).where(carts.c.owner == owner)).scalar()
                if n >= self.conf.max_cart_lines:
                    raise Invalid(f"a cart holds at most {self.conf.max_cart_lines} lines")
                conn.execute(
                    insert(carts).values(
                        owner=owner, variant_id=variant_id, qty=qty, updated_at=self.clock()
                    )
                )
            return self.cart(owner, conn)

    def new_guest_cart(self) -> str:
        with self.engine.begin() as conn:
            return guests.issue(conn, self.clock())

    def guest_cart(self, token: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return self.cart(guests.owner(conn, token), conn)

    def set_guest_cart_line(self, token: str, variant_id: int, qty: int) -> dict[str, Any]:
        return self.set_cart_line("guest:" + token, variant_id, qty, guest_token=token)

    def merge_guest_cart(self, customer: str, token: str) -> dict[str, Any]:
        """On login: the guest cart's lines join the customer's (quantities add, capped)."""
        guest = "guest:" + token
        now = self.clock()
        with self.engine.begin() as conn:
            if not guests.claim(conn, token, customer):
                return self.cart(customer, conn)  # merged already by this customer
            lines = conn.execute(select(carts).where(carts.c.owner == guest)).all()
            for ln in lines:
                key = and_(carts.c.owner == customer, carts.c.variant_id == ln.variant_id)
                merged = conn.execute(
                    update(carts)
                    .where(key)
                    .values(
                        qty=func.min(carts.c.qty + ln.qty, self.conf.max_line_qty)
                        if self.engine.dialect.name == "sqlite"
                        else func.least(carts.c.qty + ln.qty, self.conf.max_line_qty),
                        updated_at=now,
                    )
                ).rowcount
                if not merged:
                    conn.execute(
                        insert(carts).values(
                            owner=customer, variant_id=ln.variant_id, qty=ln.qty, updated_at=now
                        )
                    )
            conn.execute(delete(carts).where(carts.c.owner == guest))
        self.emitter.emit(SYSTEM, "cart_merged", actor=customer, attrs={"lines": len(lines)})
        return self.cart(customer)

    # -- checkout ----------------------------------------------------------------------------

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
                **self.reserve(checkout_id, customer, None, country, expected_total, paying=True)
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
        self._on_transition(order, order["status"])
        return order

    def reserve(
        self,
        checkout_id: str,
        customer: str,
        items: list[tuple[int, int]] | None,
        country: str,
        expected_total: int | None = None,
        paying: bool = False,
    ) -> dict[str, Any]:
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
            now=self.clock(),
            ttl_s=self.conf.reservation_ttl_s,
            paying=paying,
        )
        self._dirty.set()
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
        if key is None:
            return run(), False
        stored = self.keys.claim(scope, key, fingerprint(method, path, body))
        if stored is not None:
            if stored.status >= 400:
                err = DomainError(stored.body["detail"])
                err.status = stored.status
                raise err
            return stored.body, True
        try:
            result = run()
        except DomainError as exc:
            if exc.status in (402, 409):
                self.keys.finish(scope, key, exc.status, {"detail": exc.message})
            else:
                self.keys.release(scope, key)
            raise
        except BaseException:
            self.keys.release(scope, key)
            raise
        self.keys.finish(scope, key, 200, result)
        return result, False

    # -- background --------------------------------------------------------------------------

    def sweep(self) -> int:
        """Release every reservation past its expiry; how many."""
        n = 0
        for checkout_id in co.expired(self.engine, self.clock()):
            if co.release(self.engine, checkout_id, "expired", self.clock(), only_expired=True):
                n += 1
                self.saga.settle(checkout_id)
        if n:
            self._dirty.set()
        return n

    def reconcile(self) -> dict[str, int]:
        return self.saga.reconcile()

    def publish(self) -> int:
        """Send the ledger and order transitions not yet in the lake."""
        self._dirty.clear()
        return self.outbox.pump()

    def start(self) -> None:
        if self._sweeper is not None:
            return
        self._stop.clear()

        def loop() -> None:
            last = 0.0
            while not self._stop.wait(self.conf.sweep_interval_s):
                try:
                    self.sweep()
                    if self.local_gateway is not None:
                        self.local_gateway.deliver_webhooks()
                    if time.monotonic() - last > self.conf.reconcile_interval_s:
                        last = time.monotonic()
                        self.reconcile()
                        self.support.check_slas()
                    if self._dirty.is_set():
                        self.publish()
                except Exception:  # noqa: BLE001 - the sweeper must outlive one bad pass
                    log.exception("shop sweeper pass failed")

        self._sweeper = threading.Thread(target=loop, name="shop-sweeper", daemon=True)
        self._sweeper.start()

    def stop(self) -> None:
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=10)
            self._sweeper = None

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
        out |= {
            "revenue": gross - refunded,
            "refunded": refunded,
            "reserved_units": int(reserved),
            "open_checkouts": int(open_checkouts),
        }
        return out

    def is_seller_of(self, seller_id: str, product_id: int) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(select(products.c.seller_id).where(products.c.id == product_id))
            found = row.first()
        if found is None:
            raise NotFound(f"no product {product_id}")
        if found.seller_id != seller_id:
            raise Forbidden(f"product {product_id} belongs to another seller")
        return True
