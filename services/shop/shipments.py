"""Per-seller shipments of an order: each seller packs, ships, delivers and refunds only its
own lines, and the order's state is derived from its shipments (it is packed, shipped or
delivered once every shipment is).

Shipment rows are written at an order's first fulfilment step, each in the order's state
then (before it, every shipment is in the order's state), so checkout writes nothing more.
A shipment moves only by ``UPDATE ... WHERE status = <from>``, like the order itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection

from services.errors import Conflict
from services.shop import lifecycle
from services.shop.store import order_lines, orders, shipments

# The fulfilment states, in order; the order is in the least advanced of its shipments'.
RANK = {"placed": 0, "paid": 1, "packed": 2, "shipped": 3, "delivered": 4}
MOVES = {
    "pack": ("paid", "packed"),
    "ship": ("packed", "shipped"),
    "deliver": ("shipped", "delivered"),
}


def _amounts(conn: Connection, order_id: str) -> dict[str, int]:
    ln = order_lines.c
    rows = conn.execute(
        select(ln.seller_id, func.sum(ln.qty * ln.unit_price))
        .where(ln.order_id == order_id)
        .group_by(ln.seller_id)
    ).all()
    return {seller: int(total) for seller, total in rows}


def listing(conn: Connection, order: Any, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The order's shipments for its view, one per seller, in seller order."""
    stored = {
        r.seller_id: r
        for r in conn.execute(select(shipments).where(shipments.c.order_id == order.id))
    }
    return derive(order.status, lines, stored)


def derive(status: str, lines: list[dict[str, Any]], stored: dict[str, Any]) -> list[dict]:
    """Shipments from the order's lines and the rows written so far: before fulfilment, and
    once the order has left fulfilment (cancelled, returned, refunded), they show its state."""
    amounts: dict[str, int] = {}
    for ln in lines:
        amounts[ln["seller_id"]] = amounts.get(ln["seller_id"], 0) + ln["qty"] * ln["unit_price"]
    out = []
    for seller in sorted(amounts):
        row = stored.get(seller)
        out.append(
            {
                "seller_id": seller,
                "status": row.status if row is not None and status in RANK else status,
                "amount": amounts[seller],
                "refunded": row.refunded if row is not None else 0,
            }
        )
    return out


def ensure(conn: Connection, order: Any, now: float) -> dict[str, Any]:
    """The order's shipment rows, written (in the order's state) if not yet."""
    stored = {
        r.seller_id: r
        for r in conn.execute(select(shipments).where(shipments.c.order_id == order.id))
    }
    missing = [
        {
            "order_id": order.id,
            "seller_id": seller,
            "status": order.status,
            "amount": amount,
            "refunded": 0,
            "updated_at": now,
        }
        for seller, amount in _amounts(conn, order.id).items()
        if seller not in stored
    ]
    if missing:
        conn.execute(insert(shipments), missing)
        stored = {
            r.seller_id: r
            for r in conn.execute(select(shipments).where(shipments.c.order_id == order.id))
        }
    return stored


def move(
    conn: Connection, order: Any, sellers: list[str], action: str, actor: str, now: float
) -> str:
    """Move the named sellers' shipments (those in the action's source state; at least one
    must be) and the order to the state they now derive; the order's new state."""
    source, target = MOVES[action]
    if order.status not in RANK:
        lifecycle.check(action, order.status)  # 409 naming what the order allows
    stored = ensure(conn, order, now)
    moved = []
    for seller in sellers:
        if seller not in stored:
            continue
        if conn.execute(
            update(shipments)
            .where(
                and_(
                    shipments.c.order_id == order.id,
                    shipments.c.seller_id == seller,
                    shipments.c.status == source,
                )
            )
            .values(status=target, updated_at=now)
        ).rowcount:
            moved.append(seller)
    if not moved:
        states = ", ".join(f"{s}: {stored[s].status}" for s in sellers if s in stored)
        raise lifecycle.InvalidTransition(
            f"cannot {action} a shipment that is not {source} ({states or 'no shipment'})"
        )
    statuses = conn.execute(
        select(shipments.c.status).where(shipments.c.order_id == order.id)
    ).scalars()
    derived = min(statuses, key=RANK.__getitem__)
    note = "shipment of " + ", ".join(moved)
    if derived != order.status:
        if not lifecycle.move(conn, order.id, order.status, derived, actor, now, note):
            raise lifecycle.InvalidTransition(f"order {order.id} changed meanwhile; look again")
    else:
        lifecycle.record(conn, order.id, target, actor, now, note)
        conn.execute(update(orders).where(orders.c.id == order.id).values(updated_at=now))
    return derived


