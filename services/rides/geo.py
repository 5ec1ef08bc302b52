"""Coordinates, H3 cells and great-circle distances.

Positions are indexed on H3 resolution 9 cells (about 0.1 km² each, edge ~174 m): small
enough that a k-ring of a few steps around a pickup holds the drivers worth ranking, large
enough that a moving driver changes cell every few updates, not every one. Surge is priced
on the resolution-7 parent (about 5 km²), where minutes of requests are enough to count.
"""

from __future__ import annotations

import functools
import math

import h3

from services.errors import Invalid

RESOLUTION = 9
SURGE_RESOLUTION = 7
EARTH_RADIUS_M = 6_371_008.8
#: Closer than this, pickup and drop-off are the same place (a GPS fix wanders ~10 m).
MIN_TRIP_M = 50.0


def check_point(lat: float, lng: float, what: str = "position") -> tuple[float, float]:
    """A valid WGS84 point, or ``Invalid`` (422) naming what was wrong."""
    for name, value, bound in (("lat", lat, 90.0), ("lng", lng, 180.0)):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise Invalid(f"{what}.{name} must be a number")
        if not math.isfinite(value) or abs(value) > bound:
            raise Invalid(f"{what}.{name} must be between -{bound:g} and {bound:g}, not {value}")
    return float(lat), float(lng)


def check_trip(pickup: tuple[float, float], dropoff: tuple[float, float]) -> None:
    """Pickup and drop-off must both be valid and at least ``MIN_TRIP_M`` apart."""
    check_point(*pickup, what="pickup")
    check_point(*dropoff, what="dropoff")
    if haversine_m(*pickup, *dropoff) < MIN_TRIP_M:
        raise Invalid(f"pickup and dropoff are the same place (under {MIN_TRIP_M:g} m apart)")


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def cell(lat: float, lng: float, resolution: int = RESOLUTION) -> str:
    return h3.latlng_to_cell(lat, lng, resolution)


def surge_cell(lat: float, lng: float) -> str:
    """The coarser cell surge is priced on."""
    return h3.latlng_to_cell(lat, lng, SURGE_RESOLUTION)


@functools.lru_cache(maxsize=200_000)
def ring(center: str, k: int) -> tuple[str, ...]:
    """The cells exactly ``k`` steps from ``center`` (the centre itself for k = 0); cached,
    since pickups repeat cells all day."""
    if k == 0:
        return (center,)
    try:
        return tuple(h3.grid_ring(center, k))
    except h3.H3BaseException:  # a pentagon nearby: take the disk's new cells instead
        inner = set(h3.grid_disk(center, k - 1))
        return tuple(c for c in h3.grid_disk(center, k) if c not in inner)
