"""The checkout's database steps: reserve, convert to an order, release. Each is one
transaction; the payment calls between them live in ``services.shop.saga``.

1. ``reserve``: price the cart from the catalogue (the client never sets a price), reserve
   every line with conditional UPDATEs and record the checkout, or take nothing (409).
2. ``convert``: only a checkout still ``reserved`` and unexpired becomes ``ordered``; its
   reservations become sales and the paid order is written with its lines and the payment
   reference, all in one transaction.
3. ``release``: a checkout that failed, expired or was abandoned gives its stock back.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from services.errors import Conflict, Invalid
from services.shop import inventory
from services.shop.catalog import priced_variant
from services.shop.store import (
    carts,
    checkouts,
    order_events,
    order_lines,
    orders,
    payments,
    reservations,
)

# The checkout's statements, built once (only their parameters change per call).
_c = checkouts.c
_cart_items = (
    select(carts.c.variant_id, carts.c.qty)
    .where(carts.c.owner == bindparam("k_owner"))
    .order_by(carts.c.variant_id)
)
_empty_cart = delete(carts).where(carts.c.owner == bindparam("k_owner"))
_insert_checkout = insert(checkouts)
_insert_reservations = insert(reservations)
_insert_order = insert(orders)
_insert_lines = insert(order_lines)
_insert_events = insert(order_events)
_insert_payment = insert(payments)
_claim = (
    update(checkouts)
    .where(
        and_(
            _c.id == bindparam("k_id"),
            _c.status == "reserved",
            _c.expires_at > bindparam("k_now"),
        )
    )
    .values(
        status="ordered",
        order_id=bindparam("k_order"),
        intent_id=bindparam("k_intent"),
        pay_state="captured",
    )
    .returning(_c.customer, _c.amount, _c.currency, _c.lines)
)
_held_rows = select(reservations).where(reservations.c.checkout_id == bindparam("k_id"))


class PriceChanged(Conflict):
    """The client's expected total no longer matches the catalogue (409)."""


def price_lines(
    conn: Connection, items: list[tuple[int, int]], currency: str, max_qty: int
) -> list[dict[str, Any]]:
    """Cart items ``(variant, qty)`` priced from the catalogue, checked against the caps."""
    if not items:
        raise Conflict("nothing to check out: the cart is empty")
    lines = []
    for variant_id, qty in items:
        if not 1 <= qty <= max_qty:
            raise Invalid(f"quantity of variant {variant_id} must be 1 to {max_qty}")
        v = priced_variant(conn, variant_id)
        if v.currency != currency:
            raise Invalid(f"variant {variant_id} is sold in {v.currency}, not {currency}")
        lines.append(
            {
                "variant_id": v.id,
                "product_id": v.product_id,
                "seller_id": v.seller_id,
                "category_id": v.category_id,
                "title": v.title,
                "qty": qty,
                "unit_price": v.price,
            }
        )
    return lines


def reserve(
    engine: Engine,
    checkout_id: str,
    customer: str,
    items: list[tuple[int, int]] | None,
    *,
    country: str,
    currency: str,
    rule: str,
    max_qty: int,
    expected_total: int | None,
    now: float,
    ttl_s: float,
    paying: str | None = None,
) -> dict[str, Any]:
    """``paying``: the payment method the caller charges next, so the checkout is recorded
    ``authorizing`` with it in this same transaction (one write fewer; a crash before or
    after the gateway call is settled like any unknown outcome: the same call under the same
    key, then a refund). ``items`` None: the customer's cart, read in this same
    transaction."""
    with engine.begin() as conn:
        if items is None:
            items = [tuple(r) for r in conn.execute(_cart_items, {"k_owner": customer})]
        lines = price_lines(conn, items, currency, max_qty)
        amount = sum(line["unit_price"] * line["qty"] for line in lines)
        if expected_total is not None and expected_total != amount:
            raise PriceChanged(
                f"the cart now costs {amount} {currency} (minor units), not {expected_total}; "
                "review the cart and check out again"
            )
        taken = []
        for line in lines:
            taken += inventory.reserve_line(
                conn,
                line["variant_id"],
                line["qty"],
                rule=rule,
                country=country,
                ref=checkout_id,
                ts=now,
                label=f"{line['title']!r} (variant {line['variant_id']})",
            )
        row = {
            "id": checkout_id,
            "customer": customer,
            "country": country,
            "amount": amount,
            "currency": currency,
            "lines": json.dumps(lines),
            "status": "reserved",
            "expires_at": now + ttl_s,
            "created_at": now,
            "pay_state": "authorizing" if paying else None,
            "pay_attempt": 0,
            "pay_method": paying,
        }
        conn.execute(_insert_checkout, row)
        conn.execute(
            _insert_reservations,
            [
                {
                    "checkout_id": checkout_id,
                    "variant_id": t.variant_id,
                    "warehouse_id": t.warehouse_id,
                    "qty": t.qty,
                }
                for t in taken
            ],
        )
    row["held"] = [(t.variant_id, t.warehouse_id, t.qty) for t in taken]
    return row


