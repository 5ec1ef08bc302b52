"""A simulated city for the service: drivers and riders acting on a simulated clock.

Rider demand comes from real trips: the busiest ``hours`` of the day by the trips' own
hourly counts, each hour's requests drawn as a Poisson process at its real share, each
request a real trip of that hour (pickup, drop-off, recorded duration). Drivers start at
real pickup points. Every action goes through the service as a client would: positions
(a heartbeat every ``heartbeat_s``), quotes, requests, accept or decline within seconds,
arrival, start, completion (charged), ratings, and a few rider cancellations.

The driver's *real* pickup time here is the predicted one times a log-normal factor
(sigma ``pickup_noise``): the simulated city has no roads, so the pickup-ETA error it
reports measures the simulation's noise, not the predictor (the ETA model is judged on real
trips by its own evaluation).
"""

from __future__ import annotations

import heapq
import math
import random
import time
from dataclasses import dataclass, field
from typing import Any

from services.rides.replay import percentile
from services.rides.service import NoDriver


@dataclass(frozen=True)
class Ask:
    t: float  # seconds from the start of the simulated window
    pickup: tuple[float, float]
    dropoff: tuple[float, float]
    trip_s: float


def busiest_window(hour_counts: dict[int, int], hours: int) -> list[int]:
    """The ``hours`` consecutive hours (wrapping midnight) with the most trips."""
    best = max(range(24), key=lambda h: sum(hour_counts.get((h + i) % 24, 0) for i in range(hours)))
    return [(best + i) % 24 for i in range(hours)]


def demand_from_trips(
    trips: list[dict[str, Any]], n: int, hours: int, rng: random.Random
) -> list[Ask]:
    """``n`` requests over the busiest ``hours``, shaped like the real hourly demand.

    ``trips`` rows need ``hour``, ``pickup``, ``dropoff`` and ``trip_s``."""
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
            asks.append(Ask(t, trip["pickup"], trip["dropoff"], trip["trip_s"]))
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
    eta_abs_err: list[float] = field(default_factory=list)
    eta_rel_err: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "completed": self.completed,
            "cancelled": self.cancelled,
            "no_driver": self.no_driver,
            "declined": self.declined,
            "rated": self.rated,
            "dispatch_p99_ms": round(percentile(self.dispatch_ms, 0.99), 2),
            "match_p99_s": round(percentile(self.match_s, 0.99), 2),
            "pickup_eta_mae_s": round(sum(self.eta_abs_err) / max(1, len(self.eta_abs_err)), 1),
            "pickup_eta_mape": round(sum(self.eta_rel_err) / max(1, len(self.eta_rel_err)), 3),
        }


def run(
    svc: Any,
    clock: Any,
    asks: list[Ask],
    driver_starts: list[tuple[float, float]],
    rng: random.Random,
    *,
    heartbeat_s: float = 300.0,
    accept_p: float = 0.9,
    cancel_p: float = 0.05,
    pickup_noise: float = 0.25,
) -> Facts:
    """Drive ``svc`` (whose clock is ``clock``, with ``.now``) through the requests."""
    facts = Facts()
    start = clock.now
    pos = {f"sim{i}": p for i, p in enumerate(driver_starts)}
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
            real = max(30.0, predicted * math.exp(rng.gauss(0, pickup_noise)))
            if rng.random() < cancel_p:
                at(t + rng.uniform(10, real), "cancel", trip_id)
            at(t + real, "arrive", d, trip_id, predicted, real)
        elif kind == "cancel":
            (trip_id,) = args
            if svc._row(trip_id).status in ("accepted", "arriving"):
                svc.cancel(svc._row(trip_id).rider, trip_id)
                facts.cancelled += 1
        elif kind == "arrive":
            d, trip_id, predicted, real = args
            if svc._row(trip_id).status != "accepted":
                continue
            trip = svc.arrive(d, trip_id)
            pos[d] = (trip["pickup"]["lat"], trip["pickup"]["lng"])
            facts.eta_abs_err.append(abs(real - predicted))
            facts.eta_rel_err.append(abs(real - predicted) / real)
            at(t + rng.uniform(20, 90), "start", d, trip_id)
        elif kind == "start":
            d, trip_id = args
            if svc._row(trip_id).status != "arriving":
                continue
            svc.start_trip(d, trip_id)
            at(t + asks_trip_s(svc, trip_id, asks), "complete", d, trip_id)
        elif kind == "complete":
            d, trip_id = args
            trip = svc.complete(d, trip_id)
            facts.completed += 1
            pos[d] = (trip["dropoff"]["lat"], trip["dropoff"]["lng"])
            svc.update_locations(d, [(pos[d][0], pos[d][1], None)])
            if rng.random() < 0.7:
                svc.rate(trip["rider"], trip_id, rng.choice([3, 4, 5, 5, 5]))
                facts.rated += 1
        if kind in ("request", "complete") and seq % 50 == 0:
            svc.expire_offers()
    svc.flush_events()
    return facts


def asks_trip_s(svc: Any, trip_id: str, asks: list[Ask]) -> float:
    """The recorded duration of the real trip behind this request."""
    row = svc._row(trip_id)
    k = int(row.rider.removeprefix("rider"))
    return asks[k].trip_s
