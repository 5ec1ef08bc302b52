"""The order lifecycle as a table of allowed moves, and who may make each one.

An order changes state only through ``UPDATE ... WHERE status = <from>`` (``move``), so two
racing requests cannot both apply; anything not in ``MOVES`` is a 409 naming what is allowed.
Tracking events while shipped are recorded without a change of state.
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam, insert, update
from sqlalchemy.engine import Connection

from services.errors import Conflict
from services.shop.store import order_events, orders

STATES = (
    "placed",
    "paid",
    "packed",
    "shipped",
    "delivered",
    "cancelled",
    "return_requested",
    "returned",
    "partially_refunded",
    "refunded",
)

# action -> (states it may start from, the state it leads to, roles allowed besides admin)
MOVES: dict[str, tuple[frozenset[str], str, frozenset[str]]] = {
    "pay": (frozenset({"placed"}), "paid", frozenset()),
    "pack": (frozenset({"paid"}), "packed", frozenset({"seller"})),
    "ship": (frozenset({"packed"}), "shipped", frozenset({"seller"})),
    "deliver": (frozenset({"shipped"}), "delivered", frozenset({"seller"})),
    "cancel": (frozenset({"placed", "paid", "packed"}), "cancelled", frozenset({"customer"})),
    "request_return": (
        frozenset({"delivered", "partially_refunded"}),
        "return_requested",
        frozenset({"customer"}),
    ),
    "reject_return": (frozenset({"return_requested"}), "delivered", frozenset({"seller"})),
    "receive_return": (frozenset({"return_requested"}), "returned", frozenset({"seller"})),
}
# Refunds move to partially_refunded or refunded by amount (``refund_target``).
REFUNDABLE = frozenset({"delivered", "returned", "return_requested", "partially_refunded"})


class InvalidTransition(Conflict):
    """The order is not in a state this action starts from (409)."""


def check(action: str, status: str) -> str:
    """The state ``action`` leads to from ``status``, or 409 saying what is possible."""
    sources, target, _roles = MOVES[action]
    if status not in sources:
        allowed = sorted(a for a, (src, _t, _r) in MOVES.items() if status in src)
        raise InvalidTransition(
            f"cannot {action.replace('_', ' ')} an order that is {status}; "
            f"from {status} you may: {', '.join(allowed) or 'nothing more'}"
        )
    return target


def refund_target(status: str, amount: int, refunded: int, total: int) -> str:
    if status not in REFUNDABLE:
        raise InvalidTransition(
            f"an order that is {status} cannot be refunded by amount; "
            "cancel it before it ships, or refund it once delivered or returned"
        )
    if amount <= 0 or refunded + amount > total:
        raise InvalidTransition(
            f"refund of {amount} exceeds what is left to refund ({total - refunded})"
        )
    return "refunded" if refunded + amount == total else "partially_refunded"


_insert_event = insert(order_events)
_move = (
    update(orders)
    .where(and_(orders.c.id == bindparam("b_oid"), orders.c.status == bindparam("b_from")))
    .values(status=bindparam("b_to"), updated_at=bindparam("b_now"))
)


def move(
    conn: Connection,
    order_id: str,
    source: str,
    target: str,
    actor: str,
    now: float,
    note: str = "",
    **values: object,
) -> bool:
    """Compare-and-set the order's state and record the transition; False if it moved."""
    if values:
        done = conn.execute(
            update(orders)
            .where(and_(orders.c.id == order_id, orders.c.status == source))
            .values(status=target, updated_at=now, **values)
        ).rowcount
    else:  # the common move: a statement built once
        params = {"b_oid": order_id, "b_from": source, "b_to": target, "b_now": now}
        done = conn.execute(_move, params).rowcount
    if done:
        record(conn, order_id, target, actor, now, note)
    return bool(done)


def record(
    conn: Connection, order_id: str, status: str, actor: str, now: float, note: str = ""
) -> None:
    conn.execute(
        _insert_event,
        {"order_id": order_id, "status": status, "actor": actor, "note": note[:500], "ts": now},
    )
