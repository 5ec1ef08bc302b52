"""The trip lifecycle, the service's half that moves accepted trips: accept or decline an
offer, arrive, start, complete (the fare charged once), cancel (with the fees ``pricing``
documents), and ratings. Who may see and move a trip: its rider, and the driver it is
offered or assigned to; anyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import and_, bindparam, select, update

from services.errors import Conflict, Invalid, NotFound
from services.rides import pricing, trips
from services.rides.store import drivers
from services.rides.store import trips as trips_t
from services.rides.views import trip_view

log = logging.getLogger(__name__)
#: One trip by id, built once (every call and every match reads a trip).
_BY_ID = select(trips_t).where(trips_t.c.id == bindparam("b_trip"))


class Lifecycle:
    """Mixed into ``RidesService`` (uses its engines, index, clock, charges and events)."""

    def _row(self, trip_id: str) -> Any:
        with self.read_engine.connect() as conn:
            row = conn.execute(_BY_ID, {"b_trip": trip_id}).first()
        if row is None:
            raise NotFound(f"no trip {trip_id!r}")
        return row

    def _trip_row(self, trip_id: str) -> dict[str, Any]:
        return trip_view(self._row(trip_id))

    def _visible(self, user: str, trip_id: str) -> Any:
        """The trip if ``user`` is its rider or its (offered or assigned) driver; else 404."""
        row = self._row(trip_id)
        if user not in (row.rider, row.driver_id):
            raise NotFound(f"no trip {trip_id!r}")
        return row

    def get(self, user: str, trip_id: str) -> dict[str, Any]:
        return trip_view(self._visible(user, trip_id))

    def list_trips(self, user: str, limit: int = 50) -> list[dict[str, Any]]:
        t = trips_t.c
        with self.read_engine.connect() as conn:
            rows = conn.execute(
                select(trips_t)
                .where((t.rider == user) | (t.driver_id == user))
                .order_by(t.requested_at.desc())
                .limit(limit)
            ).all()
        return [trip_view(r) for r in rows]

    def _move(self, driver: str, trip_id: str, expected: str, new: str, **kw: Any) -> Any:
        row = self._visible(driver, trip_id)
        if row.driver_id != driver:
            raise NotFound(f"no trip {trip_id!r}")
        if row.status != expected:
            raise Conflict(f"trip {trip_id} is {row.status}; it cannot become {new} now")
        if not trips.advance(
            self.engine, trip_id, expected, new, self.clock(), driver_id=driver, **kw
        ):
            current = self._row(trip_id)
            if expected == "requested" and current.status == "requested":
                raise Conflict(f"the offer of trip {trip_id} expired")
            raise Conflict(f"trip {trip_id} is {current.status}; it cannot become {new} now")
        return self._row(trip_id)

    def accept(self, driver: str, trip_id: str) -> dict[str, Any]:
        row = self._move(driver, trip_id, "requested", "accepted")
        match_s = row.accepted_at - row.requested_at
        self._emit(
            "accepted",
            trip_id,
            driver,
            rider=row.rider,
            match_s=round(match_s, 3),
            pickup_eta_s=row.pickup_eta_s,
            offers=row.offers,
            cell=row.pickup_cell,
        )
        self._notify(row, row.rider, "rides_driver_assigned")
        return trip_view(row)

    def decline(self, driver: str, trip_id: str) -> dict[str, Any]:
        row = self._visible(driver, trip_id)
        if row.driver_id != driver or row.status != "requested":
            raise Conflict(f"trip {trip_id} has no open offer for you")
        if not trips.release(self.engine, trip_id, driver, "declined"):
            raise Conflict(f"the offer of trip {trip_id} changed meanwhile")
        self.index.set_busy(driver, False)
        self._note("offer_declined", trip_id, driver, driver_id=driver)
        self.offer_next(trip_id)
        return {"id": trip_id, "status": "declined"}

    def arrive(self, driver: str, trip_id: str) -> dict[str, Any]:
        row = self._move(driver, trip_id, "accepted", "arriving")
        self._emit(
            "arriving",
            trip_id,
            driver,
            rider=row.rider,
            pickup_s=round(row.arrived_at - row.accepted_at, 3),
            pickup_eta_s=row.pickup_eta_s,
            cell=row.pickup_cell,
        )
        self._notify(row, row.rider, "rides_arriving")
        return trip_view(row)

    def start_trip(self, driver: str, trip_id: str) -> dict[str, Any]:
        row = self._move(driver, trip_id, "arriving", "in_progress")
        self._note("started", trip_id, driver, rider=row.rider)
        return trip_view(row)

    def complete(self, driver: str, trip_id: str) -> dict[str, Any]:
        """End the ride, free the driver, and charge the upfront fare exactly once."""
        row = self._visible(driver, trip_id)
        self._move(
            driver,
            trip_id,
            "in_progress",
            "completed",
            extra={"charge_cents": row.fare_cents, "pay_state": "charging"},
            free_driver=True,
        )
        self.index.set_busy(driver, False)
        self.crash_hook("completed")
        done = self._row(trip_id)
        self._emit(
            "completed",
            trip_id,
            driver,
            rider=done.rider,
            fare_cents=done.fare_cents,
            duration_s=round(done.ended_at - done.started_at, 3),
            busy_s=round(done.ended_at - done.accepted_at, 3),
        )
        self.charges.settle(trip_id, self.crash_hook)
        done = self._row(trip_id)
        self._notify(done, done.rider, "rides_receipt")
        return trip_view(done)

    def cancel(self, user: str, trip_id: str) -> dict[str, Any]:
        """Cancel as the rider or the assigned driver, with the fee ``pricing`` documents."""
        row = self._visible(user, trip_id)
        by = "rider" if user == row.rider else "driver"
        if row.status in ("completed", "cancelled"):
            raise Conflict(f"trip {trip_id} is already {row.status}")
        if by == "driver" and row.status == "requested":
            raise Conflict("an open offer is declined, not cancelled")
        if row.status == "in_progress":
            raise Conflict(f"trip {trip_id} is in progress; it ends by completing")
        now = self.clock()
        fee = pricing.cancel_fee(self.conf, by, row.status, row.accepted_at, now, row.fare_cents)
        extra: dict[str, Any] = {"cancelled_by": by, "cancel_reason": f"{by}_cancelled"}
        if fee:
            extra.update(charge_cents=fee, pay_state="charging")
        if not trips.advance(
            self.engine, trip_id, row.status, "cancelled", now, extra=extra, free_driver=True
        ):
            raise Conflict(f"trip {trip_id} changed meanwhile; look again")
        if row.driver_id is not None:
            self.index.set_busy(row.driver_id, False)
            if by == "driver":
                with self.engine.begin() as conn:
                    conn.execute(
                        update(drivers)
                        .where(drivers.c.id == row.driver_id)
                        .values(cancels=drivers.c.cancels + 1)
                    )
        self._emit("cancelled", trip_id, user, by=by, fee_cents=fee, was=row.status)
        if fee:
            self.charges.settle(trip_id, self.crash_hook)
        return trip_view(self._row(trip_id))

    def rate(self, user: str, trip_id: str, stars: int, comment: str = "") -> dict[str, Any]:
        """Rider rates driver and driver rates rider, once each, after completion."""
        if not 1 <= stars <= 5:
            raise Invalid("stars must be 1 to 5")
        row = self._visible(user, trip_id)
        if row.status != "completed":
            raise Conflict(f"trip {trip_id} is {row.status}; rate it once it is completed")
        col = "rider_rating" if user == row.rider else "driver_rating"
        t = trips_t.c
        with self.engine.begin() as conn:
            done = conn.execute(
                update(trips_t).where(and_(t.id == trip_id, t[col].is_(None))).values({col: stars})
            ).rowcount
            if done != 1:
                raise Conflict(f"you already rated trip {trip_id}")
            if col == "rider_rating":
                d = drivers.c
                conn.execute(
                    update(drivers)
                    .where(d.id == row.driver_id)
                    .values(rating_sum=d.rating_sum + stars, rating_n=d.rating_n + 1)
                )
        self._note("rated", trip_id, user, by=col.split("_")[0], stars=stars)
        return trip_view(self._row(trip_id))

    def driver_rating(self, driver_id: str) -> dict[str, Any]:
        with self.read_engine.connect() as conn:
            row = conn.execute(select(drivers).where(drivers.c.id == driver_id)).first()
        if row is None:
            raise NotFound(f"no driver {driver_id!r}")
        avg = row.rating_sum / row.rating_n if row.rating_n else None
        return {"driver_id": driver_id, "rating": avg, "ratings": row.rating_n}

    def _notify(self, row: Any, user: str, template: str) -> None:
        if self.notify is None:
            return
        try:
            self.notify.send(user, template, trip_view(row), row.id)
        except Exception:  # noqa: BLE001 - a notification never undoes a trip
            log.warning("could not notify %s about %s", user, row.id, exc_info=True)
