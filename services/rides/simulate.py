"""A simulated city for the service: drivers and riders acting on a simulated clock.

Rider demand comes from real trips: the busiest ``hours`` of the day by the trips' own
hourly counts, each hour's requests drawn as a Poisson process at its real share, each
request a real trip of that hour (pickup, drop-off, recorded duration). Drivers start at
real pickup points and wait where a trip left them, about ``spread_m`` from the recorded
point (the data keeps tract centroids, not where a cab stood). Every action goes through
the service as a client would: positions (a heartbeat every ``heartbeat_s``), quotes,
requests, accept or decline within seconds, arrival, start, completion (charged), ratings,
and a few rider cancellations.

The driver's *real* pickup time comes from the real trips, never from the prediction
(``PickupTruth``): the leg's great-circle length over the great-circle speed of a real trip of
the same hour (the simulated clock's, in Chicago, which the predictor is given too), of the
rider's pickup community area where it has enough trips, and of about the same length. So
the pickup-ETA error the summary prints measures how well the served predictor follows
real-world variability, scored as the ETA model's own evaluation is: on legs whose two ends
differ (``geo.MIN_TRIP_M``).
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.rides_trips import LOCAL_TZ
from services.rides import geo
from services.rides.replay import percentile
from services.rides.service import NoDriver


@dataclass(frozen=True)
class Ask:
    t: float  # seconds from the start of the simulated window
    pickup: tuple[float, float]
    dropoff: tuple[float, float]
    trip_s: float
    area: int | None = None  # its pickup community area, when recorded


#: A pickup leg's speed comes from its hour's trips of its pickup area when the area has at
#: least this many, else from all the hour's trips.
MIN_AREA_TRIPS = 30
#: ... drawn from this many trips whose great-circle length is nearest the leg's.
SIMILAR_TRIPS = 25
#: Faster than this (m/s, 130 km/h) over a great circle, a recorded trip is a meter error.
MAX_SPEED_MPS = 36.0


class PickupTruth:
    """The real-world duration of a pickup leg, drawn from the real trips.

    A leg of ``d`` metres at hour ``h`` from area ``a`` takes ``d / v`` seconds, ``v`` the
    great-circle speed (great-circle length / recorded ``trip_s``) of one real trip drawn from
    the ``SIMILAR_TRIPS`` of hour ``h`` (and area ``a`` when it has ``MIN_AREA_TRIPS``)
    nearest ``d`` in length: short trips are slow (setting off, stopping, lights), so a 1 km
    leg gets a 1 km trip's speed, not a highway run's. Legs under ``geo.MIN_TRIP_M`` count
    as that long. The prediction plays no part.
    """

    def __init__(self, trips: list[dict[str, Any]]) -> None:
        pools: dict[tuple[int, int | None], list[tuple[float, float]]] = {}
        for t in trips:
            metres = geo.haversine_m(*t["pickup"], *t["dropoff"])
            if t["trip_s"] <= 0 or metres < geo.MIN_TRIP_M:
                continue
            speed = metres / t["trip_s"]
            if speed > MAX_SPEED_MPS:
                continue
            pools.setdefault((t["hour"], None), []).append((metres, speed))
            if t.get("area") is not None:
                pools.setdefault((t["hour"], t["area"]), []).append((metres, speed))
        if not pools:
            raise ValueError("no real trip with a duration and two distinct ends")
        self._pools = {k: sorted(v) for k, v in pools.items()}
        self._lengths = {k: [m for m, _s in v] for k, v in self._pools.items()}

    def speed(self, metres: float, hour: int, area: int | None, rng: random.Random) -> float:
        """A real speed (m/s) for a leg of ``metres`` at ``hour`` from ``area``."""
        key = (hour, area)
        if len(self._pools.get(key, ())) < MIN_AREA_TRIPS:
            key = (hour, None)
        if key not in self._pools:  # an hour with no usable trip: the nearest hour that has
            hour = min(
                (h for h, _a in self._pools), key=lambda h: min(abs(h - hour), 24 - abs(h - hour))
            )
            key = (hour, None)
        pool, lengths = self._pools[key], self._lengths[key]
        i = bisect.bisect_left(lengths, metres)
        lo = max(0, min(i - SIMILAR_TRIPS // 2, len(pool) - SIMILAR_TRIPS))
        hi = min(len(pool), lo + SIMILAR_TRIPS)
        return pool[rng.randrange(lo, hi)][1]

    def seconds(
        self,
        origin: tuple[float, float],
        pickup: tuple[float, float],
        hour: int,
        area: int | None,
        rng: random.Random,
    ) -> float:
        """The leg's real seconds from ``origin`` (the driver) to ``pickup``."""
        metres = max(geo.MIN_TRIP_M, geo.haversine_m(*origin, *pickup))
        return metres / self.speed(metres, hour, area, rng)


