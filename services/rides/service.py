"""The ride-sharing service: positions, quotes, requests, matching and the trip lifecycle.

A request turns a valid quote into a trip in ``requested``; matching then *offers* it to one
driver at a time (``trips.offer`` reserves the driver in the store). The driver accepts
within ``offer_timeout_s``, or declines; a decline or a timeout offers the next driver, and
after ``max_offers`` (or when no free driver is near) the trip ends as cancelled by the
system with reason ``no_driver``. In ``greedy`` dispatch the first offer is made while the
request waits; in ``batch`` dispatch, every ``batch_interval_s`` all waiting trips are
assigned at once (``dispatch.assign_batch``).

Payments (a completed fare, a cancellation fee) go through ``services.rides.charges``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Engine

from services.errors import Conflict, Invalid, NotFound, RateLimited, Unavailable
from services.event_spool import EventSpool
from services.payments.adapter import CARD_OK, PaymentGateway
from services.payments.idempotency import IdempotencyStore
from services.periodic import Every, Periodic
from services.ratelimit import TokenBucketLimiter
from services.rides import geo, pricing, trips
from services.rides.charges import Charges
from services.rides.eta import EtaServing
from services.rides.lifecycle import Lifecycle
from services.rides.locations import LocationIndex
from services.rides.matching import Matching
from services.rides.settings import RidesSettings
from services.rides.store import ACTIVE, drivers, idempotency, metadata, quotes
from services.rides.store import trips as trips_t
from services.rides.surge import Served, SurgeBoard
from services.rides.views import _iso, quote_view
from warehouse.emitter import Emitter
from warehouse.events import Event

SYSTEM = "rides"
MAX_BATCH_POINTS = 50


class NoDriver(Unavailable):
    """No free driver near the pickup (503, with Retry-After)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"Retry-After": "30"})


class QuoteExpired(Conflict):
    """The quote lapsed; ``quote`` is a fresh one for the same trip (409)."""

    def __init__(self, message: str, quote: dict[str, Any]) -> None:
        super().__init__(message, headers={"X-New-Quote": quote["id"]})
        self.quote = quote