def cancellable(conn: Connection, order_id: str) -> None:
    """409 when any shipment has left the warehouse (the order may still look ``packed``)."""
    gone = conn.execute(
        select(shipments.c.seller_id).where(
            and_(shipments.c.order_id == order_id, shipments.c.status.in_(["shipped", "delivered"]))
        )
    ).first()
    if gone is not None:
        raise Conflict(
            f"the shipment of {gone.seller_id} has shipped; request a return once delivered"
        )


def refund(conn: Connection, order: Any, seller: str, amount: int, actor: str, now: float) -> str:
    """A seller's (partial) refund of its own delivered shipment: capped by what is left of
    that shipment; the order's state (partially) refunded once it is out of fulfilment or
    every shipment is delivered. The order's new state."""
    row = ensure(conn, order, now).get(seller)
    if order.status in RANK:
        if row is None or row.status != "delivered":
            raise lifecycle.InvalidTransition(
                f"the shipment of {seller} is {row.status if row else 'absent'}; "
                "a shipment is refunded once delivered"
            )
        left = row.amount - row.refunded
    else:
        left = row.amount - row.refunded if row is not None else 0
    if amount > left:
        raise lifecycle.InvalidTransition(
            f"refund of {amount} exceeds what is left of {seller}'s shipment ({left})"
        )
    if row is not None:  # always, past the checks above
        conn.execute(
            update(shipments)
            .where(and_(shipments.c.order_id == order.id, shipments.c.seller_id == seller))
            .values(refunded=shipments.c.refunded + amount, updated_at=now)
        )
    note = f"refund {amount} (shipment of {seller})"
    if order.status in lifecycle.REFUNDABLE:
        target = lifecycle.refund_target(order.status, amount, order.refunded, order.amount)
        moved = lifecycle.move(
            conn, order.id, order.status, target, actor, now, note, refunded=order.refunded + amount
        )
    else:  # a delivered shipment of an order still in fulfilment: money back, state kept
        target = order.status
        moved = conn.execute(
            update(orders)
            .where(and_(orders.c.id == order.id, orders.c.status == order.status))
            .values(refunded=orders.c.refunded + amount, updated_at=now)
        ).rowcount
        if moved:
            lifecycle.record(conn, order.id, order.status, actor, now, note)
    if not moved:
        raise lifecycle.InvalidTransition(f"order {order.id} changed meanwhile; look again")
    return target


def attribute_refund(conn: Connection, order: Any, amount: int, now: float) -> dict[str, int]:
    """An order-level refund (an admin's, or a cancellation's) split over the order's
    shipments in proportion to what is left of each (largest remainders take the odd
    units), so each seller's refunded part stays its own and the parts always add up to
    the order's refunds. The share of each seller."""
    stored = ensure(conn, order, now)
    left = {s: r.amount - r.refunded for s, r in stored.items() if r.amount > r.refunded}
    total = sum(left.values())
    if amount <= 0 or amount > total:
        raise lifecycle.InvalidTransition(
            f"refund of {amount} exceeds what is left of the order's shipments ({total})"
        )
    share = {s: amount * part // total for s, part in left.items()}
    odd = amount - sum(share.values())  # fewer than the number of shipments
    for seller in sorted(left, key=lambda s: (-(amount * left[s] % total), s))[:odd]:
        share[seller] += 1
    for seller, part in share.items():
        if part:
            conn.execute(
                update(shipments)
                .where(and_(shipments.c.order_id == order.id, shipments.c.seller_id == seller))
                .values(refunded=shipments.c.refunded + part, updated_at=now)
            )
    return share
