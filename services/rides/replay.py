"""Counterfactual replay: a day of real requests and driver positions run again under
candidate dispatch and surge policies, so a policy is promoted only if it beats production
on the service's own history.

The simulation, in plain Python on the same matching functions the service runs
(``dispatch.search``, ``dispatch.rank``, ``dispatch.assign_batch``):

- Drivers start where the lake last saw them that day and stay online all day. A matched
  driver drives to the pickup (predicted pickup time), carries the rider for the trip's
  recorded duration (else the predicted one) and becomes free at the drop-off.
- Each request sees the surge of its resolution-7 cell: requests there over the last
  ``window_s`` against free drivers there, through the policy's curve. The rider accepts
  the price with probability ``exp(-elasticity x (surge - 1))``; the draw is the same for
  a request under every policy (common random numbers), so policies differ only by their
  choices.
- Supply follows surge (``Relocation``): every ``every_s`` seconds, for each resolution-7
  cell whose surge is at least ``min_gain`` above 1, the free drivers of cells within
  ``rings`` rings whose own surge is at least ``min_gain`` lower move towards it, the nearest
  first and no more than the cell's shortfall (requests in the window minus its free
  drivers). A moving driver is unavailable for the predicted drive to the cell's centre
  (not counted as utilisation: no rider is aboard) and free there on arrival. Drivers see
  the same multiplier riders pay, so a curve that never surges (``flat``) moves nobody and a
  steeper one moves drivers sooner: curves are compared on supply as well as on price.
- ``greedy``: a request is offered to its best-ranked free driver on arrival.
  ``batch``: requests wait for the next ``batch_s`` boundary and are assigned together.
  Both retry unmatched requests every tick; a rider abandons after ``patience_s``.

Figures per policy: wait p90 (request to pickup, matched riders), completion rate (matched
over all requests), driver utilisation (busy time over online time) and rider cost (mean
fare paid). ``verdict`` promotes the candidate with the lowest wait p90 among those that
beat production: wait p90 at least ``WAIT_GAIN`` lower, completion rate no more than
``COMPLETION_SLACK`` lower, rider cost no more than ``COST_SLACK`` higher.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import h3

from services.rides import dispatch, geo, pricing
from services.rides.dispatch import EtaFn
from services.rides.locations import MemoryIndex
from services.rides.settings import RidesSettings
from services.rides.surge import CURVES, PRODUCTION_CURVE, Curve

WAIT_GAIN = 0.02
COMPLETION_SLACK = 0.005
COST_SLACK = 0.05


@dataclass(frozen=True)
class Request:
    t: float  # epoch seconds
    pickup: tuple[float, float]
    dropoff: tuple[float, float]
    trip_s: float | None = None  # the recorded ride time, when known


@dataclass(frozen=True)
class Policy:
    name: str
    dispatch: str  # greedy | batch
    curve: Curve
    batch_s: float = 2.0


@dataclass(frozen=True)
class Outcome:
    policy: str
    requests: int
    matched: int
    priced_out: int
    abandoned: int
    wait_p90_s: float
    completion_rate: float
    utilisation: float
    rider_cost_cents: float
    relocations: int = 0


@dataclass(frozen=True)
class Relocation:
    """Idle drivers moving towards surging cells (see the module docstring)."""

    every_s: float = 120.0
    min_gain: float = 0.2
    rings: int = 1


#: Drivers chase surge by default; ``relocation=None`` replays a fleet that stays put.
RELOCATION = Relocation()


PRODUCTION = Policy("greedy/" + PRODUCTION_CURVE.name, "greedy", PRODUCTION_CURVE)


def candidate_policies() -> list[Policy]:
    """Every dispatch x surge curve, production among them."""
    return [Policy(f"{d}/{c.name}", d, c) for d in ("greedy", "batch") for c in CURVES]


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return math.nan
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def replay(
    requests: Sequence[Request],
    drivers: Sequence[tuple[str, float, float]],
    policy: Policy,
    eta: EtaFn,
    *,
    conf: RidesSettings | None = None,
    elasticity: float = 0.8,
    patience_s: float = 300.0,
    window_s: float = 300.0,
    seed: int = 0,
    relocation: Relocation | None = RELOCATION,
) -> Outcome:
    """Run one policy over the day (see the module docstring)."""
    conf = conf or RidesSettings()
    reqs = sorted(requests, key=lambda r: r.t)
    n = len(reqs)
    if n == 0 or not drivers:
        return Outcome(policy.name, n, 0, 0, n, math.nan, 0.0, 0.0, math.nan)
    draws = _draws(n, seed)
    t0, t_end = reqs[0].t, reqs[-1].t + patience_s + 3600
    idx = MemoryIndex()
    free_in: dict[str, set[str]] = defaultdict(set)  # surge cell -> its free drivers
    for d, lat, lng in drivers:
        idx.update(d, lat, lng, t0)
        free_in[geo.surge_cell(lat, lng)].add(d)
    busy_heap: list[tuple[float, str, float, float]] = []
    moves = 0
    busy_s = 0.0
    recent: dict[str, deque] = defaultdict(deque)
    pending: list[tuple[int, float]] = []  # (request index, surge)
    waits: list[float] = []
    fares: list[int] = []
    priced_out = abandoned = 0

    def when(t: float) -> datetime:
        return datetime.fromtimestamp(t, UTC)

    freed = [False]  # a driver came free since the waiting riders last tried

    def release(t: float) -> None:
        while busy_heap and busy_heap[0][0] <= t:
            freed[0] = True
            at, d, lat, lng = heapq.heappop(busy_heap)
            idx.update(d, lat, lng, at)
            free_in[geo.surge_cell(lat, lng)].add(d)

    def take(i: int, surge: float, cand: dispatch.Candidate, t: float) -> None:
        nonlocal busy_s
        r = reqs[i]
        pos = idx.get(cand.driver_id)
        idx.remove(cand.driver_id)
        free_in[geo.surge_cell(pos.lat, pos.lng)].discard(cand.driver_id)
        ride_s = r.trip_s if r.trip_s and r.trip_s > 0 else eta([r.pickup], [r.dropoff], when(t))[0]
        done = t + cand.eta_s + ride_s
        busy_s += min(done, t_end) - t
        heapq.heappush(busy_heap, (done, cand.driver_id, r.dropoff[0], r.dropoff[1]))
        waits.append(t - r.t + cand.eta_s)
        crow = geo.haversine_m(*r.pickup, *r.dropoff)
        fares.append(pricing.fare(conf, crow, ride_s, surge).fare_cents)

    def greedy(t: float, only_last: bool = False) -> None:
        nonlocal pending
        if not only_last and not freed[0]:
            return  # nothing changed for the riders already waiting
        if not only_last:
            freed[0] = False
        keep = pending[:-1] if only_last else []
        for i, surge in pending[-1:] if only_last else pending:
            ranked = dispatch.rank(
                dispatch.search(
                    idx.in_cells, reqs[i].pickup, want=conf.candidates, max_ring=conf.max_ring
                ),
                reqs[i].pickup,
                eta,
                when(t),
                1,
            )
            if ranked:
                take(i, surge, ranked[0], t)
            else:
                keep.append((i, surge))
        pending = keep

    arrived = [False]

    def batch(t: float) -> None:
        nonlocal pending
        if not pending or not (freed[0] or arrived[0]):
            return
        freed[0] = arrived[0] = False
        cands = [
            dispatch.search(
                idx.in_cells, reqs[i].pickup, want=conf.candidates, max_ring=conf.max_ring
            )
            for i, _s in pending
        ]
        pairs = dispatch.assign_batch([reqs[i].pickup for i, _s in pending], cands, eta, when(t))
        got = {k for k, _c in pairs}
        for k, cand in pairs:
            take(pending[k][0], pending[k][1], cand, t)
        pending = [p for k, p in enumerate(pending) if k not in got]

    def arrive(i: int) -> bool:
        nonlocal priced_out
        r = reqs[i]
        c = geo.surge_cell(*r.pickup)
        q = recent[c]
        q.append(r.t)
        while q and q[0] < r.t - window_s:
            q.popleft()
        surge = policy.curve((len(q) + 1) / (len(free_in[c]) + 1))
        if draws[i] > math.exp(-elasticity * (surge - 1.0)):
            priced_out += 1
            return False
        pending.append((i, surge))
        arrived[0] = True
        return True

    def surge_now(c: str, t: float) -> float:
        q = recent.get(c)
        while q and q[0] < t - window_s:
            q.popleft()
        return policy.curve((len(q or ()) + 1) / (len(free_in[c]) + 1))

    def relocate(t: float) -> None:
        nonlocal moves
        assert relocation is not None
        hot = []
        for c in list(recent):
            s = surge_now(c, t)
            if s >= 1.0 + relocation.min_gain:
                hot.append((-s, c))
        for neg_s, c in sorted(hot):
            short = len(recent[c]) - len(free_in[c])
            if short <= 0:
                continue
            target = h3.cell_to_latlng(c)
            donors = []
            for k in range(1, relocation.rings + 1):
                for n_c in geo.ring(c, k):
                    if free_in.get(n_c) and surge_now(n_c, t) <= -neg_s - relocation.min_gain:
                        for d in free_in[n_c]:
                            pos = idx.get(d)
                            donors.append((geo.haversine_m(pos.lat, pos.lng, *target), d, n_c))
            for _m, d, n_c in sorted(donors)[:short]:
                pos = idx.get(d)
                drive = eta([(pos.lat, pos.lng)], [target], when(t))[0]
                idx.remove(d)
                free_in[n_c].discard(d)
                heapq.heappush(busy_heap, (t + drive, d, target[0], target[1]))
                moves += 1

    tick = policy.batch_s
    t = t0
    next_move = t0 + (relocation.every_s if relocation else math.inf)
    i = 0
    while i < n or pending:
        t_next = t + tick
        release(t)
        if t >= next_move:
            relocate(t)
            next_move = t + relocation.every_s
        while i < n and reqs[i].t < t_next:
            release(reqs[i].t)
            if arrive(i) and policy.dispatch == "greedy":
                greedy(reqs[i].t, only_last=True)
            i += 1
        release(t_next)
        (greedy if policy.dispatch == "greedy" else batch)(t_next)
        late = [p for p in pending if t_next - reqs[p[0]].t >= patience_s]
        abandoned += len(late)
        pending = [p for p in pending if t_next - reqs[p[0]].t < patience_s]
        t = t_next
    horizon = (t_end - t0) * len(drivers)
    return Outcome(
        policy=policy.name,
        requests=n,
        matched=len(waits),
        priced_out=priced_out,
        abandoned=abandoned,
        wait_p90_s=round(percentile(waits, 0.9), 2),
        completion_rate=round(len(waits) / n, 4),
        utilisation=round(busy_s / horizon, 4),
        rider_cost_cents=round(sum(fares) / len(fares), 1) if fares else math.nan,
        relocations=moves,
    )


def _draws(n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.random() for _ in range(n)]


def beats(candidate: Outcome, production: Outcome) -> bool:
    """The promotion rule (see the module docstring)."""
    if math.isnan(candidate.wait_p90_s) or math.isnan(production.wait_p90_s):
        return False
    return (
        candidate.wait_p90_s <= production.wait_p90_s * (1 - WAIT_GAIN)
        and candidate.completion_rate >= production.completion_rate - COMPLETION_SLACK
        and candidate.rider_cost_cents <= production.rider_cost_cents * (1 + COST_SLACK)
    )


@dataclass(frozen=True)
class Verdict:
    promote: str | None
    reason: str
    outcomes: list[Outcome]

    def rows(self) -> list[dict]:
        return [asdict(o) for o in self.outcomes]


def verdict(
    requests: Sequence[Request],
    drivers: Sequence[tuple[str, float, float]],
    eta: EtaFn,
    *,
    production: Policy = PRODUCTION,
    policies: Sequence[Policy] | None = None,
    **kw,
) -> Verdict:
    """Replay production and every candidate; name the one to promote, if any."""
    policies = list(policies or candidate_policies())
    if production.name not in {p.name for p in policies}:
        policies.insert(0, production)
    outcomes = [replay(requests, drivers, p, eta, **kw) for p in policies]
    prod = next(o for o in outcomes if o.policy == production.name)
    winners = sorted(
        (o for o in outcomes if o.policy != production.name and beats(o, prod)),
        key=lambda o: o.wait_p90_s,
    )
    if not winners:
        return Verdict(
            None,
            f"keep {prod.policy}: no candidate cuts wait p90 ({prod.wait_p90_s:.0f} s) by "
            f"{WAIT_GAIN:.0%} without losing completion ({prod.completion_rate:.1%}) or "
            "raising rider cost",
            outcomes,
        )
    best = winners[0]
    return Verdict(
        best.policy,
        f"promote {best.policy}: wait p90 {best.wait_p90_s:.0f} s vs {prod.wait_p90_s:.0f} s, "
        f"completion {best.completion_rate:.1%} vs {prod.completion_rate:.1%}, rider cost "
        f"{best.rider_cost_cents:.0f} vs {prod.rider_cost_cents:.0f} cents",
        outcomes,
    )
