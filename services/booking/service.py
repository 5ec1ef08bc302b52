"""The booking service: search, hold, confirm with payment, cancel with refund, admin.

``BookingService`` holds the state (engines, gateway, caches, the sweeper) and is the one
entry point; each concern lives in a module of its own, called with the service:
``admin`` (catalogue and inventory), ``search``, ``holds`` (the inventory transactions),
``checkout`` (confirm, cancel and settling payments), ``changes`` (new dates or party),
``reminders``, ``sweeper`` (lapses and the background pass) and ``spool`` (search events).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from services.booking import admin, changes, checkout, holds, reminders, rules, search, sweeper
from services.booking.live import LiveFeed
from services.booking.settings import BookingSettings
from services.booking.store import (
    idempotency,
    inventory,
    metadata,
    reservations,
    units,
    webhook_inbox,
)
from services.booking.views import SYSTEM, PaymentRequired, iso_day, view
from services.errors import Forbidden, NotFound
from services.event_spool import EventSpool
from services.payments.adapter import CARD_OK, PaymentGateway
from services.payments.idempotency import IdempotencyStore
from services.payments.webhooks import WebhookInbox
from services.periodic import Periodic
from warehouse.emitter import Emitter

__all__ = ["SYSTEM", "BookingService", "PaymentRequired", "view"]
_day = iso_day


class BookingService:
    def __init__(
        self,
        engine: Engine,
        read_engine: Engine,
        gateway: PaymentGateway,
        emitter: Emitter,
        conf: BookingSettings,
        *,
        webhook_secret: str,
        clock: Callable[[], float] = time.time,
        notify: Any = None,
    ) -> None:
        self.engine = engine
        self.read_engine = read_engine
        metadata.create_all(engine)
        self.gateway = gateway
        self.emitter = emitter
        self.conf = conf
        self.clock = clock
        self.notify = notify
        self.live = LiveFeed()
        self._departures_told: set[str] = set()
        self.keys = IdempotencyStore(engine, idempotency, clock=clock)
        self.inbox = WebhookInbox(engine, webhook_inbox, webhook_secret, checkout.on_webhook)
        self.spool = EventSpool(emitter, SYSTEM)
        self._sweeper = Periodic("booking-sweeper")
        self._units: dict[str, dict[str, Any]] = {}
        self.crash_hook: Callable[[str], None] = lambda _point: None
        # The in-process local gateway, when this service runs one (its webhooks are pumped
        # by the sweeper; tests count charges on it).
        self.local_gateway: Any = None

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock(), UTC).date()

    # -- admin (``services.booking.admin``) --------------------------------------------------

    def add_property(self, property_id: str, name: str, city: str, country: str = "") -> dict:
        return admin.add_property(self, property_id, name, city, country)

    def add_unit(
        self,
        unit_id: str,
        kind: str,
        name: str,
        max_guests: int,
        *,
        property_id: str | None = None,
        place: str | None = None,
        refundable_days: int = 1,
    ) -> dict:
        return admin.add_unit(
            self,
            unit_id,
            kind,
            name,
            max_guests,
            property_id=property_id,
            place=place,
            refundable_days=refundable_days,
        )

    def set_inventory(
        self, unit_id: str, start: date, end: date, total: int, price_cents: int
    ) -> int:
        """Set count and price for each day in [start, end); held and sold stay sold."""
        return admin.set_inventory(self, unit_id, start, end, total, price_cents)

    def load_inventory(self, rows: list[dict[str, Any]]) -> None:
        """Bulk insert of fresh inventory rows (loaders; no existing rows for these days)."""
        admin.load_inventory(self, rows)

    def calendar(self, unit_id: str, start: date, end: date) -> list[dict[str, Any]]:
        return admin.calendar(self, unit_id, start, end)

    # -- search (``services.booking.search``) ------------------------------------------------

    def search(
        self,
        kind: str,
        place: str,
        check_in: date,
        check_out: date,
        guests: int,
        *,
        qty: int = 1,
        min_price: int | None = None,
        max_price: int | None = None,
        limit: int = 50,
        actor: str | None = None,
    ) -> list[dict[str, Any]]:
        """Units at ``place`` with ``qty`` free every night, cheapest first; prices are totals
        per unit for the stay (flex plan)."""
        return search.search(
            self,
            kind,
            place,
            check_in,
            check_out,
            guests,
            qty=qty,
            min_price=min_price,
            max_price=max_price,
            limit=limit,
            actor=actor,
        )

    def _buffer_event(self, type_: str, **fields: Any) -> None:
        self.spool.add(type_, **fields)

    def flush_events(self) -> None:
        self.spool.flush()

    # -- reservations ------------------------------------------------------------------------

    def _own(self, owner: str, res_id: str, privileged: bool = False) -> Any:
        with self.read_engine.connect() as conn:
            row = conn.execute(select(reservations).where(reservations.c.id == res_id)).first()
        if row is None:
            raise NotFound(f"no reservation {res_id!r}")
        if row.owner != owner and not privileged:
            raise Forbidden("this reservation belongs to someone else")
        return row

    def get(self, owner: str, res_id: str, privileged: bool = False) -> dict[str, Any]:
        return view(self._own(owner, res_id, privileged), self.clock())

    def hold(
        self,
        owner: str,
        unit_id: str,
        check_in: date,
        check_out: date,
        guests: int,
        *,
        qty: int = 1,
        plan: str = "flex",
        hold_s: float | None = None,
    ) -> dict[str, Any]:
        """Take the stay's inventory now; it lapses after the configured hold time, or after
        ``hold_s`` when the client asks for less."""
        first, nights = rules.check_stay(check_in, check_out, self.today())
        rules.check_guests(guests, qty)
        stay = holds.Stay(unit_id, first, nights, qty, guests, rules.check_plan(plan))
        row = holds.place_hold(
            self.engine,
            owner,
            stay,
            self.clock(),
            min(self.conf.hold_ttl_s, hold_s or self.conf.hold_ttl_s),
            self.conf.currency,
            self._unit(unit_id),
        )
        self.live.publish({"unit_id": unit_id, "change": "held"})
        self.emitter.emit(
            SYSTEM,
            "held",
            actor=owner,
            entity=row["id"],
            attrs={
                "unit_id": unit_id,
                "first_day": iso_day(first),
                "nights": nights,
                "qty": qty,
                "amount_cents": row["amount_cents"],
                "plan": plan,
            },
        )
        return view(row, self.clock())

    def _unit(self, unit_id: str) -> dict[str, Any] | None:
        """A unit's row from memory (units are only ever added, never changed), else None."""
        unit = self._units.get(unit_id)
        if unit is None:
            with self.read_engine.connect() as conn:
                found = conn.execute(select(units).where(units.c.id == unit_id)).first()
            if found is None:
                return None  # the hold's own transaction says so
            unit = self._units[unit_id] = dict(found._mapping)
        return unit

    # -- paying and paying back (``services.booking.checkout``) ------------------------------

    def confirm(self, owner: str, res_id: str, payment_method: str = CARD_OK) -> dict[str, Any]:
        return checkout.confirm(self, owner, res_id, payment_method)

    def cancel(self, owner: str, res_id: str, privileged: bool = False) -> dict[str, Any]:
        return checkout.cancel(self, owner, res_id, privileged)

    def _capture(self, res_id: str, intent_id: str) -> Any:
        return checkout.capture(self, res_id, intent_id)

    def _void(self, res_id: str, intent_id: str) -> bool:
        return checkout.void(self, res_id, intent_id)

    def _refund(self, res_id: str, intent_id: str, amount: int) -> bool:
        return checkout.refund(self, res_id, intent_id, amount)

    def _refundable_days(self, unit_id: str) -> int:
        return checkout.refundable_days(self, unit_id)

    def settle(self, res_id: str) -> str | None:
        """Drive one reservation's payment to a final state with its own keys; the state it
        reached (unchanged when the gateway is still unreachable)."""
        return checkout.settle(self, res_id)

    def reconcile(self) -> dict[str, int]:
        """Settle every payment left mid-way (after a crash, a lost answer or a lapse)."""
        return checkout.reconcile(self)

    def receive_webhook(self, payload: bytes, signature: str | None) -> bool:
        return self.inbox.receive(payload, signature)

    # -- changing dates or party -------------------------------------------------------------

    def change(
        self,
        owner: str,
        res_id: str,
        check_in: date,
        check_out: date,
        guests: int | None = None,
        payment_method: str = CARD_OK,
    ) -> dict[str, Any]:
        """New dates (and party) for a hold or a paid booking, atomically; a paid booking is
        charged its new price on a new payment and its old payment refunded, exactly once
        (``services.booking.changes``). Sold-out new dates change nothing (409)."""
        return changes.change_booking(
            self, owner, res_id, check_in, check_out, guests, payment_method
        )

    # -- lapses and the background pass (``services.booking.sweeper``) -----------------------

    def sweep(self) -> int:
        """Lapse every hold past its expiry now; returns how many."""
        return sweeper.sweep(self)

    def start(self) -> None:
        """Run the sweeper (lapses within ``sweep_interval_s`` of expiry) and reconciliation."""
        sweeper.start(self, self._sweeper)

    def stop(self) -> None:
        self._sweeper.stop()

    # -- idempotent API calls ----------------------------------------------------------------

    def idempotent(
        self,
        scope: str,
        key: str | None,
        method: str,
        path: str,
        body: Any,
        run: Callable[[], Any],
    ) -> tuple[Any, bool]:
        """``run()`` at most once per ``(scope, key)``; ``(result, replayed)``. Domain errors
        raised before anything changed release the key; a finished call's answer is kept."""
        return self.keys.call(scope, key, (method, path, body), run, keep=(402, 409))

    # -- notifications (``services.booking.reminders``) --------------------------------------

    def send_reminders(self, limit: int = 500) -> int:
        """Remind guests before arrival and before departure, each once; how many were sent."""
        return reminders.send_reminders(self, limit)

    def _notify(self, row: Any, template: str) -> None:
        reminders.notify_guest(self, row, template)

    # -- figures -----------------------------------------------------------------------------

    def totals(self) -> dict[str, int]:
        r = reservations.c
        with self.read_engine.connect() as conn:
            rows = conn.execute(
                select(
                    r.status,
                    func.count(),
                    func.coalesce(func.sum(r.amount_cents), 0),
                    func.coalesce(func.sum(r.refund_cents), 0),
                ).group_by(r.status)
            ).all()
        out = {f"{s}": int(n) for s, n, _a, _r in rows}
        amount = {s: int(a) for s, _n, a, _r in rows}
        refunded = sum(int(x) for _s, _n, _a, x in rows)
        out["revenue_cents"] = amount.get("confirmed", 0) + amount.get("cancelled", 0) - refunded
        out["refunded_cents"] = refunded
        return out

    def oversold(self) -> int:
        """Inventory rows where more is sold or held than exists (the database forbids it;
        counted to prove it)."""
        inv = inventory.c
        with self.read_engine.connect() as conn:
            return conn.execute(
                select(func.count()).where((inv.available < 0) | (inv.available > inv.total))
            ).scalar_one()

    def close(self) -> None:
        self.stop()
        self.spool.close()
        self.gateway.close()
