"""Matching riders to drivers, as pure functions of positions and an ETA predictor.

- ``search``: candidates from a growing H3 k-ring around the pickup. Rings are added until
  ``want`` free drivers are found, then one more ring: a driver just across a ring boundary
  can be nearer by road than one in the ring before.
- ``rank``: candidates ordered by *predicted pickup time*, not straight distance. The
  predictor is any ``EtaFn`` (vectorised over origin/destination pairs): the served ETA
  model when one is promoted, else ``speed_eta``. With ``shortlist``, only that many of
  the found drivers, the nearest in a straight line, are predicted: a dense ring can hold
  hundreds, the model's cost grows with them, and a driver several times farther than
  the shortlist's last is not the one with the shortest pickup.
- ``assign_batch``: requests gathered over a window assigned at once by minimum total pickup
  time (``scipy.optimize.linear_sum_assignment``), each request restricted to its own ring
  candidates so the matrix stays small.

Nothing here reserves a driver: the service does that through the store's conditional
update, and treats every choice made here as a proposal that may lose a race.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.optimize import linear_sum_assignment

from services.rides import geo
from services.rides.locations import Position

#: (origins, destinations, when) -> seconds for each pair.
EtaFn = Callable[[Sequence[tuple[float, float]], Sequence[tuple[float, float]], datetime], list]
#: cells -> the positions indexed in them.
CellLookup = Callable[[list[str]], list[Position]]

#: Road distance over great-circle distance in a street grid (Manhattan metric over a
#: random heading averages 4/pi ~ 1.27); the fallback predictor's detour factor.
DETOUR = 1.27
#: No driver this far (predicted) is offered a pickup.
MAX_PICKUP_S = 1800.0


def speed_eta(speed_kmh: float, detour: float = DETOUR, overhead_s: float = 0.0) -> EtaFn:
    """The fallback predictor: great-circle distance x ``detour`` at a constant city speed,
    plus a fixed ``overhead_s``. Used until an ETA model trained on real trips is promoted."""
    mps = speed_kmh / 3.6

    def eta(origins, destinations, _when) -> list[float]:
        return [
            overhead_s + geo.haversine_m(a[0], a[1], b[0], b[1]) * detour / mps
            for a, b in zip(origins, destinations, strict=True)
        ]

    return eta


@dataclass(frozen=True)
class Candidate:
    driver_id: str
    lat: float
    lng: float
    eta_s: float


def search(
    lookup: CellLookup,
    pickup: tuple[float, float],
    *,
    want: int,
    max_ring: int,
    exclude: Collection[str] = (),
    fresh_after: float = float("-inf"),
) -> list[Position]:
    """Free, fresh drivers from rings of growing k around the pickup's cell."""
    center = geo.cell(*pickup)
    found: list[Position] = []
    extra = None
    for k in range(max_ring + 1):
        found += [
            p
            for p in lookup(geo.ring(center, k))
            if not p.busy and p.ts >= fresh_after and p.driver_id not in exclude
        ]
        if extra is None and len(found) >= want:
            extra = k + 1
        if extra is not None and k >= extra:
            break
    return found


def brute_force(
    positions: Sequence[Position],
    pickup: tuple[float, float],
    *,
    want: int,
    exclude: Collection[str] = (),
    fresh_after: float = float("-inf"),
) -> list[Position]:
    """The baseline: every driver's distance to the pickup, nearest ``want`` (benchmarks)."""
    scored = [
        (geo.haversine_m(p.lat, p.lng, *pickup), p)
        for p in positions
        if not p.busy and p.ts >= fresh_after and p.driver_id not in exclude
    ]
    scored.sort(key=lambda t: t[0])
    return [p for _d, p in scored[:want]]


def crow_m(lats: np.ndarray, lngs: np.ndarray, point: tuple[float, float]) -> np.ndarray:
    """Great-circle metres from each ``(lats[i], lngs[i])`` to ``point`` (``geo.haversine_m``
    over arrays: a dense ring holds hundreds of drivers, too many for a Python loop)."""
    p1, p2 = np.radians(lats), math.radians(point[0])
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * math.cos(p2) * np.sin(np.radians(point[1] - lngs) / 2) ** 2
    )
    return 2 * geo.EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def nearest(positions: Sequence[Position], point: tuple[float, float], n: int) -> list[Position]:
    """The ``n`` positions nearest ``point`` in a straight line, nearest first (ties by id).

    Only the distances up to the ``n``-th smallest are sorted in Python."""
    if not positions or n <= 0:
        return []
    k = len(positions)
    lats = np.fromiter((p.lat for p in positions), float, k)
    lngs = np.fromiter((p.lng for p in positions), float, k)
    dist = crow_m(lats, lngs, point)
    near = np.arange(k) if k <= n else np.flatnonzero(dist <= np.partition(dist, n - 1)[n - 1])
    keyed = sorted(
        zip(dist[near].tolist(), near.tolist(), strict=True),
        key=lambda t: (t[0], positions[t[1]].driver_id),
    )
    return [positions[i] for _d, i in keyed[:n]]


def rank(
    candidates: Sequence[Position],
    pickup: tuple[float, float],
    eta: EtaFn,
    when: datetime,
    limit: int | None = None,
    shortlist: int | None = None,
) -> list[Candidate]:
    """Candidates by predicted pickup time (ties by id, so the order is reproducible)."""
    if not candidates:
        return []
    if shortlist is not None and len(candidates) > shortlist:
        candidates = nearest(candidates, pickup, shortlist)
    secs = eta([(p.lat, p.lng) for p in candidates], [pickup] * len(candidates), when)
    ranked = sorted(
        (
            Candidate(p.driver_id, p.lat, p.lng, float(s))
            for p, s in zip(candidates, secs, strict=True)
            if float(s) <= MAX_PICKUP_S
        ),
        key=lambda c: (c.eta_s, c.driver_id),
    )
    return ranked if limit is None else ranked[:limit]


def assign_batch(
    pickups: Sequence[tuple[float, float]],
    candidates: Sequence[Sequence[Position]],
    eta: EtaFn,
    when: datetime,
) -> list[tuple[int, Candidate]]:
    """Minimum-total-pickup-time assignment of requests to distinct drivers.

    ``candidates[i]`` are request ``i``'s ring candidates. Returns ``(request index,
    candidate)`` pairs; a request whose candidates all went to others is left out.
    """
    drivers: dict[str, Position] = {}
    for cands in candidates:
        for p in cands:
            drivers.setdefault(p.driver_id, p)
    if not pickups or not drivers:
        return []
    ids = list(drivers)
    col = {d: j for j, d in enumerate(ids)}
    pairs_o, pairs_d, cells = [], [], []
    for i, cands in enumerate(candidates):
        for p in cands:
            pairs_o.append((p.lat, p.lng))
            pairs_d.append(pickups[i])
            cells.append((i, col[p.driver_id]))
    secs = eta(pairs_o, pairs_d, when) if pairs_o else []
    big = MAX_PICKUP_S * 100
    cost = np.full((len(pickups), len(ids)), big)
    for (i, j), s in zip(cells, secs, strict=True):
        if float(s) <= MAX_PICKUP_S:
            cost[i, j] = min(cost[i, j], float(s))
    rows, cols = linear_sum_assignment(cost)
    out = []
    for i, j in zip(rows, cols, strict=True):
        if cost[i, j] < big:
            p = drivers[ids[j]]
            out.append((int(i), Candidate(p.driver_id, p.lat, p.lng, float(cost[i, j]))))
    return out