def busiest_window(hour_counts: dict[int, int], hours: int) -> list[int]:
    """The ``hours`` consecutive hours (wrapping midnight) with the most trips."""
    best = max(range(24), key=lambda h: sum(hour_counts.get((h + i) % 24, 0) for i in range(hours)))
    return [(best + i) % 24 for i in range(hours)]


def demand_from_trips(
    trips: list[dict[str, Any]], n: int, hours: int, rng: random.Random
) -> list[Ask]:
    """``n`` requests over the busiest ``hours``, shaped like the real hourly demand.

    ``trips`` rows need ``hour``, ``pickup``, ``dropoff`` and ``trip_s``; ``area`` (the pickup
    community area) is optional."""
    by_hour: dict[int, list[dict]] = {}
    for t in trips:
        by_hour.setdefault(t["hour"], []).append(t)
    window = busiest_window({h: len(v) for h, v in by_hour.items()}, hours)
    total = sum(len(by_hour.get(h, [])) for h in window)
    asks: list[Ask] = []
    for i, h in enumerate(window):
        pool = by_hour.get(h, [])
        if not pool:
            continue
        rate = n * len(pool) / total / 3600.0  # requests per second in this hour
        t = i * 3600.0 + rng.expovariate(rate)
        while t < (i + 1) * 3600.0:
            trip = rng.choice(pool)
            asks.append(Ask(t, trip["pickup"], trip["dropoff"], trip["trip_s"], trip.get("area")))
            t += rng.expovariate(rate)
    return asks


