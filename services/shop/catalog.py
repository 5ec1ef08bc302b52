"""Catalogue: a category tree, products owned by sellers, variants with prices in minor units.

Attributes are typed (string, integer, boolean; never a float, so no price hides in one) and
flattened into ``shop_product_attrs`` for filters and facets. A seller changes only its own
products (403 otherwise); admins change any.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from services.errors import Forbidden, Invalid, NotFound
from services.shop.store import categories, product_attrs, products, variants

MAX_PRICE = 10**12
AttrValue = str | int | bool


def check_attributes(attrs: dict[str, Any] | None) -> dict[str, AttrValue]:
    """Attributes with names of 1-64 characters and string, integer or boolean values."""
    out: dict[str, AttrValue] = {}
    for name, value in (attrs or {}).items():
        if not isinstance(name, str) or not 1 <= len(name) <= 64:
            raise Invalid("attribute names are 1 to 64 characters")
        typed = isinstance(value, bool | int) or (isinstance(value, str) and len(value) <= 200)
        if typed:
            out[name] = value
        else:
            raise Invalid(
                f"attribute {name!r} must be a string (up to 200), an integer or a boolean"
            )
    if len(out) > 30:
        raise Invalid("at most 30 attributes")
    return out


def check_price(price: int) -> int:
    if isinstance(price, bool) or not isinstance(price, int) or not 0 <= price <= MAX_PRICE:
        raise Invalid(f"a price is an integer number of minor units, 0 to {MAX_PRICE}")
    return price


def ensure_category(
    conn: Connection, path: list[str], cache: dict | None = None
) -> tuple[int, str]:
    """The id and id-path of the category named by ``path`` from the root, made if missing
    (``cache`` remembers levels already seen, for bulk loads)."""
    if not path or len(path) > 6:
        raise Invalid("a category path has 1 to 6 names")
    parent: int | None = None
    id_path = "/"
    c = categories.c
    for name in path:
        name = name.strip()
        if not 1 <= len(name) <= 120:
            raise Invalid("category names are 1 to 120 characters")
        if cache is not None and (parent, name) in cache:
            parent, id_path = cache[(parent, name)]
            continue
        cond = c.parent_id.is_(None) if parent is None else c.parent_id == parent
        row = conn.execute(select(c.id, c.path).where(and_(cond, c.name == name))).first()
        key = (parent, name)
        if row is None:
            new_id = conn.execute(
                insert(categories).values(parent_id=parent, name=name, path="")
            ).inserted_primary_key[0]
            full = f"{id_path}{new_id}/"
            conn.execute(update(categories).where(c.id == new_id).values(path=full))
            parent, id_path = new_id, full
        else:
            parent, id_path = row.id, row.path
        if cache is not None:
            cache[key] = (parent, id_path)
    assert parent is not None
    return parent, id_path


def category_path(conn: Connection, category_id: int) -> str:
    row = conn.execute(select(categories.c.path).where(categories.c.id == category_id)).first()
    if row is None:
        raise NotFound(f"no category {category_id}")
    return row.path


def tree(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(categories).order_by(categories.c.path)).all()
    return [{"id": r.id, "parent_id": r.parent_id, "name": r.name, "path": r.path} for r in rows]


def _set_attrs(conn: Connection, product_id: int, attrs: dict[str, AttrValue]) -> None:
    conn.execute(delete(product_attrs).where(product_attrs.c.product_id == product_id))
    if attrs:
        conn.execute(
            insert(product_attrs),
            [
                {"product_id": product_id, "name": k, "value": json.dumps(v)}
                for k, v in attrs.items()
            ],
        )


def add_product(
    conn: Connection,
    *,
    seller_id: str,
    code: str,
    title: str,
    description: str,
    category: list[str],
    attributes: dict[str, Any] | None,
    currency: str,
    variants_in: list[dict[str, Any]],
    now: float,
) -> int:
    """A product with its variants; ``variants_in`` items: ``sku``, ``price``, ``attributes``."""
    if not variants_in:
        raise Invalid("a product needs at least one variant")
    attrs = check_attributes(attributes)
    cat_id, cat_path = ensure_category(conn, category)
    if conn.execute(select(products.c.id).where(products.c.code == code)).first():
        raise Invalid(f"product code {code!r} is taken")
    pid = conn.execute(
        insert(products).values(
            code=code,
            seller_id=seller_id,
            title=title,
            description=description,
            category_id=cat_id,
            category_path=cat_path,
            attributes=json.dumps(attrs),
            currency=currency,
            min_price=0,
            created_at=now,
        )
    ).inserted_primary_key[0]
    _set_attrs(conn, pid, attrs)
    for v in variants_in:
        add_variant(conn, pid, v["sku"], v["price"], v.get("attributes"), currency)
    return pid


def add_variant(
    conn: Connection, product_id: int, sku: str, price: int, attributes: Any, currency: str
) -> int:
    check_price(price)
    if conn.execute(select(variants.c.id).where(variants.c.sku == sku)).first():
        raise Invalid(f"sku {sku!r} is taken")
    vid = conn.execute(
        insert(variants).values(
            product_id=product_id,
            sku=sku,
            price=price,
            currency=currency,
            attributes=json.dumps(check_attributes(attributes)),
        )
    ).inserted_primary_key[0]
    _refresh_min_price(conn, product_id)
    return vid


def _refresh_min_price(conn: Connection, product_id: int) -> None:
    low = select(func.min(variants.c.price)).where(variants.c.product_id == product_id)
    conn.execute(
        update(products)
        .where(products.c.id == product_id)
        .values(min_price=func.coalesce(low.scalar_subquery(), 0))
    )


def owned_product(conn: Connection, product_id: int, seller_id: str, is_admin: bool) -> Any:
    """The product if ``seller_id`` owns it (or an admin asks): 404 missing, 403 not theirs."""
    row = conn.execute(select(products).where(products.c.id == product_id)).first()
    if row is None:
        raise NotFound(f"no product {product_id}")
    if row.seller_id != seller_id and not is_admin:
        raise Forbidden(f"product {product_id} belongs to another seller")
    return row


def update_product(
    conn: Connection, product_id: int, seller_id: str, is_admin: bool, changes: dict[str, Any]
) -> None:
    owned_product(conn, product_id, seller_id, is_admin)
    values: dict[str, Any] = {}
    for key in ("title", "description", "active"):
        if changes.get(key) is not None:
            values[key] = changes[key]
    if changes.get("category") is not None:
        values["category_id"], values["category_path"] = ensure_category(conn, changes["category"])
    if changes.get("attributes") is not None:
        attrs = check_attributes(changes["attributes"])
        values["attributes"] = json.dumps(attrs)
        _set_attrs(conn, product_id, attrs)
    if values:
        conn.execute(update(products).where(products.c.id == product_id).values(**values))


def set_variant_price(
    conn: Connection, variant_id: int, price: int, seller_id: str, is_admin: bool
) -> None:
    row = conn.execute(select(variants).where(variants.c.id == variant_id)).first()
    if row is None:
        raise NotFound(f"no variant {variant_id}")
    owned_product(conn, row.product_id, seller_id, is_admin)
    conn.execute(
        update(variants).where(variants.c.id == variant_id).values(price=check_price(price))
    )
    _refresh_min_price(conn, row.product_id)


def product_view(conn: Connection, product_id: int, stock_by_variant: Any = None) -> dict:
    row = conn.execute(select(products).where(products.c.id == product_id)).first()
    if row is None or not row.active:
        raise NotFound(f"no product {product_id}")
    vs = conn.execute(
        select(variants).where(variants.c.product_id == product_id).order_by(variants.c.id)
    ).all()
    out = product_summary(row)
    out["description"] = row.description
    out["variants"] = [
        {
            "id": v.id,
            "sku": v.sku,
            "price": v.price,
            "currency": v.currency,
            "attributes": json.loads(v.attributes),
            "available": None if stock_by_variant is None else stock_by_variant(conn, v.id),
        }
        for v in vs
    ]
    return out


def product_summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "seller_id": row.seller_id,
        "title": row.title,
        "category_id": row.category_id,
        "attributes": json.loads(row.attributes),
        "price": row.min_price,
        "currency": row.currency,
        "rating": round(row.rating, 2),
        "rating_count": row.rating_count,
    }


_priced_variant = (
    select(
        variants.c.id,
        variants.c.product_id,
        variants.c.price,
        variants.c.currency,
        variants.c.sku,
        products.c.title,
        products.c.seller_id,
        products.c.category_id,
    )
    .select_from(variants.join(products, products.c.id == variants.c.product_id))
    .where(and_(variants.c.id == bindparam("pv_id"), products.c.active.is_(True)))
)  # built once: every cart change and checkout line runs it


def priced_variant(conn: Connection, variant_id: int) -> Any:
    """A sellable variant with its product's title and seller (404 unknown or withdrawn)."""
    row = conn.execute(_priced_variant, {"pv_id": variant_id}).first()
    if row is None:
        raise NotFound(f"no variant {variant_id}")
    return row
