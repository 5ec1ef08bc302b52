"""Matching, the service's half that makes offers: ring search ranked by predicted pickup
time (greedy, one trip at a time), batched assignment, and offer timeouts.

Every offer goes through ``trips.offer`` (the store's conditional update); a lost race only
means the next candidate. A trip nobody can take ends as cancelled by the system with reason
``no_driver``, and its quote is freed so the rider may ask again while it holds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, select, update

from services.rides import dispatch, trips
from services.rides.store import quotes
from services.rides.store import trips as trips_t


class Matching:
    """Mixed into ``RidesService`` (uses its engine, index, clock, eta, conf and events)."""

    def _when(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def _nearest(self, pickup: tuple[float, float], exclude=()) -> list[dispatch.Candidate]:
        found = dispatch.search(
            self.index.in_cells,
            pickup,
            want=self.conf.candidates,
            max_ring=self.conf.max_ring,
            exclude=exclude,
            fresh_after=self.clock() - self.conf.stale_after_s,
        )
        return dispatch.rank(
            found,
            pickup,
            self.eta,
            self._when(),
            self.conf.candidates,
            shortlist=self.conf.shortlist,
        )

    def offer_next(self, trip_id: str) -> bool:
        """Offer the trip to the best free driver not yet tried; end it as ``no_driver`` when
        none is left. True when an offer is open."""
        row = self._row(trip_id)
        if row.status != "requested" or row.driver_id is not None:
            return row.status == "requested"
        tried = set(filter(None, row.tried.split(",")))
        pickup = (row.pickup_lat, row.pickup_lng)
        if row.offers < self.conf.max_offers:
            for _round in range(3):
                ranked = self._nearest(pickup, exclude=tried)
                if not ranked:
                    break
                for cand in ranked:
                    now = self.index.get(cand.driver_id)  # taken since we looked: skip the
                    if now is not None and not now.busy and self._offer(row, cand):  # store
                        return True
                    tried.add(cand.driver_id)  # lost a race for it: never mind, the next
        self._end_unmatched(trip_id)
        return False

    def _offer(self, row: Any, cand: dispatch.Candidate) -> bool:
        now = self.clock()
        timeout = self.conf.offer_timeout_s
        if not trips.offer(self.engine, row.id, cand.driver_id, now, timeout, cand.eta_s):
            return False
        self.index.set_busy(cand.driver_id, True)
        self.crash_hook("offered")
        self._note(
            "offered",
            row.id,
            cand.driver_id,
            driver_id=cand.driver_id,
            eta_s=round(cand.eta_s, 1),
            n=row.offers + 1,
            eta_source=self.eta.source,
        )
        return True

    def _end_unmatched(self, trip_id: str) -> None:
        def free_quote(conn) -> None:  # the rider may try again with the same quote
            conn.execute(update(quotes).where(quotes.c.trip_id == trip_id).values(trip_id=None))

        if trips.advance(
            self.engine,
            trip_id,
            "requested",
            "cancelled",
            self.clock(),
            extra={"cancelled_by": "system", "cancel_reason": "no_driver"},
            then=free_quote,
        ):
            row = self._row(trip_id)
            self._emit("no_driver", trip_id, row.rider, cell=row.pickup_cell, offers=row.offers)

    def match_batch(self) -> int:
        """Assign every waiting trip at once by minimum total pickup time; returns offers."""
        t = trips_t.c
        with self.read_engine.connect() as conn:
            waiting = conn.execute(
                select(trips_t)
                .where(and_(t.status == "requested", t.driver_id.is_(None)))
                .order_by(t.requested_at)
                .limit(500)
            ).all()
        if not waiting:
            return 0
        fresh = self.clock() - self.conf.stale_after_s
        cands = [
            dispatch.search(
                self.index.in_cells,
                (r.pickup_lat, r.pickup_lng),
                want=self.conf.candidates,
                max_ring=self.conf.max_ring,
                exclude=set(filter(None, r.tried.split(","))),
                fresh_after=fresh,
            )
            for r in waiting
        ]
        pairs = dispatch.assign_batch(
            [(r.pickup_lat, r.pickup_lng) for r in waiting], cands, self.eta, self._when()
        )
        made = 0
        matched = set()
        for i, cand in pairs:
            if self._offer(waiting[i], cand):
                made += 1
                matched.add(i)
        for i, r in enumerate(waiting):  # no candidate at all, or lost its driver to a race
            if i not in matched and (not cands[i] or r.offers >= self.conf.max_offers):
                self.offer_next(r.id)
        return made

    def expire_offers(self) -> int:
        """Offers past their accept window go to the next driver."""
        t = trips_t.c
        with self.read_engine.connect() as conn:
            late = conn.execute(
                select(t.id, t.driver_id).where(
                    and_(
                        t.status == "requested",
                        t.driver_id.is_not(None),
                        t.offer_expires <= self.clock(),
                    )
                )
            ).all()
        for trip_id, driver_id in late:
            if trips.release(self.engine, trip_id, driver_id, "timeout"):
                self.index.set_busy(driver_id, False)
                self._note("offer_expired", trip_id, driver_id, driver_id=driver_id)
                self.offer_next(trip_id)
        return len(late)