@dataclass
class Facts:
    requests: int = 0
    offers: int = 0
    declined: int = 0
    no_driver: int = 0
    completed: int = 0
    cancelled: int = 0
    rated: int = 0
    dispatch_ms: list[float] = field(default_factory=list)
    match_s: list[float] = field(default_factory=list)
    #: (predicted, real) seconds of each scored pickup leg (two distinct ends)
    pickups: list[tuple[float, float]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        n = len(self.pickups)
        return {
            "requests": self.requests,
            "completed": self.completed,
            "cancelled": self.cancelled,
            "no_driver": self.no_driver,
            "declined": self.declined,
            "rated": self.rated,
            "dispatch_p99_ms": round(percentile(self.dispatch_ms, 0.99), 2),
            "match_p99_s": round(percentile(self.match_s, 0.99), 2),
            "pickup_legs": n,
            "pickup_eta_mae_s": round(sum(abs(p - r) for p, r in self.pickups) / max(1, n), 1),
            "pickup_eta_mape": round(sum(abs(p - r) / r for p, r in self.pickups) / max(1, n), 3),
        }


def run(
    svc: Any,
    clock: Any,
    asks: list[Ask],
    driver_starts: list[tuple[float, float]],
    rng: random.Random,
    *,
    truth: PickupTruth,
    heartbeat_s: float = 300.0,
    accept_p: float = 0.9,
    cancel_p: float = 0.05,
    spread_m: float = 200.0,
) -> Facts:
    """Drive ``svc`` (whose clock is ``clock``, with ``.now``) through the requests; pickup
    legs take the time ``truth`` draws for them."""
    facts = Facts()
    start = clock.now
    pos = {f"sim{i}": scatter(p, spread_m, rng) for i, p in enumerate(driver_starts)}
    queue: list[tuple[float, int, str, tuple]] = []
    seq = 0

    def at(t: float, kind: str, *args: Any) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(queue, (t, seq, kind, args))

    for i, d in enumerate(pos):
        at(start + (i % 60), "beat", d)
    for k, ask in enumerate(asks):
        at(start + ask.t, "request", k)
    last_ask = start + max((a.t for a in asks), default=0)
    end = last_ask + 3 * 3600
    requested_at: dict[str, float] = {}

    def offer_to(trip_id: str, t: float) -> None:
        row = svc._row(trip_id)
        if row.status == "requested" and row.driver_id is not None:
            facts.offers += 1
            at(t + rng.uniform(2, 12), "decide", row.driver_id, trip_id)

    while queue:
        t, _s, kind, args = heapq.heappop(queue)
        if t > end:
            break
        clock.now = t
        if kind == "beat":
            (d,) = args
            svc.update_locations(d, [(pos[d][0], pos[d][1], None)])
            if t + heartbeat_s <= last_ask:  # after the last request nobody needs them
                at(t + heartbeat_s, "beat", d)
        elif kind == "request":
            ask = asks[args[0]]
            rider = f"rider{args[0]}"
            facts.requests += 1
            q = svc.quote(rider, ask.pickup, ask.dropoff)
            t0 = time.perf_counter()
            try:
                trip = svc.request(rider, q["id"])
            except NoDriver:
                facts.dispatch_ms.append((time.perf_counter() - t0) * 1000)
                facts.no_driver += 1
                continue
            facts.dispatch_ms.append((time.perf_counter() - t0) * 1000)
            requested_at[trip["id"]] = t
            offer_to(trip["id"], t)
        elif kind == "decide":
            d, trip_id = args
            if svc.open_offer(d) != trip_id:
                continue
            if rng.random() > accept_p:
                svc.decline(d, trip_id)
                facts.declined += 1
                offer_to(trip_id, t)
                continue
            trip = svc.accept(d, trip_id)
            facts.match_s.append(t - requested_at[trip_id])
            predicted = trip["pickup_eta_s"] or 60.0
            ask = ask_of(svc, trip_id, asks)
            hour = datetime.fromtimestamp(t, LOCAL_TZ).hour  # the hour the predictor was told
            real = truth.seconds(pos[d], ask.pickup, hour, ask.area, rng)
            scored = geo.haversine_m(*pos[d], *ask.pickup) >= geo.MIN_TRIP_M
            if rng.random() < cancel_p:
                at(t + rng.uniform(10, max(10.0, real)), "cancel", trip_id)
            at(t + real, "arrive", d, trip_id, predicted, real, scored)
        elif kind == "cancel":
            (trip_id,) = args
            if svc._row(trip_id).status in ("accepted", "arriving"):
                svc.cancel(svc._row(trip_id).rider, trip_id)
                facts.cancelled += 1
        elif kind == "arrive":
            d, trip_id, predicted, real, scored = args
            if svc._row(trip_id).status != "accepted":
                continue
            trip = svc.arrive(d, trip_id)
            pos[d] = (trip["pickup"]["lat"], trip["pickup"]["lng"])
            if scored:
                facts.pickups.append((predicted, real))
            at(t + rng.uniform(20, 90), "start", d, trip_id)
        elif kind == "start":
            d, trip_id = args
            if svc._row(trip_id).status != "arriving":
                continue
            svc.start_trip(d, trip_id)
            at(t + ask_of(svc, trip_id, asks).trip_s, "complete", d, trip_id)
        elif kind == "complete":
            d, trip_id = args
            trip = svc.complete(d, trip_id)
            facts.completed += 1
            pos[d] = scatter((trip["dropoff"]["lat"], trip["dropoff"]["lng"]), spread_m, rng)
            svc.update_locations(d, [(pos[d][0], pos[d][1], None)])
            if rng.random() < 0.7:
                svc.rate(trip["rider"], trip_id, rng.choice([3, 4, 5, 5, 5]))
                facts.rated += 1
        if kind in ("request", "complete") and seq % 50 == 0:
            svc.expire_offers()
    svc.flush_events()
    return facts


def scatter(point: tuple[float, float], metres: float, rng: random.Random) -> tuple[float, float]:
    """``point`` moved by about ``metres`` (Gaussian in each axis)."""
    dlat = rng.gauss(0, metres) / 111_195.0
    dlng = rng.gauss(0, metres) / (111_195.0 * math.cos(math.radians(point[0])))
    return point[0] + dlat, point[1] + dlng


def ask_of(svc: Any, trip_id: str, asks: list[Ask]) -> Ask:
    """The request (a real trip) behind this trip."""
    return asks[int(svc._row(trip_id).rider.removeprefix("rider"))]
