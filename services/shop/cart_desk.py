"""Carts: one persistent cart per customer (rows in the store, so it survives restarts), and
guest carts that merge into the customer's on login. A line holds a variant and a quantity,
never a price: a cart is always priced from the catalogue when it is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from services.errors import Invalid
from services.shop import catalog, guests
from services.shop.settings import ShopSettings
from services.shop.store import carts, products, variants
from warehouse.emitter import Emitter

SYSTEM = "shop"

# The statements of a cart change, built once (only their parameters change per call).
_c = carts.c
_line = and_(_c.owner == bindparam("c_owner"), _c.variant_id == bindparam("c_variant"))
_update_line = (
    update(carts).where(_line).values(qty=bindparam("c_qty"), updated_at=bindparam("c_now"))
)
_delete_line = delete(carts).where(_line)
_insert_line = insert(carts)
_priced = (
    select(
        _c.variant_id,
        _c.qty,
        variants.c.price,
        variants.c.currency,
        products.c.title,
        products.c.id.label("product_id"),
    )
    .select_from(
        carts.join(variants, variants.c.id == _c.variant_id).join(
            products, products.c.id == variants.c.product_id
        )
    )
    .where(_c.owner == bindparam("c_owner"))
    .order_by(_c.variant_id)
)


def priced(conn: Connection, owner: str, currency: str) -> dict[str, Any]:
    """The cart's lines priced from the catalogue, and its total."""
    lines = [
        {
            "variant_id": r.variant_id,
            "product_id": r.product_id,
            "title": r.title,
            "qty": r.qty,
            "unit_price": r.price,
            "currency": r.currency,
        }
        for r in conn.execute(_priced, {"c_owner": owner})
    ]
    return {
        "lines": lines,
        "total": sum(ln["qty"] * ln["unit_price"] for ln in lines),
        "currency": currency,
    }


class CartDesk:
    def __init__(
        self, engine: Engine, emitter: Emitter, conf: ShopSettings, now: Callable[[], float]
    ) -> None:
        self.engine = engine
        self.emitter = emitter
        self.conf = conf
        self.now = now

    def cart(self, owner: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return priced(conn, owner, self.conf.currency)

    def set_line(
        self, owner: str, variant_id: int, qty: int, guest_token: str | None = None
    ) -> dict[str, Any]:
        """Set a line's quantity (0 removes it); the price is always the catalogue's. A guest
        cart is checked in the same transaction (a merge cannot slip in between)."""
        if not 0 <= qty <= self.conf.max_line_qty:
            raise Invalid(f"quantity must be 0 to {self.conf.max_line_qty} (0 removes the line)")
        now = self.now()
        key = {"c_owner": owner, "c_variant": variant_id}
        with self.engine.begin() as conn:
            if guest_token is not None:
                guests.owner(conn, guest_token, now, self.conf.guest_cart_ttl_s, writing=True)
            catalog.priced_variant(conn, variant_id)
            added = False
            if qty == 0:
                conn.execute(_delete_line, key)
            elif not conn.execute(_update_line, {**key, "c_qty": qty, "c_now": now}).rowcount:
                conn.execute(
                    _insert_line,
                    {"owner": owner, "variant_id": variant_id, "qty": qty, "updated_at": now},
                )
                added = True
            out = priced(conn, owner, self.conf.currency)
            if added and len(out["lines"]) > self.conf.max_cart_lines:
                # Counted in the answer's own read; raising rolls the new line back.
                raise Invalid(f"a cart holds at most {self.conf.max_cart_lines} lines")
            return out

    def new_guest_cart(self) -> str:
        with self.engine.begin() as conn:
            return guests.issue(conn, self.now())

    def guest_cart(self, token: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            owner = guests.owner(conn, token, self.now(), self.conf.guest_cart_ttl_s)
            return priced(conn, owner, self.conf.currency)

    def set_guest_line(self, token: str, variant_id: int, qty: int) -> dict[str, Any]:
        return self.set_line(guests.owner_key(token), variant_id, qty, guest_token=token)

    def merge_guest_cart(self, customer: str, token: str) -> dict[str, Any]:
        """On login: the guest cart's lines join the customer's (quantities add, capped)."""
        guest = guests.owner_key(token)
        now = self.now()
        least = func.min if self.engine.dialect.name == "sqlite" else func.least
        with self.engine.begin() as conn:
            if not guests.claim(conn, token, customer, now, self.conf.guest_cart_ttl_s):
                return priced(conn, customer, self.conf.currency)  # merged already by them
            lines = conn.execute(select(carts).where(_c.owner == guest)).all()
            for ln in lines:
                merged = conn.execute(
                    update(carts)
                    .where(and_(_c.owner == customer, _c.variant_id == ln.variant_id))
                    .values(qty=least(_c.qty + ln.qty, self.conf.max_line_qty), updated_at=now)
                ).rowcount
                if not merged:
                    conn.execute(
                        insert(carts).values(
                            owner=customer, variant_id=ln.variant_id, qty=ln.qty, updated_at=now
                        )
                    )
            conn.execute(delete(carts).where(_c.owner == guest))
            out = priced(conn, customer, self.conf.currency)
        self.emitter.emit(SYSTEM, "cart_merged", actor=customer, attrs={"lines": len(lines)})
        return out

    def purge_guest_carts(self) -> int:
        """Delete expired guest carts and their lines (the sweeper's pass); how many."""
        with self.engine.begin() as conn:
            return guests.purge(conn, self.now(), self.conf.guest_cart_ttl_s)
