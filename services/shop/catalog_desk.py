"""The catalogue as sellers and shoppers use it: warehouses, products and prices, stock
receipts, faceted search and "customers also bought". Owners are checked here (a seller
edits only its own products: 403); the statements live in ``catalog`` and ``inventory``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, insert, select
from sqlalchemy.engine import Engine

from services.errors import Forbidden, Invalid, NotFound, Unavailable
from services.shop import catalog, inventory
from services.shop.search import ShopSearch
from services.shop.settings import ShopSettings
from services.shop.store import products, variants, warehouses
from warehouse.emitter import Emitter

SYSTEM = "shop"


def available(conn, variant_id: int) -> int:
    """Units of a variant free to sell now, over every warehouse."""
    return inventory.counts(conn, variant_id)["available"]


class CatalogDesk:
    def __init__(
        self,
        engine: Engine,
        emitter: Emitter,
        conf: ShopSettings,
        now: Callable[[], float],
        search: ShopSearch,
        after_commit: Callable[[], None],
        recs: Any = None,
    ) -> None:
        self.engine = engine
        self.emitter = emitter
        self.conf = conf
        self.now = now
        self.search = search
        self.after_commit = after_commit
        self.recs = recs

    def add_warehouse(self, warehouse_id: str, country: str, priority: int = 0) -> dict:
        out = {"id": warehouse_id, "country": country, "priority": priority}
        with self.engine.begin() as conn:
            if conn.execute(select(warehouses.c.id).where(warehouses.c.id == warehouse_id)).first():
                return out
            conn.execute(
                insert(warehouses).values(id=warehouse_id, country=country, priority=priority)
            )
        return out

    def add_product(self, seller_id: str, **fields: Any) -> dict[str, Any]:
        fields.setdefault("currency", self.conf.currency)
        fields.setdefault("description", "")
        fields.setdefault("attributes", None)
        with self.engine.begin() as conn:
            pid = catalog.add_product(conn, seller_id=seller_id, now=self.now(), **fields)
            self.search.index(conn, pid)
            out = catalog.product_view(conn, pid, available)
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
            out = catalog.product_view(conn, product_id, available)
        self.emitter.emit(SYSTEM, "product_updated", actor=seller_id, entity=str(product_id))
        return out

    def set_price(self, variant_id: int, price: int, seller_id: str, is_admin: bool) -> dict:
        with self.engine.begin() as conn:
            catalog.set_variant_price(conn, variant_id, price, seller_id, is_admin)
            pid = conn.execute(
                select(variants.c.product_id).where(variants.c.id == variant_id)
            ).scalar_one()
            out = catalog.product_view(conn, pid, available)
        self.emitter.emit(
            SYSTEM, "price_set", actor=seller_id, entity=str(variant_id), attrs={"price": price}
        )
        return out

    def product(self, product_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return catalog.product_view(conn, product_id, available)

    def categories(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return catalog.tree(conn)

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
            inventory.receive(conn, variant_id, warehouse_id, qty, ref, self.now())
            out = inventory.counts(conn, variant_id)
        self.after_commit()
        return out

    def product_of_variant(self, variant_id: int) -> int:
        with self.engine.connect() as conn:
            pid = conn.execute(
                select(variants.c.product_id).where(variants.c.id == variant_id)
            ).scalar()
        if pid is None:
            raise NotFound(f"no variant {variant_id}")
        return int(pid)

    def is_seller_of(self, seller_id: str, product_id: int) -> bool:
        """True, or 403 (another seller's product) or 404 (no such product)."""
        with self.engine.connect() as conn:
            found = conn.execute(
                select(products.c.seller_id).where(products.c.id == product_id)
            ).first()
        if found is None:
            raise NotFound(f"no product {product_id}")
        if found.seller_id != seller_id:
            raise Forbidden(f"product {product_id} belongs to another seller")
        return True

    def stock_of(self, variant_id: int) -> dict[str, int]:
        with self.engine.connect() as conn:
            if not conn.execute(select(variants.c.id).where(variants.c.id == variant_id)).first():
                raise NotFound(f"no variant {variant_id}")
            return inventory.counts(conn, variant_id)

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

    def also_bought(self, product_id: int, k: int = 10) -> dict[str, Any]:
        """Products bought by this product's customers, from the promoted model (503 until
        one is promoted); products the model knows but the catalogue does not are skipped."""
        served = self.recs.current() if self.recs is not None else None
        if served is None or served.model is None:
            raise Unavailable(
                "no also-bought model is promoted yet; materialise shop_also_bought_promoted"
            )
        active = products.c.active.is_(True)
        with self.engine.connect() as conn:
            code = conn.execute(
                select(products.c.code).where(and_(products.c.id == product_id, active))
            ).scalar()
            if code is None:
                raise NotFound(f"no product {product_id}")
            ranked = served.model.similar(code, k + 5, fallback=False)
            rows = {
                r.code: r
                for r in conn.execute(
                    select(products).where(
                        and_(products.c.code.in_([c for c, _ in ranked]), active)
                    )
                )
            }
        items = [
            {**catalog.product_summary(rows[c]), "score": round(float(score), 6)}
            for c, score in ranked
            if c in rows
        ][:k]
        return {"product_id": product_id, "model_version": served.version, "items": items}