class RidesService(Matching, Lifecycle):
    def __init__(
        self,
        engine: Engine,
        read_engine: Engine,
        index: LocationIndex,
        gateway: PaymentGateway,
        emitter: Emitter,
        conf: RidesSettings,
        *,
        eta: EtaServing,
        surge: SurgeBoard,
        policy: Served | None = None,
        clock: Callable[[], float] = time.time,
        notify: Any = None,
    ) -> None:
        self.engine = engine
        self.read_engine = read_engine
        metadata.create_all(engine)
        self.index = index
        self.emitter = emitter
        self.conf = conf
        self.clock = clock
        self.eta = eta
        self.surge = surge
        self.policy = policy or Served(None, "rides_dispatch")
        self.notify = notify
        self.charges = Charges(engine, read_engine, gateway, emitter, conf)
        self.keys = IdempotencyStore(engine, idempotency, clock=clock)
        self.limiter = TokenBucketLimiter(
            conf.location_rate, 1.0, conf.location_burst, clock=time.monotonic
        )
        self._known: set[str] = set()
        self._sampled: dict[str, float] = {}
        self.spool = EventSpool(emitter, SYSTEM, batch=200, limit=200)
        self._sweeper = Periodic("rides-sweeper")
        self.crash_hook: Callable[[str], None] = lambda _point: None
        self.local_gateway: Any = None  # the in-process local gateway, when one runs

    def dispatch_mode(self) -> str:
        """``greedy`` or ``batch``: the promoted dispatch policy's, else the setting's."""
        self.policy.refresh()
        return self.policy.data.get("dispatch", self.conf.dispatch)

    # -- events ------------------------------------------------------------------------------

    def _buffer(self, type_: str, **fields: Any) -> None:
        """Positions and quotes are many and acknowledge nothing: spooled in batches (by the
        sweeper, or by the caller every 200). Trip transitions are emitted one by one."""
        self.spool.add(type_, ts=self._now(), **fields)

    def flush_events(self) -> None:
        self.spool.flush()

    def _now(self) -> datetime:
        """Events carry the service's clock: the lake orders and windows them by it."""
        return datetime.fromtimestamp(self.clock(), UTC)

    def _emit(self, type_: str, trip_id: str, actor: str | None, **attrs: Any) -> None:
        """A trip transition, durable before the caller hears of it (the store holds the
        state; these are its record in the lake)."""
        event = Event(
            system=SYSTEM, type=type_, ts=self._now(), actor=actor, entity=trip_id, attrs=attrs
        )
        self.emitter.emit_events([event])

    def _note(self, type_: str, trip_id: str, actor: str | None, **attrs: Any) -> None:
        """A step between transitions (an offer made, declined or lapsed; a ride started; a
        rating): spooled with the next batch rather than paying an fsync of its own."""
        self._buffer(type_, actor=actor, entity=trip_id, attrs=attrs)

    # -- drivers and positions ---------------------------------------------------------------

    def _driver_known(self, driver_id: str) -> None:
        if driver_id in self._known:
            return
        trips.ensure_driver(self.engine, driver_id, self.clock())
        with self.read_engine.connect() as conn:
            busy = conn.execute(
                select(drivers.c.trip_id).where(drivers.c.id == driver_id)
            ).scalar_one_or_none()
        self._known.add(driver_id)
        self.index.set_busy(driver_id, busy is not None)

    def update_locations(
        self, driver_id: str, points: list[tuple[float, float, float | None]]
    ) -> dict[str, Any]:
        """Absorb one driver's positions (a batch of ``(lat, lng, ts)``, oldest first); the
        newest is indexed. Floods are refused (429) per driver; a bad point refuses the batch.
        """
        if not points:
            raise Invalid("no positions")
        if len(points) > MAX_BATCH_POINTS:
            raise Invalid(f"at most {MAX_BATCH_POINTS} positions per batch")
        now = self.clock()
        for lat, lng, ts in points:
            geo.check_point(lat, lng)
            if ts is not None and not (now - 3600 <= ts <= now + 60):
                raise Invalid("a position's ts must be within the last hour (epoch seconds)")
        wait = self.limiter.acquire(driver_id, 1.0)
        if wait > 0:
            raise RateLimited(
                f"driver {driver_id} sends positions too often (at most "
                f"{self.conf.location_rate:g}/s)",
                wait,
            )
        self._driver_known(driver_id)
        lat, lng, ts = points[-1]
        pos = self.index.update(driver_id, lat, lng, now if ts is None else min(ts, now))
        last = self._sampled.get(driver_id, float("-inf"))
        if now - last >= self.conf.position_sample_s:
            self._sampled[driver_id] = now
            self._buffer(
                "position",
                actor=driver_id,
                entity=driver_id,
                attrs={"lat": lat, "lng": lng, "cell": pos.cell, "busy": pos.busy},
            )
        offer = self.open_offer(driver_id) if pos.busy else None  # an offer marks it busy
        return {"cell": pos.cell, "accepted": len(points), "offer": offer}

    def go_offline(self, driver_id: str) -> None:
        d = drivers.c
        with self.engine.begin() as conn:
            row = conn.execute(select(d.trip_id).where(d.id == driver_id)).first()
            if row is not None and row.trip_id is not None:
                raise Conflict(f"driver {driver_id} is on trip {row.trip_id}; finish it first")
            conn.execute(update(drivers).where(d.id == driver_id).values(online=False))
        self.index.remove(driver_id)
        self._known.discard(driver_id)
        self._buffer("offline", actor=driver_id, entity=driver_id)

    def open_offer(self, driver_id: str) -> str | None:
        t = trips_t.c
        with self.read_engine.connect() as conn:
            return conn.execute(
                select(t.id).where(and_(t.driver_id == driver_id, t.status == "requested"))
            ).scalar_one_or_none()

    # -- quotes ------------------------------------------------------------------------------

    def quote(
        self, rider: str, pickup: tuple[float, float], dropoff: tuple[float, float]
    ) -> dict[str, Any]:
        """An upfront fare, valid ``quote_ttl_s``, with the pickup ETA of the nearest driver."""
        geo.check_trip(pickup, dropoff)
        now = self.clock()
        crow = geo.haversine_m(*pickup, *dropoff)
        duration = float(self.eta.trip([pickup], [dropoff], self._when())[0])
        surge = self.surge.multiplier(geo.surge_cell(*pickup))
        f = pricing.fare(self.conf, crow, duration, surge)
        nearest = self._nearest(pickup)
        row = {
            "id": trips.new_id("q_"),
            "rider": rider,
            "pickup_lat": pickup[0],
            "pickup_lng": pickup[1],
            "drop_lat": dropoff[0],
            "drop_lng": dropoff[1],
            "distance_m": f.distance_m,
            "duration_s": f.duration_s,
            "surge": surge,
            "fare_cents": f.fare_cents,
            "pickup_eta_s": nearest[0].eta_s if nearest else None,
            "created_at": now,
            "expires_at": now + self.conf.quote_ttl_s,
            "trip_id": None,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(quotes).values(**row))
        self._buffer(
            "quoted",
            actor=rider,
            entity=row["id"],
            attrs={"fare_cents": f.fare_cents, "surge": surge, "cell": geo.cell(*pickup)},
        )
        return quote_view(row)

    def request(self, rider: str, quote_id: str, payment_method: str = CARD_OK) -> dict[str, Any]:
        """Turn a quote into a trip; in greedy dispatch, its first offer is made now."""
        now = self.clock()
        q = quotes.c
        with self.read_engine.connect() as conn:
            row = conn.execute(select(quotes).where(q.id == quote_id)).first()
        if row is None or row.rider != rider:
            raise NotFound(f"no quote {quote_id!r}")
        if row.expires_at <= now:
            fresh = self.quote(
                rider, (row.pickup_lat, row.pickup_lng), (row.drop_lat, row.drop_lng)
            )
            raise QuoteExpired(
                f"quote {quote_id} expired at {_iso(row.expires_at)}; a new quote {fresh['id']} "
                f"is {fresh['fare_cents']} cents (surge {fresh['surge']}), valid until "
                f"{fresh['expires_at']}",
                fresh,
            )
        trip_id = trips.new_id("t_")
        with self.engine.begin() as conn:
            if (
                conn.execute(
                    update(quotes)
                    .where(and_(q.id == quote_id, q.trip_id.is_(None)))
                    .values(trip_id=trip_id)
                ).rowcount
                != 1
            ):
                raise Conflict(f"quote {quote_id} was already used for a trip")
            conn.execute(
                insert(trips_t).values(
                    id=trip_id,
                    rider=rider,
                    status="requested",
                    quote_id=quote_id,
                    pickup_lat=row.pickup_lat,
                    pickup_lng=row.pickup_lng,
                    drop_lat=row.drop_lat,
                    drop_lng=row.drop_lng,
                    pickup_cell=geo.cell(row.pickup_lat, row.pickup_lng),
                    fare_cents=row.fare_cents,
                    surge=row.surge,
                    currency=self.conf.currency,
                    payment_method=payment_method,
                    offers=0,
                    tried="",
                    requested_at=now,
                    charge_cents=0,
                    notified="",
                )
            )
        self._emit(
            "requested",
            trip_id,
            rider,
            pickup_lat=row.pickup_lat,
            pickup_lng=row.pickup_lng,
            drop_lat=row.drop_lat,
            drop_lng=row.drop_lng,
            cell=geo.cell(row.pickup_lat, row.pickup_lng),
            fare_cents=row.fare_cents,
            surge=row.surge,
            quoted_eta_s=row.pickup_eta_s,
        )
        self.crash_hook("created")
        if self.dispatch_mode() == "greedy" and not self.offer_next(trip_id):
            raise NoDriver(
                f"no driver is free near your pickup (trip {trip_id} was not matched); "
                "request again in a moment"
            )
        return self._trip_row(trip_id)

    # -- timers and recovery -----------------------------------------------------------------

    def recover(self) -> dict[str, int]:
        """After a crash: open offers past their window are taken back and the trip offered
        again (or ended ``no_driver``); trips left with no offer at all are matched again;
        driver reservations that no active trip claims are cleared; payments are settled."""
        out = {"offers_expired": self.expire_offers()}
        t, d = trips_t.c, drivers.c
        stale = self.clock() - self.conf.offer_timeout_s
        with self.read_engine.connect() as conn:
            orphans = (
                conn.execute(
                    select(t.id).where(
                        and_(
                            t.status == "requested", t.driver_id.is_(None), t.requested_at <= stale
                        )
                    )
                )
                .scalars()
                .all()
            )
        for trip_id in orphans:
            self.offer_next(trip_id)
        out["rematched"] = len(orphans)
        with self.engine.begin() as conn:
            claimed = select(t.id).where(
                and_(t.id == d.trip_id, t.driver_id == d.id, t.status.in_(ACTIVE))
            )
            out["reservations_cleared"] = conn.execute(
                update(drivers)
                .where(and_(d.trip_id.is_not(None), ~claimed.exists()))
                .values(trip_id=None)
            ).rowcount
        out.update(self.charges.reconcile())
        return out

    def sweep(self) -> None:
        self.flush_events()
        self.expire_offers()
        self._drop_stale_drivers()
        if self.dispatch_mode() == "batch":
            self.match_batch()

    def _drop_stale_drivers(self) -> None:
        for driver_id in self.index.expire(self.clock() - self.conf.stale_after_s):
            self._known.discard(driver_id)

    def _timers_pass(self, batch_turn: Every, reconcile_turn: Every) -> None:
        """``sweep`` with batched matching on its own cadence, webhooks and reconciliation."""
        self.flush_events()
        self.expire_offers()
        self._drop_stale_drivers()
        if self.dispatch_mode() == "batch" and batch_turn.due():
            self.match_batch()
        if self.local_gateway is not None:
            self.local_gateway.deliver_webhooks()
        if reconcile_turn.due():
            self.charges.reconcile()

    def start(self) -> None:
        """Run the timers: offer expiry, stale drivers, batched matching, reconciliation."""
        if self._sweeper.running:
            return
        self.recover()
        batch_turn = Every(self.conf.batch_interval_s)
        reconcile_turn = Every(self.conf.reconcile_interval_s, at_start=False)
        self._sweeper.start(
            self.conf.sweep_interval_s, lambda: self._timers_pass(batch_turn, reconcile_turn)
        )

    def stop(self) -> None:
        self._sweeper.stop()

    # -- idempotent API calls ----------------------------------------------------------------

    def idempotent(
        self, scope: str, key: str | None, method: str, path: str, body: Any, run: Callable
    ) -> tuple[Any, bool]:
        """``run()`` at most once per ``(scope, key)`` (as booking does)."""
        return self.keys.call(scope, key, (method, path, body), run)

    # -- notifications and figures -----------------------------------------------------------

    def safety(self) -> dict[str, int]:
        """Invariant counts (all must be 0): drivers on two active trips, trips held by two
        drivers, and reservations that disagree with their trip."""
        t, d = trips_t.c, drivers.c
        with self.read_engine.connect() as conn:
            per_driver = (
                select(t.driver_id)
                .where(and_(t.driver_id.is_not(None), t.status.in_(ACTIVE)))
                .group_by(t.driver_id)
                .having(func.count() > 1)
                .subquery()
            )
            two_trips = conn.execute(select(func.count()).select_from(per_driver)).scalar_one()
            per_trip = (
                select(d.trip_id)
                .where(d.trip_id.is_not(None))
                .group_by(d.trip_id)
                .having(func.count() > 1)
                .subquery()
            )
            two_drivers = conn.execute(select(func.count()).select_from(per_trip)).scalar_one()
            mismatched = conn.execute(
                select(func.count())
                .select_from(trips_t.join(drivers, d.id == t.driver_id))
                .where(and_(t.status.in_(ACTIVE), d.trip_id.is_distinct_from(t.id)))
            ).scalar_one()
        return {
            "drivers_with_two_trips": int(two_trips),
            "trips_with_two_drivers": int(two_drivers),
            "mismatched_reservations": int(mismatched),
        }

    def close(self) -> None:
        self.stop()
        self.flush_events()
        self.charges.close()
