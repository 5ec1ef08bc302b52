"""The booking service: search, hold, confirm with payment, cancel with refund, admin.

Confirm is the delicate step. Payment goes through the gateway adapter in two phases under
keys derived from the reservation (``<id>:auth:<attempt>``, ``<id>:capture``, ...), and the
reservation records each phase (``pay_state``) before and after, so any crash or lost answer
leaves a state that ``reconcile`` settles by repeating the same keyed call:

1. ``pay_state = authorizing``, then authorise the amount (money reserved, not taken).
2. Convert the hold in one conditional UPDATE: only a hold still ``held`` and unexpired
   becomes ``confirmed``. If it lapsed meanwhile (the sweeper released its inventory), the
   authorisation is voided and the caller gets 409 with the reason: never an overbooking.
3. Capture. A lost capture answer leaves ``authorized`` on a confirmed booking: reconcile
   captures it.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, insert, select
from sqlalchemy.engine import Engine

from services.booking import changes, holds, rules
from services.booking.live import LiveFeed
from services.booking.settings import BookingSettings
from services.booking.store import (
    idempotency,
    inventory,
    metadata,
    properties,
    reservations,
    units,
    webhook_inbox,
)
from services.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unavailable
from services.payments.adapter import (
    CARD_OK,
    GatewayError,
    GatewayUnavailable,
    PaymentDeclined,
    PaymentGateway,
)
from services.payments.idempotency import IdempotencyStore, fingerprint
from services.payments.webhooks import WebhookInbox
from warehouse.emitter import Emitter
from warehouse.events import Event

log = logging.getLogger(__name__)
SYSTEM = "booking"


class PaymentRequired(DomainError):
    """The payment method was declined (402)."""

    status = 402


def _day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def view(row: Any, now: float) -> dict[str, Any]:
    """A reservation as clients see it (absolute expiry, ISO dates)."""
    m = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    return {
        "id": m["id"],
        "unit_id": m["unit_id"],
        "check_in": _day(m["first_day"]),
        "check_out": _day(m["first_day"] + m["nights"]),
        "nights": m["nights"],
        "qty": m["qty"],
        "guests": m["guests"],
        "plan": m["plan"],
        "amount_cents": m["amount_cents"],
        "currency": m["currency"],
        "status": m["status"],
        "expires_at": datetime.fromtimestamp(m["expires_at"], UTC).isoformat(),
        "payment": m.get("pay_state"),
        "refund_cents": m.get("refund_cents") or 0,
    }


@functools.cache
def _search_query(with_min: bool, with_max: bool) -> Select:
    """The availability query, built once per price filter combination (then executed with
    parameters): units of a kind at a place that fit the party, with ``qty`` free on every
    night of the stay, cheapest first."""
    inv, u = inventory.c, units.c
    total = func.sum(inv.price_cents).label("total")
    q = (
        select(
            u.id,
            u.name,
            u.property_id,
            u.max_guests,
            total,
            func.min(inv.available).label("available"),
        )
        .select_from(units.join(inventory, inv.unit_id == u.id))
        .where(
            and_(
                u.kind == bindparam("kind"),
                u.place == bindparam("place"),
                u.max_guests * bindparam("qty") >= bindparam("guests"),
                inv.day >= bindparam("first"),
                inv.day < bindparam("end"),
            )
        )
        .group_by(u.id, u.name, u.property_id, u.max_guests)
        .having(
            and_(func.count() == bindparam("nights"), func.min(inv.available) >= bindparam("qty"))
        )
        .order_by(total, u.id)
        .limit(bindparam("limit"))
    )
    if with_min:
        q = q.having(total >= bindparam("min_price"))
    if with_max:
        q = q.having(total <= bindparam("max_price"))
    return q


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
        self.inbox = WebhookInbox(engine, webhook_inbox, webhook_secret, self._on_webhook)
        self._stop = threading.Event()
        self._pending: list[Event] = []
        self._pending_lock = threading.Lock()
        self._flush_scheduled = False
        self._flusher = ThreadPoolExecutor(1, thread_name_prefix="booking-events")
        self._sweeper: threading.Thread | None = None
        self._units: dict[str, dict[str, Any]] = {}
        self.crash_hook: Callable[[str], None] = lambda _point: None
        # The in-process local gateway, when this service runs one (its webhooks are pumped
        # by the sweeper; tests count charges on it).
        self.local_gateway: Any = None

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock(), UTC).date()

    # -- admin -------------------------------------------------------------------------------

    def add_property(self, property_id: str, name: str, city: str, country: str = "") -> dict:
        row = {
            "id": property_id,
            "name": name,
            "city": city,
            "country": country,
            "created_at": self.clock(),
        }
        with self.engine.begin() as conn:
            if conn.execute(select(properties.c.id).where(properties.c.id == property_id)).first():
                raise Conflict(f"property {property_id!r} exists")
            conn.execute(insert(properties).values(**row))
        self.emitter.emit(SYSTEM, "property_added", entity=property_id, attrs={"city": city})
        return row

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
        if kind not in ("room", "seat"):
            raise Invalid("kind must be room or seat")
        rules.check_guests(max_guests)
        with self.engine.begin() as conn:
            if property_id is not None:
                prop = conn.execute(
                    select(properties).where(properties.c.id == property_id)
                ).first()
                if prop is None:
                    raise NotFound(f"no property {property_id!r}")
                place = prop.city
            if not place:
                raise Invalid("a unit needs a property or a place")
            if conn.execute(select(units.c.id).where(units.c.id == unit_id)).first():
                raise Conflict(f"unit {unit_id!r} exists")
            row = {
                "id": unit_id,
                "kind": kind,
                "place": place,
                "property_id": property_id,
                "name": name,
                "max_guests": max_guests,
                "refundable_days": refundable_days,
            }
            conn.execute(insert(units).values(**row))
        return row

    def set_inventory(
        self, unit_id: str, start: date, end: date, total: int, price_cents: int
    ) -> int:
        """Set count and price for each day in [start, end); held and sold stay sold."""
        if end <= start or (end - start).days > 731:
            raise Invalid("the range must be 1 to 731 days, end after start")
        if not 0 <= total <= 10_000:
            raise Invalid("total must be 0 to 10000")
        rules.check_price(price_cents)
        inv = inventory.c
        with self.engine.begin() as conn:
            if conn.execute(select(units.c.id).where(units.c.id == unit_id)).first() is None:
                raise NotFound(f"no unit {unit_id!r}")
            existing = {
                r.day: r
                for r in conn.execute(
                    select(inventory).where(
                        and_(
                            inv.unit_id == unit_id,
                            inv.day >= start.toordinal(),
                            inv.day < end.toordinal(),
                        )
                    )
                )
            }
            new_rows = []
            for day in range(start.toordinal(), end.toordinal()):
                old = existing.get(day)
                if old is None:
                    new_rows.append(
                        {
                            "unit_id": unit_id,
                            "day": day,
                            "total": total,
                            "available": total,
                            "price_cents": price_cents,
                        }
                    )
                    continue
                sold = old.total - old.available
                if total < sold:
                    raise Conflict(f"{_day(day)} already has {sold} sold or held; total {total}")
                conn.execute(
                    inventory.update()
                    .where(
                        and_(
                            inv.unit_id == unit_id,
                            inv.day == day,
                            inv.total - inv.available == sold,
                        )
                    )
                    .values(total=total, available=total - sold, price_cents=price_cents)
                )
            if new_rows:
                conn.execute(insert(inventory), new_rows)
        self.live.publish({"unit_id": unit_id, "change": "inventory"})
        self.emitter.emit(
            SYSTEM,
            "inventory_set",
            entity=unit_id,
            attrs={"days": (end - start).days, "total": total, "price_cents": price_cents},
        )
        return (end - start).days

    def load_inventory(self, rows: list[dict[str, Any]]) -> None:
        """Bulk insert of fresh inventory rows (loaders; no existing rows for these days)."""
        with self.engine.begin() as conn:
            for i in range(0, len(rows), 5000):
                conn.execute(insert(inventory), rows[i : i + 5000])

    def calendar(self, unit_id: str, start: date, end: date) -> list[dict[str, Any]]:
        inv = inventory.c
        with self.read_engine.connect() as conn:
            rows = conn.execute(
                select(inventory)
                .where(
                    and_(
                        inv.unit_id == unit_id,
                        inv.day >= start.toordinal(),
                        inv.day < end.toordinal(),
                    )
                )
                .order_by(inv.day)
            ).all()
        return [
            {
                "date": _day(r.day),
                "total": r.total,
                "available": r.available,
                "price_cents": r.price_cents,
            }
            for r in rows
        ]

    # -- search ------------------------------------------------------------------------------

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
        first, nights = rules.check_stay(check_in, check_out, self.today())
        rules.check_guests(guests, qty)
        for name, value in (("min_price", min_price), ("max_price", max_price)):
            if value is not None:
                rules.check_price(value, name)
        q = _search_query(min_price is not None, max_price is not None)
        params = {
            "kind": kind,
            "place": place,
            "qty": qty,
            "guests": guests,
            "first": first,
            "end": first + nights,
            "nights": nights,
            "min_price": min_price,
            "max_price": max_price,
            "limit": limit,
        }
        with self.read_engine.connect() as conn:
            rows = conn.execute(q, params).all()
        offers = [
            {
                "unit_id": r.id,
                "name": r.name,
                "property_id": r.property_id,
                "max_guests": r.max_guests,
                "total_cents": int(r.total),
                "available": int(r.available),
            }
            for r in rows
        ]
        self._buffer_event(
            "searched",
            actor=actor,
            entity=place,
            attrs={
                "kind": kind,
                "first_day": _day(first),
                "nights": nights,
                "guests": guests,
                "results": len(offers),
                "min_total_cents": offers[0]["total_cents"] if offers else None,
            },
        )
        return offers

    def _buffer_event(self, type_: str, **fields: Any) -> None:
        """Search events are many and acknowledge nothing to anyone: they are spooled in
        batches (by the sweeper, every ``sweep_interval_s``, or every 100) rather than paying
        one fsync per search. Holds, payments and cancellations are emitted one by one.

        A full batch is written by a background thread, so no search waits for the fsync;
        if writing falls far behind (the spool refuses or stalls), searches write
        themselves: pushed back, never dropped."""
        with self._pending_lock:
            self._pending.append(Event(system=SYSTEM, type=type_, **fields))
            pending = len(self._pending)
            schedule = pending >= 100 and not self._flush_scheduled
            if schedule:
                self._flush_scheduled = True
        if pending >= 1000:
            self.flush_events()
        elif schedule:
            self._flusher.submit(self._flush_in_background)

    def _flush_in_background(self) -> None:
        with self._pending_lock:
            self._flush_scheduled = False
        try:
            self.flush_events()
        except Exception:  # noqa: BLE001 - the events stay pending; the next flush retries
            log.exception("could not spool booking search events")

    def flush_events(self) -> None:
        with self._pending_lock:
            batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            self.emitter.emit_events(batch)
        except BaseException:
            with self._pending_lock:  # not written: keep them, oldest first
                self._pending[:0] = batch
            raise

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
                "first_day": _day(first),
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

    def confirm(self, owner: str, res_id: str, payment_method: str = CARD_OK) -> dict[str, Any]:
        row = holds.begin_payment(self.engine, res_id, owner, self.clock())
        if row is None:  # not a live hold of the caller's that may be paid: say why
            row = self._own(owner, res_id)
            if row.status == "confirmed":
                return view(row, self.clock())
            if row.status != "held" or row.expires_at <= self.clock():
                raise Conflict(
                    f"hold {res_id} is {row.status if row.status != 'held' else 'expired'}"
                    "; it can no longer be confirmed"
                )
            raise Conflict("a payment for this hold is already settled or in progress")
        attempt = row.pay_attempt
        try:
            intent = self.gateway.authorize(
                row.amount_cents,
                row.currency,
                idempotency_key=f"{res_id}:auth:{attempt}",
                payment_method=payment_method,
                metadata={"booking": res_id},
            )
        except PaymentDeclined as exc:
            holds.set_pay_state(self.engine, res_id, ("authorizing",), "declined")
            self.emitter.emit(SYSTEM, "payment_declined", actor=owner, entity=res_id)
            raise PaymentRequired(f"payment declined: {exc}") from exc
        except GatewayUnavailable as exc:
            raise Unavailable(
                "the payment's outcome is unknown; retry confirm (it will not charge twice)"
            ) from exc
        self.crash_hook("authorized")
        if not holds.convert(self.engine, res_id, intent.id, self.clock()):
            self._void(res_id, intent.id)
            self.emitter.emit(SYSTEM, "confirm_after_lapse", actor=owner, entity=res_id)
            raise Conflict(
                "the hold expired before the payment completed; the payment was voided and "
                "nothing was charged"
            )
        self.crash_hook("converted")
        done = self._capture(res_id, intent.id) or self._own(owner, res_id)
        self.emitter.emit(
            SYSTEM,
            "confirmed",
            actor=owner,
            entity=res_id,
            attrs={
                "unit_id": done.unit_id,
                "amount_cents": done.amount_cents,
                "first_day": _day(done.first_day),
                "nights": done.nights,
                "qty": done.qty,
            },
        )
        self._notify(done, "booking_confirmed")
        return view(done, self.clock())

    def _capture(self, res_id: str, intent_id: str) -> Any:
        """Capture and record it; the reservation's row after, or None when the capture's
        outcome is unknown or someone else recorded it (reconcile or a webhook)."""
        try:
            self.gateway.capture(intent_id, idempotency_key=f"{res_id}:capture")
        except GatewayUnavailable:
            return None  # confirmed and authorised: reconcile captures it
        except GatewayError as exc:
            if "succeeded" not in str(exc):
                raise
        return holds.record_capture(self.engine, res_id)

    def _void(self, res_id: str, intent_id: str) -> bool:
        holds.set_pay_state(
            self.engine, res_id, ("authorizing", "authorized"), "voiding", intent_id=intent_id
        )
        try:
            self.gateway.cancel(intent_id, idempotency_key=f"{res_id}:void")
        except GatewayUnavailable:
            return False
        except GatewayError as exc:
            if "canceled" not in str(exc):
                raise
        return holds.set_pay_state(self.engine, res_id, ("voiding",), "voided")

    def _refund(self, res_id: str, intent_id: str, amount: int) -> bool:
        try:
            self.gateway.refund(intent_id, amount, idempotency_key=f"{res_id}:refund")
        except GatewayUnavailable:
            return False
        except GatewayError as exc:
            if "already refunded" not in str(exc):
                raise
        done = holds.set_pay_state(self.engine, res_id, ("refunding",), "refunded")
        if done:
            self.emitter.emit(SYSTEM, "refunded", entity=res_id, attrs={"amount_cents": amount})
        return done

    def cancel(self, owner: str, res_id: str, privileged: bool = False) -> dict[str, Any]:
        row = self._own(owner, res_id, privileged)
        now = self.clock()
        if row.status == "held":
            if not holds.release_hold(self.engine, res_id, now):
                raise Conflict(f"hold {res_id} changed meanwhile; look again")
            self.live.publish({"unit_id": row.unit_id, "change": "released"})
            self.emitter.emit(SYSTEM, "released", actor=owner, entity=res_id)
            return self.get(owner, res_id, True)
        if row.status != "confirmed":
            if row.status == "cancelled":
                return view(row, now)
            raise Conflict(f"reservation {res_id} is {row.status}; nothing to cancel")
        if row.pay_state == "changing":
            raise Conflict(f"reservation {res_id} is changing dates; cancel it once that is paid")
        refund = rules.refund_cents(
            row.plan,
            row.amount_cents,
            row.first_day,
            self.today().toordinal(),
            self._refundable_days(row.unit_id),
        )
        if not holds.cancel_confirmed(self.engine, res_id, refund, now):
            raise Conflict(f"reservation {res_id} changed meanwhile; look again")
        self.live.publish({"unit_id": row.unit_id, "change": "cancelled"})
        self.emitter.emit(
            SYSTEM,
            "cancelled",
            actor=owner,
            entity=res_id,
            attrs={"refund_cents": refund, "plan": row.plan},
        )
        self.settle(res_id)
        done = self._own(owner, res_id, True)
        self._notify(done, "booking_cancelled")
        return view(done, now)

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

    def _refundable_days(self, unit_id: str) -> int:
        with self.read_engine.connect() as conn:
            return conn.execute(
                select(units.c.refundable_days).where(units.c.id == unit_id)
            ).scalar_one()

    # -- settling payments -------------------------------------------------------------------

    def settle(self, res_id: str) -> str | None:
        """Drive one reservation's payment to a final state with its own keys; the state it
        reached (unchanged when the gateway is still unreachable)."""
        with self.read_engine.connect() as conn:
            row = conn.execute(select(reservations).where(reservations.c.id == res_id)).one()
        now = self.clock()
        if row.pay_state == "authorizing":
            if row.status == "held" and row.expires_at > now:
                return row.pay_state  # its client may still be confirming
            try:
                intent = self.gateway.authorize(
                    row.amount_cents,
                    row.currency,
                    idempotency_key=f"{res_id}:auth:{row.pay_attempt}",
                    metadata={"booking": res_id},
                )
            except PaymentDeclined:
                holds.set_pay_state(self.engine, res_id, ("authorizing",), "declined")
                return "declined"
            except GatewayUnavailable:
                return row.pay_state
            self._void(res_id, intent.id)
        elif row.pay_state == "authorized" and row.status == "confirmed":
            self._capture(res_id, row.intent_id)
        elif row.pay_state == "voiding":
            self._void(res_id, row.intent_id)
        elif row.pay_state == "refunding":
            self._refund(res_id, row.intent_id, row.refund_cents)
        with self.read_engine.connect() as conn:
            return conn.execute(
                select(reservations.c.pay_state).where(reservations.c.id == res_id)
            ).scalar_one()

    def reconcile(self) -> dict[str, int]:
        """Settle every payment left mid-way (after a crash, a lost answer or a lapse)."""
        r = reservations.c
        with self.read_engine.connect() as conn:
            ids = [
                row.id
                for row in conn.execute(
                    select(r.id).where(
                        r.pay_state.in_(["authorizing", "authorized", "voiding", "refunding"])
                    )
                )
            ]
        outcome: dict[str, int] = {}
        for res_id in ids:
            state = self.settle(res_id) or "none"
            outcome[state] = outcome.get(state, 0) + 1
        for change_id in changes.unsettled(self.engine):
            state = "change_" + changes.settle_change(self, change_id)
            outcome[state] = outcome.get(state, 0) + 1
        return outcome

    def _on_webhook(self, conn, event: dict[str, Any]) -> None:
        """Gateway events confirm what the calls already recorded; a capture or void made by
        a call whose answer was lost is recorded here (compare-and-set, so idempotent)."""
        obj = event.get("data", {}).get("object", {})
        res_id = (obj.get("metadata") or {}).get("booking")
        if not res_id:
            return
        r = reservations.c
        moves = {
            "payment_intent.succeeded": (["authorized"], "captured"),
            "payment_intent.canceled": (["voiding"], "voided"),
        }
        if event.get("type") in moves:
            expected, new = moves[event["type"]]
            conn.execute(
                reservations.update()
                .where(
                    and_(r.id == res_id, r.intent_id == obj.get("id"), r.pay_state.in_(expected))
                )
                .values(pay_state=new)
            )

    def receive_webhook(self, payload: bytes, signature: str | None) -> bool:
        return self.inbox.receive(payload, signature)

    # -- lapses ------------------------------------------------------------------------------

    def sweep(self) -> int:
        """Lapse every hold past its expiry now; returns how many."""
        lapsed = holds.lapse_expired(self.engine, self.clock())
        for row in lapsed:
            self.live.publish({"unit_id": row["unit_id"], "change": "lapsed"})
            self.emitter.emit(
                SYSTEM,
                "lapsed",
                actor=row["owner"],
                entity=row["id"],
                attrs={"unit_id": row["unit_id"]},
            )
        return len(lapsed)

    def start(self) -> None:
        """Run the sweeper (lapses within ``sweep_interval_s`` of expiry) and reconciliation."""
        if self._sweeper is not None:
            return
        self._stop.clear()

        def loop() -> None:
            last_reconcile = 0.0
            while not self._stop.wait(self.conf.sweep_interval_s):
                try:
                    self.flush_events()
                    self.sweep()
                    if self.local_gateway is not None:
                        self.local_gateway.deliver_webhooks()
                    if time.monotonic() - last_reconcile > self.conf.reconcile_interval_s:
                        last_reconcile = time.monotonic()
                        self.reconcile()
                        self.send_reminders()
                except Exception:  # noqa: BLE001 - the sweeper must outlive one bad pass
                    log.exception("booking sweeper pass failed")

        self._sweeper = threading.Thread(target=loop, name="booking-sweeper", daemon=True)
        self._sweeper.start()

    def stop(self) -> None:
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=10)
            self._sweeper = None

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
            if exc.status in (402, 409):  # an outcome, not a refusal: keep it
                self.keys.finish(scope, key, exc.status, {"detail": exc.message})
            else:
                self.keys.release(scope, key)
            raise
        except BaseException:
            self.keys.release(scope, key)
            raise
        self.keys.finish(scope, key, 200, result)
        return result, False

    # -- notifications -----------------------------------------------------------------------

    def send_reminders(self, limit: int = 500) -> int:
        """Remind the guests of confirmed bookings arriving within ``reminder_days`` (through
        the notification system), and of stays about to end (``_remind_departures``), each
        once: the reservation is marked by compare-and-set
        after the send, and the send's idempotency key (template and reservation) makes a
        repeat after a crash in between a no-op. Returns how many were sent."""
        if self.notify is None:
            return 0
        r = reservations.c
        today = self.today().toordinal()
        with self.read_engine.connect() as conn:
            due = conn.execute(
                select(reservations)
                .where(
                    and_(
                        r.status == "confirmed",
                        r.notified.is_(False),
                        r.first_day >= today,
                        r.first_day <= today + self.conf.reminder_days,
                    )
                )
                .order_by(r.first_day)
                .limit(limit)
            ).all()
        sent = 0
        for row in due:
            try:
                self.notify.send(row.owner, "booking_reminder", view(row, self.clock()), row.id)
            except Exception:  # noqa: BLE001 - retried on the next pass
                log.warning("could not remind %s about %s", row.owner, row.id, exc_info=True)
                continue
            with self.engine.begin() as conn:
                sent += conn.execute(
                    reservations.update()
                    .where(and_(r.id == row.id, r.notified.is_(False)))
                    .values(notified=True)
                ).rowcount
        return sent + self._remind_departures(limit)

    def _remind_departures(self, limit: int) -> int:
        """Remind the guests of stays under way that end within ``departure_reminder_days``,
        each once: within this process by the ids already sent, across restarts by the send's
        idempotency key (template and reservation), which makes a repeat a no-op."""
        r = reservations.c
        today = self.today().toordinal()
        check_out = r.first_day + r.nights
        with self.read_engine.connect() as conn:
            due = conn.execute(
                select(reservations)
                .where(
                    and_(
                        r.status == "confirmed",
                        r.first_day <= today,
                        check_out >= today,
                        check_out <= today + self.conf.departure_reminder_days,
                    )
                )
                .order_by(check_out)
                .limit(limit)
            ).all()
        sent = 0
        for row in due:
            if row.id in self._departures_told:
                continue
            try:
                self.notify.send(row.owner, "booking_departure", view(row, self.clock()), row.id)
            except Exception:  # noqa: BLE001 - retried on the next pass
                log.warning("could not remind %s about %s", row.owner, row.id, exc_info=True)
                continue
            self._departures_told.add(row.id)
            sent += 1
        return sent

    def _notify(self, row: Any, template: str) -> None:
        if self.notify is None:
            return
        try:
            self.notify.send(row.owner, template, view(row, self.clock()), row.id)
        except Exception:  # noqa: BLE001 - a notification never undoes a booking
            log.warning("could not notify %s about %s", row.owner, row.id, exc_info=True)

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
        self._flusher.shutdown(wait=True)
        self.flush_events()
        self.gateway.close()
