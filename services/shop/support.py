"""Support tickets tied to an order, with messages between the customer and the seller or an
admin, and SLA timers: a first answer within ``first_response_sla_s`` and a resolution within
``resolution_sla_s``. A breach is flagged once (an event and a notification to the customer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from services.errors import Conflict, Invalid, NotFound
from services.shop.orders import can_see
from services.shop.settings import ShopSettings
from services.shop.store import orders, ticket_messages, tickets
from warehouse.emitter import Emitter

SYSTEM = "shop"


class Support:
    def __init__(
        self,
        engine: Engine,
        conf: ShopSettings,
        clock: Callable[[], float],
        emitter: Emitter,
        notify: Callable[[str, str, dict[str, Any], str], None],
    ) -> None:
        self.engine = engine
        self.conf = conf
        self.clock = clock
        self.emitter = emitter
        self.notify = notify

    def _view(self, conn: Connection, t: Any) -> dict[str, Any]:
        now = self.clock()
        msgs = conn.execute(
            select(ticket_messages)
            .where(ticket_messages.c.ticket_id == t.id)
            .order_by(ticket_messages.c.id)
        ).all()
        late_answer = t.first_response_at is None and now > t.first_response_due
        late_close = t.closed_at is None and now > t.resolution_due
        return {
            "id": t.id,
            "order_id": t.order_id,
            "customer": t.customer,
            "subject": t.subject,
            "status": t.status,
            "created_at": t.created_at,
            "first_response_due": t.first_response_due,
            "resolution_due": t.resolution_due,
            "first_response_at": t.first_response_at,
            "closed_at": t.closed_at,
            "sla_breached": bool(late_answer or late_close),
            "messages": [
                {"author": m.author, "role": m.role, "body": m.body, "ts": m.ts} for m in msgs
            ],
        }

    def open(self, order_id: str, customer: str, subject: str, body: str) -> dict[str, Any]:
        """A ticket on the customer's own order (404 for any other order)."""
        if not subject.strip() or not body.strip():
            raise Invalid("a ticket needs a subject and a message")
        now = self.clock()
        with self.engine.begin() as conn:
            order = conn.execute(select(orders).where(orders.c.id == order_id)).first()
            if order is None or order.customer != customer:
                raise NotFound(f"no order {order_id!r}")
            tid = conn.execute(
                insert(tickets).values(
                    order_id=order_id,
                    customer=customer,
                    subject=subject[:200],
                    status="open",
                    created_at=now,
                    first_response_due=now + self.conf.first_response_sla_s,
                    resolution_due=now + self.conf.resolution_sla_s,
                    breach_notified=False,
                )
            ).inserted_primary_key[0]
            conn.execute(
                insert(ticket_messages).values(
                    ticket_id=tid, author=customer, role="customer", body=body[:5000], ts=now
                )
            )
            out = self._view(conn, conn.execute(select(tickets).where(tickets.c.id == tid)).one())
        self.emitter.emit(
            SYSTEM, "ticket_opened", actor=customer, entity=str(tid), attrs={"order_id": order_id}
        )
        return out

    def _load(self, conn: Connection, ticket_id: int, user: str, roles: frozenset[str]) -> Any:
        t = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
        if t is None:
            raise NotFound(f"no ticket {ticket_id}")
        order = conn.execute(select(orders).where(orders.c.id == t.order_id)).one()
        if not can_see(conn, order, user, roles):
            raise NotFound(f"no ticket {ticket_id}")
        return t

    def get(self, ticket_id: int, user: str, roles: frozenset[str]) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return self._view(conn, self._load(conn, ticket_id, user, roles))

    def list(self, user: str, roles: frozenset[str], limit: int = 100) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            q = select(tickets).order_by(tickets.c.id.desc()).limit(limit * 5)
            if "admin" not in roles and "seller" not in roles:
                q = q.where(tickets.c.customer == user)
            rows = [
                t
                for t in conn.execute(q).all()
                if "admin" in roles
                or t.customer == user
                or can_see(
                    conn,
                    conn.execute(select(orders).where(orders.c.id == t.order_id)).one(),
                    user,
                    roles,
                )
            ]
            return [self._view(conn, t) for t in rows[:limit]]

    def post(self, ticket_id: int, user: str, roles: frozenset[str], body: str) -> dict:
        if not body.strip():
            raise Invalid("a message needs text")
        now = self.clock()
        with self.engine.begin() as conn:
            t = self._load(conn, ticket_id, user, roles)
            if t.status == "closed":
                raise Conflict(f"ticket {ticket_id} is closed; open a new one")
            role = "customer" if t.customer == user else ("admin" if "admin" in roles else "seller")
            conn.execute(
                insert(ticket_messages).values(
                    ticket_id=ticket_id, author=user, role=role, body=body[:5000], ts=now
                )
            )
            values: dict[str, Any] = {"status": "open" if role == "customer" else "answered"}
            if role != "customer" and t.first_response_at is None:
                values["first_response_at"] = now
            conn.execute(update(tickets).where(tickets.c.id == ticket_id).values(**values))
            out = self._view(
                conn, conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()
            )
        self.emitter.emit(
            SYSTEM, "ticket_message", actor=user, entity=str(ticket_id), attrs={"role": role}
        )
        if role != "customer":
            self.notify(t.customer, "ticket_answered", out, f"ticket:{ticket_id}:{now}")
        return out

    def close(self, ticket_id: int, user: str, roles: frozenset[str]) -> dict[str, Any]:
        now = self.clock()
        with self.engine.begin() as conn:
            self._load(conn, ticket_id, user, roles)
            conn.execute(
                update(tickets)
                .where(and_(tickets.c.id == ticket_id, tickets.c.status != "closed"))
                .values(status="closed", closed_at=now)
            )
            out = self._view(
                conn, conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()
            )
        self.emitter.emit(SYSTEM, "ticket_closed", actor=user, entity=str(ticket_id))
        return out

    def check_slas(self) -> int:
        """Flag every open ticket past a deadline, once; how many were flagged now."""
        now = self.clock()
        t = tickets.c
        late = and_(
            t.breach_notified.is_(False),
            t.closed_at.is_(None),
            or_(
                and_(t.first_response_at.is_(None), t.first_response_due < now),
                t.resolution_due < now,
            ),
        )
        with self.engine.begin() as conn:
            rows = conn.execute(select(tickets).where(late)).all()
            for row in rows:
                conn.execute(update(tickets).where(t.id == row.id).values(breach_notified=True))
        for row in rows:
            self.emitter.emit(
                SYSTEM, "ticket_sla_breached", entity=str(row.id), attrs={"order_id": row.order_id}
            )
            self.notify(
                row.customer,
                "ticket_sla_breached",
                {"id": row.id, "order_id": row.order_id, "subject": row.subject},
                f"ticket:{row.id}:breach",
            )
        return len(rows)
