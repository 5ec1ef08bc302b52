"""Orders after checkout: who may see them, and every move of the lifecycle with its side
effects (stock back on cancellation and return, refunds through the gateway, a support ticket
when a return is requested).

Customers see their own orders, sellers the orders holding their products, admins all; any
other order is 404, exactly as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, exists, select, update
from sqlalchemy.engine import Connection, Engine

from services.errors import Forbidden, NotFound
from services.shop import inventory, lifecycle, shipments
from services.shop.saga import Saga
from services.shop.store import order_events, order_lines, orders


def can_see(conn: Connection, order: Any, user: str, roles: frozenset[str]) -> bool:
    if "admin" in roles or order.customer == user:
        return True
    if "seller" in roles:
        return bool(
            conn.execute(
                select(
                    exists().where(
                        and_(order_lines.c.order_id == order.id, order_lines.c.seller_id == user)
                    )
                )
            ).scalar()
        )
    return False


def view(conn: Connection, order: Any) -> dict[str, Any]:
    lines = conn.execute(
        select(order_lines)
        .where(order_lines.c.order_id == order.id)
        .order_by(order_lines.c.variant_id, order_lines.c.warehouse_id)
    ).all()
    history = conn.execute(
        select(order_events).where(order_events.c.order_id == order.id).order_by(order_events.c.id)
    ).all()
    line_views = [
        {
            "product_id": ln.product_id,
            "variant_id": ln.variant_id,
            "warehouse_id": ln.warehouse_id,
            "seller_id": ln.seller_id,
            "qty": ln.qty,
            "unit_price": ln.unit_price,
        }
        for ln in lines
    ]
    return {
        "id": order.id,
        "customer": order.customer,
        "status": order.status,
        "amount": order.amount,
        "refunded": order.refunded,
        "currency": order.currency,
        "payment_reference": order.intent_id,
        "lines": line_views,
        "events": [
            {"status": e.status, "actor": e.actor, "note": e.note, "ts": e.ts} for e in history
        ],
        "shipments": shipments.listing(conn, order, line_views),
    }


def _lines(conn: Connection, order: Any) -> list[dict[str, Any]]:
    return [
        dict(r._mapping)
        for r in conn.execute(select(order_lines).where(order_lines.c.order_id == order.id))
    ]


class OrderDesk:
    def __init__(
        self,
        engine: Engine,
        saga: Saga,
        clock: Callable[[], float],
        after_commit: Callable[[], None],
        on_transition: Callable[[dict[str, Any], str], None],
        open_ticket: Callable[[str, str, str, str], Any],
    ) -> None:
        self.engine = engine
        self.saga = saga
        self.clock = clock
        self.after_commit = after_commit
        self.on_transition = on_transition
        self.open_ticket = open_ticket

    def _load(self, conn: Connection, order_id: str, user: str, roles: frozenset[str]) -> Any:
        row = conn.execute(select(orders).where(orders.c.id == order_id)).first()
        if row is None or not can_see(conn, row, user, roles):
            raise NotFound(f"no order {order_id!r}")
        return row

    def get(self, order_id: str, user: str, roles: frozenset[str]) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return view(conn, self._load(conn, order_id, user, roles))

    def list(
        self, user: str, roles: frozenset[str], status: str | None, limit: int, before: float | None
    ) -> list[dict[str, Any]]:
        o = orders.c
        q = select(orders)
        if "admin" not in roles:
            if "seller" in roles:
                mine = select(order_lines.c.order_id).where(order_lines.c.seller_id == user)
                q = q.where((o.customer == user) | o.id.in_(mine))
            else:
                q = q.where(o.customer == user)
        if status:
            q = q.where(o.status == status)
        if before is not None:
            q = q.where(o.created_at < before)
        with self.engine.connect() as conn:
            rows = conn.execute(q.order_by(o.created_at.desc(), o.id.desc()).limit(limit)).all()
            return [view(conn, r) for r in rows]

    def act(
        self, order_id: str, action: str, user: str, roles: frozenset[str], note: str = ""
    ) -> dict[str, Any]:
        """Apply a lifecycle action: 404 unseen, 403 wrong role, 409 wrong state."""
        if action not in lifecycle.MOVES or action == "pay":
            raise NotFound(f"no order action {action!r}")
        _src, _target, allowed = lifecycle.MOVES[action]
        now = self.clock()
        refund_id = None
        with self.engine.begin() as conn:
            row = self._load(conn, order_id, user, roles)
            is_customer = row.customer == user
            role_ok = "admin" in roles or (
                ("customer" in allowed and is_customer)
                or ("seller" in allowed and "seller" in roles and not is_customer)
            )
            if not role_ok:
                raise Forbidden(f"{action.replace('_', ' ')} is not yours to do on this order")
            if action in shipments.MOVES:
                # A seller moves its own shipment; an admin every shipment that can move.
                sellers = (
                    [r["seller_id"] for r in shipments.derive(row.status, _lines(conn, row), {})]
                    if "admin" in roles
                    else [user]
                )
                shipments.move(conn, row, sellers, action, user, now)
                target = shipments.MOVES[action][1]  # the customer hears of each part
            else:
                if action == "cancel":
                    shipments.cancellable(conn, order_id)
                target = lifecycle.check(action, row.status)
                if not lifecycle.move(conn, order_id, row.status, target, user, now, note):
                    raise lifecycle.InvalidTransition(
                        f"order {order_id} changed meanwhile; look again"
                    )
            if action in ("cancel", "receive_return"):
                self._restock(conn, order_id, now)
            if action == "cancel" and row.amount > row.refunded:
                refund_id = self.saga.add_refund(conn, order_id, row.amount - row.refunded, now)
                shipments.attribute_refund(conn, row, row.amount - row.refunded, now)
                conn.execute(
                    update(orders).where(orders.c.id == order_id).values(refunded=row.amount)
                )
            out = view(conn, self._load(conn, order_id, user, frozenset({"admin"})))
        self.after_commit()
        if refund_id:
            self.saga.send_refund(refund_id)
        if action == "request_return":
            self.open_ticket(
                order_id,
                row.customer,
                f"Return requested for order {order_id}",
                note or "Return requested.",
            )
        self.on_transition(out, target)
        return out

    def act_shipment(
        self, order_id: str, seller: str, action: str, user: str, roles: frozenset[str]
    ) -> dict[str, Any]:
        """Pack, ship or deliver one seller's shipment: 403 for another seller's."""
        if action not in shipments.MOVES:
            raise NotFound(f"no shipment action {action!r}")
        now = self.clock()
        with self.engine.begin() as conn:
            row = self._load(conn, order_id, user, roles)
            self._own_shipment(conn, row, seller, user, roles)
            shipments.move(conn, row, [seller], action, user, now)
            target = shipments.MOVES[action][1]  # the customer hears of each part
            out = view(conn, self._load(conn, order_id, user, frozenset({"admin"})))
        self.after_commit()
        self.on_transition(out, target)
        return out

    def refund_shipment(
        self, order_id: str, seller: str, amount: int, user: str, roles: frozenset[str]
    ) -> dict[str, Any]:
        """A (partial) refund of one seller's shipment: 403 for another seller's."""
        now = self.clock()
        with self.engine.begin() as conn:
            row = self._load(conn, order_id, user, roles)
            self._own_shipment(conn, row, seller, user, roles)
            target = shipments.refund(conn, row, seller, amount, user, now)
            refund_id = self.saga.add_refund(conn, order_id, amount, now)
        self.after_commit()
        self.saga.send_refund(refund_id)
        with self.engine.connect() as conn:
            out = view(conn, conn.execute(select(orders).where(orders.c.id == order_id)).one())
        self.on_transition(out, target)
        return out

    @staticmethod
    def _own_shipment(
        conn: Connection, order: Any, seller: str, user: str, roles: frozenset[str]
    ) -> None:
        sellers = {ln["seller_id"] for ln in _lines(conn, order)}
        if seller not in sellers:
            raise NotFound(f"order {order.id} has no shipment from {seller!r}")
        if "admin" not in roles and seller != user:
            raise Forbidden(f"the shipment of {seller} is not yours to move")

    def _restock(self, conn: Connection, order_id: str, now: float) -> None:
        for ln in conn.execute(select(order_lines).where(order_lines.c.order_id == order_id)):
            inventory.restock(conn, ln.variant_id, ln.warehouse_id, ln.qty, order_id, now)

    def track(self, order_id: str, user: str, roles: frozenset[str], note: str) -> dict[str, Any]:
        """A tracking event on a shipped order (carrier scans): recorded, no change of state."""
        with self.engine.begin() as conn:
            row = self._load(conn, order_id, user, roles)
            if row.customer == user and "admin" not in roles:
                raise Forbidden("tracking events come from the seller or the carrier")
            if row.status != "shipped":
                raise lifecycle.InvalidTransition(
                    f"tracking events are for shipped orders; this one is {row.status}"
                )
            lifecycle.record(conn, order_id, "shipped", user, self.clock(), note)
            out = view(conn, row)
        self.after_commit()
        self.on_transition(out, "tracking")
        return out

    def refund(self, order_id: str, amount: int, user: str, roles: frozenset[str]) -> dict:
        """A (partial) refund by amount, by the seller or an admin."""
        now = self.clock()
        with self.engine.begin() as conn:
            row = self._load(conn, order_id, user, roles)
            if row.customer == user and "admin" not in roles:
                raise Forbidden("refunds are granted by the seller or an admin")
            if "seller" not in roles and "admin" not in roles:
                raise Forbidden("refunds are granted by the seller or an admin")
            if "admin" not in roles:  # a seller refunds its own shipment only
                target = shipments.refund(conn, row, user, amount, user, now)
            else:
                target = lifecycle.refund_target(row.status, amount, row.refunded, row.amount)
            if "admin" in roles and not lifecycle.move(
                conn,
                order_id,
                row.status,
                target,
                user,
                now,
                f"refund {amount}",
                refunded=row.refunded + amount,
            ):
                raise lifecycle.InvalidTransition(f"order {order_id} changed meanwhile; look again")
            if "admin" in roles:  # each seller's part of it, for per-seller accounting
                shipments.attribute_refund(conn, row, amount, now)
            refund_id = self.saga.add_refund(conn, order_id, amount, now)
        self.after_commit()
        self.saga.send_refund(refund_id)
        with self.engine.connect() as conn:
            out = view(conn, conn.execute(select(orders).where(orders.c.id == order_id)).one())
        self.on_transition(out, target)
        return out
