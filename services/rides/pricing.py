"""Fares and fees, as documented rules.

- **Upfront fare**: ``(base + per_km x road km + per_min x trip minutes) x surge``, rounded to
  the cent, never below the minimum fare. Road km is the great-circle distance times the
  street-grid detour (``dispatch.DETOUR``); minutes come from the ETA predictor. The rider
  pays exactly the quoted fare on completion (upfront pricing: the route taken changes
  nothing).
- **A quote holds ``quote_ttl_s``** (default 120 s). Requesting with an expired quote answers
  409 with a fresh quote for the same trip.
- **Cancellation fees**: a rider cancels free while no driver has accepted, and within
  ``rider_cancel_grace_s`` (default 120 s) after one has; later, while the driver is on the
  way or waiting, the fee is ``rider_cancel_fee_cents`` (default 500), never more than the
  fare. A driver's cancellation costs the rider nothing (it is counted against the driver).
  A trip in progress cannot be cancelled: it is completed.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.rides.dispatch import DETOUR
from services.rides.settings import RidesSettings


@dataclass(frozen=True)
class Fare:
    distance_m: float
    duration_s: float
    surge: float
    fare_cents: int


def fare(conf: RidesSettings, crow_m: float, duration_s: float, surge: float) -> Fare:
    road_m = crow_m * DETOUR
    base = (
        conf.base_cents + conf.per_km_cents * road_m / 1000 + conf.per_min_cents * duration_s / 60
    )
    cents = max(conf.min_fare_cents, round(base * surge))
    return Fare(road_m, duration_s, surge, int(cents))


def cancel_fee(
    conf: RidesSettings,
    by: str,
    status: str,
    accepted_at: float | None,
    now: float,
    fare_cents: int,
) -> int:
    """The fee the rider pays for this cancellation (see the module docstring)."""
    if by != "rider" or status == "requested" or accepted_at is None:
        return 0
    if now - accepted_at <= conf.rider_cancel_grace_s:
        return 0
    return min(conf.rider_cancel_fee_cents, fare_cents)