def set_pay_state(engine: Engine, checkout_id: str, expected: tuple, new: str, **values) -> bool:
    c = checkouts.c
    cond = [c.pay_state.is_(None) if e is None else c.pay_state == e for e in expected]
    with engine.begin() as conn:
        return bool(
            conn.execute(
                update(checkouts)
                .where(and_(c.id == checkout_id, or_(*cond)))
                .values(pay_state=new, **values)
            ).rowcount
        )


def _held(conn: Connection, checkout_id: str) -> list[Any]:
    return conn.execute(_held_rows, {"k_id": checkout_id}).all()


def convert(
    engine: Engine,
    checkout_id: str,
    order_id: str,
    intent_id: str,
    now: float,
    held: list[tuple[int, str, int]] | None = None,
) -> dict[str, Any] | None:
    """Checkout to paid order in one transaction, after the charge (``intent_id``) took the
    money; None when the checkout lapsed or was released first (the caller gives it back).

    The checkout is claimed with ``UPDATE ... RETURNING`` (no re-read), and ``held`` is the
    ``(variant, warehouse, qty)`` reservations when the caller just made them. The order, its
    lines, its ``placed`` and ``paid`` events and the payments log's ``captured`` row are
    written together; the answer is the order's view, so the caller need not read it back."""
    claim = {"k_id": checkout_id, "k_now": now, "k_order": order_id, "k_intent": intent_id}
    with engine.begin() as conn:
        co = conn.execute(_claim, claim).first()
        if co is None:
            return None
        if held is None:
            held = [(r.variant_id, r.warehouse_id, r.qty) for r in _held(conn, checkout_id)]
        lines = {line["variant_id"]: line for line in json.loads(co.lines)}
        rows = []
        for variant_id, warehouse_id, qty in held:
            if not inventory.sell(conn, variant_id, warehouse_id, qty, order_id, now):
                raise RuntimeError(f"reservation of {checkout_id} vanished")  # the CHECKs hold
            line = lines[variant_id]
            rows.append(
                {
                    "order_id": order_id,
                    "variant_id": variant_id,
                    "warehouse_id": warehouse_id,
                    "product_id": line["product_id"],
                    "seller_id": line["seller_id"],
                    "qty": qty,
                    "unit_price": line["unit_price"],
                }
            )
        order = {
            "id": order_id,
            "customer": co.customer,
            "checkout_id": checkout_id,
            "status": "paid",
            "amount": co.amount,
            "refunded": 0,
            "currency": co.currency,
            "intent_id": intent_id,
            "source": "checkout",
            "created_at": now,
            "updated_at": now,
        }
        conn.execute(_insert_order, order)
        conn.execute(_insert_lines, rows)
        events = [
            {"status": "placed", "actor": co.customer, "note": "", "ts": now},
            {"status": "paid", "actor": "gateway", "note": "", "ts": now},
        ]
        conn.execute(_insert_events, [{"order_id": order_id, **e} for e in events])
        conn.execute(
            _insert_payment,
            {
                "checkout_id": checkout_id,
                "order_id": order_id,
                "kind": "captured",
                "amount": co.amount,
                "intent_id": intent_id,
                "ts": now,
            },
        )
        conn.execute(_empty_cart, {"k_owner": co.customer})
    return {
        "id": order_id,
        "customer": co.customer,
        "status": "paid",
        "amount": co.amount,
        "refunded": 0,
        "currency": co.currency,
        "payment_reference": intent_id,
        "lines": [
            {k: r[k] for k in ("product_id", "variant_id", "warehouse_id", "seller_id", "qty")}
            | {"unit_price": r["unit_price"]}
            for r in sorted(rows, key=lambda r: (r["variant_id"], r["warehouse_id"]))
        ],
        "events": events,
    }


def release(engine: Engine, checkout_id: str, to: str, now: float, *, only_expired: bool) -> bool:
    """Give back a ``reserved`` checkout's stock and mark it ``to`` (expired, failed,
    released); False when it was converted or released already."""
    c = checkouts.c
    cond = [c.id == checkout_id, c.status == "reserved"]
    if only_expired:
        cond.append(c.expires_at <= now)
    with engine.begin() as conn:
        if not conn.execute(update(checkouts).where(and_(*cond)).values(status=to)).rowcount:
            return False
        for r in _held(conn, checkout_id):
            inventory.release(conn, r.variant_id, r.warehouse_id, r.qty, checkout_id, now)
    return True


def expired(engine: Engine, now: float, limit: int = 500) -> list[str]:
    c = checkouts.c
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(c.id)
                .where(and_(c.status == "reserved", c.expires_at <= now))
                .order_by(c.expires_at)
                .limit(limit)
            ).scalars()
        )
