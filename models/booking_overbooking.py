"""Cancellation-aware overbooking: net demand per stay-night and a per-night allowance.

Each booking carries the cancellation model's probability ``p``. On a night, the guests who
will show are a sum of independent Bernoullis (``1 - p`` each): mean ``mu = sum(1 - p)``,
variance ``sum(p (1 - p))``. The rule accepts one more booking beyond capacity while
expected shows plus ``z`` standard deviations stay within capacity, where each booking's
probability is updated for the time left (one not cancelled yet, close to arrival, is less
likely to cancel: ``remaining_probability``). Cancellations are not independent (groups
cancel together), so ``z`` is chosen on a validation year (``tune_z``), not from the normal
quantile. A fixed rule ("overbook by ``fixed_rate`` of capacity") is
the comparison.

``replay`` is the judge: it plays a held-out year's real bookings in the order they were
made, lets a policy accept or refuse each, removes accepted bookings when they really
cancelled (``reservation_status_date``), and counts, per night, the guests who arrive and
the guests walked (arrivals beyond capacity). Capacity per hotel is a high percentile of the
nightly occupancy it really had in the training years (the data set does not give room
counts), so the busiest nights are sold out, which is where overbooking matters.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl


def _stay_nights(arrival: date, nights: int) -> list[date]:
    return [arrival + timedelta(days=i) for i in range(nights)]


def nightly_occupancy(frame: pl.DataFrame) -> pl.DataFrame:
    """Per hotel and night: bookings on the books that arrived (not cancelled)."""
    shows = frame.filter((pl.col("is_canceled") == 0) & (pl.col("nights") > 0))
    exploded = shows.select(
        "hotel",
        pl.date_ranges("arrival", pl.col("arrival") + pl.duration(days=pl.col("nights") - 1)).alias(
            "night"
        ),
    ).explode("night")
    return exploded.group_by("hotel", "night").len("occupied").sort("hotel", "night")


def capacity_from(train: pl.DataFrame, quantile: float = 0.9) -> dict[str, int]:
    """Each hotel's capacity: the ``quantile`` of its nightly occupancy in ``train``."""
    occ = nightly_occupancy(train)
    return {
        hotel: int(group["occupied"].quantile(quantile, "nearest"))
        for (hotel,), group in occ.group_by("hotel")
    }


def net_demand(test: pl.DataFrame, scores: np.ndarray) -> pl.DataFrame:
    """Per hotel and stay-night: gross bookings, expected shows (sum of 1 - p) and its
    variance, and the shows that really happened."""
    scored = test.with_columns(pl.Series("p_cancel", scores)).filter(pl.col("nights") > 0)
    exploded = scored.select(
        "hotel",
        "p_cancel",
        "is_canceled",
        pl.date_ranges("arrival", pl.col("arrival") + pl.duration(days=pl.col("nights") - 1)).alias(
            "night"
        ),
    ).explode("night")
    return (
        exploded.group_by("hotel", "night")
        .agg(
            pl.len().alias("gross"),
            (1 - pl.col("p_cancel")).sum().alias("expected_shows"),
            (pl.col("p_cancel") * (1 - pl.col("p_cancel"))).sum().alias("variance"),
            (1 - pl.col("is_canceled")).sum().alias("actual_shows"),
        )
        .sort("hotel", "night")
    )


def overflow_probability(mu: float, var: float, capacity: int) -> float:
    """P(shows > capacity) for a sum of Bernoullis with mean ``mu`` and variance ``var``."""
    if var <= 1e-12:
        return 1.0 if mu > capacity + 1e-9 else 0.0
    z = (capacity + 0.5 - mu) / math.sqrt(var)
    return 0.5 * math.erfc(z / math.sqrt(2))


def newsvendor_allowance(capacity: int, p_mean: float, alpha: float, cap: int = 200) -> int:
    """Extra bookings beyond capacity a night can take when each cancels with ``p_mean``."""
    extra = 0
    while extra < cap:
        n = capacity + extra + 1
        if overflow_probability(n * (1 - p_mean), n * p_mean * (1 - p_mean), capacity) > alpha:
            break
        extra += 1
    return extra


def cancel_timing(train: pl.DataFrame, horizon: int = 800) -> np.ndarray:
    """``F[d]``: the share of cancellations made within ``d`` days of arrival (training)."""
    cancelled = train.filter(pl.col("is_canceled") == 1).select(
        (pl.col("arrival") - pl.col("reservation_status_date")).dt.total_days().alias("lead")
    )
    leads = np.clip(cancelled["lead"].drop_nulls().to_numpy(), 0, horizon)
    counts = np.bincount(leads.astype(int), minlength=horizon + 1)
    return np.cumsum(counts) / max(1, counts.sum())


def remaining_probability(p: np.ndarray, f_d: float) -> np.ndarray:
    """P(cancels yet | not cancelled with ``d`` days to go), from the model's ``p`` and the
    share ``f_d = F[d]`` of cancellations still to come that close to arrival (Bayes)."""
    still = p * f_d
    return still / np.maximum(1e-12, 1 - p + still)


@dataclass
class Policy:
    name: str
    kind: str  # none | fixed | model
    fixed_rate: float = 0.0
    z: float = 2.0


@dataclass
class ReplayResult:
    policy: str
    accepted: int = 0
    refused: int = 0
    arrivals: int = 0
    walked: int = 0
    room_nights: int = 0
    revenue: float = 0.0
    nights: dict = field(default_factory=dict, repr=False)

    @property
    def walked_share(self) -> float:
        return self.walked / self.arrivals if self.arrivals else 0.0


def replay(
    test: pl.DataFrame,
    scores: np.ndarray,
    capacity: dict[str, int],
    policy: Policy,
    timing: np.ndarray | None = None,
) -> ReplayResult:
    """Play ``test``'s bookings in booking order under ``policy`` (see the module doc)."""
    rows = (
        test.with_columns(pl.Series("p_cancel", scores))
        .filter(pl.col("nights") > 0)
        .select(
            "hotel",
            "arrival",
            "nights",
            "booked_on",
            "is_canceled",
            "reservation_status_date",
            "p_cancel",
            "adr",
        )
        .to_dicts()
    )
    events = []
    for i, r in enumerate(rows):
        events.append((r["booked_on"], 0, i))  # a booking before its own same-day cancel
        if r["is_canceled"] and r["reservation_status_date"] is not None:
            events.append((max(r["reservation_status_date"], r["booked_on"]), 1, i))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    count: dict = defaultdict(int)
    on_books: dict = defaultdict(dict)  # night -> {booking: p}
    accepted = set()
    timing = np.ones(1) if timing is None else timing

    def fits(key, day, p_new: float) -> bool:
        d = min(max((key[1] - day).days, 0), len(timing) - 1)
        ps = np.fromiter(on_books[key].values(), float, len(on_books[key]))
        ps = remaining_probability(np.append(ps, p_new), float(timing[d]))
        shows = float((1 - ps).sum())
        return shows + policy.z * math.sqrt(float((ps * (1 - ps)).sum())) <= cap

    out = ReplayResult(policy.name)
    for day, kind, i in events:
        r = rows[i]
        keys = [(r["hotel"], n) for n in _stay_nights(r["arrival"], r["nights"])]
        cap = capacity.get(r["hotel"], 0)
        if kind == 1:  # a real cancellation of a booking we hold
            if i in accepted:
                accepted.discard(i)
                for k in keys:
                    count[k] -= 1
                    del on_books[k][i]
            continue
        p = r["p_cancel"]
        if policy.kind == "none":
            ok = all(count[k] < cap for k in keys)
        elif policy.kind == "fixed":
            limit = math.floor(cap * (1 + policy.fixed_rate))
            ok = all(count[k] < limit for k in keys)
        else:
            ok = all(count[k] < cap or fits(k, day, p) for k in keys)
        if not ok:
            out.refused += 1
            continue
        out.accepted += 1
        accepted.add(i)
        for k in keys:
            count[k] += 1
            on_books[k][i] = p
    adr: dict = defaultdict(list)
    for i in accepted:  # what is left on the books arrived
        r = rows[i]
        for n in _stay_nights(r["arrival"], r["nights"]):
            adr[(r["hotel"], n)].append(r["adr"] or 0.0)
    for key, rates in adr.items():
        cap = capacity.get(key[0], 0)
        shows = len(rates)
        occupied = min(shows, cap)
        out.arrivals += shows
        out.walked += shows - occupied
        out.room_nights += occupied
        out.revenue += sum(sorted(rates, reverse=True)[:occupied])
        out.nights[key] = (shows, occupied)
    return out


def allowance_table(demand: pl.DataFrame, capacity: dict[str, int], alpha: float) -> pl.DataFrame:
    """Per hotel and night: capacity, the mean cancellation probability of its bookings and
    the newsvendor allowance it implies."""
    p_mean = (1 - pl.col("expected_shows") / pl.col("gross")).alias("p_cancel_mean")
    frame = demand.with_columns(p_mean)
    allowances = [
        newsvendor_allowance(capacity.get(h, 0), float(p), alpha)
        for h, p in zip(frame["hotel"], frame["p_cancel_mean"], strict=True)
    ]
    return frame.with_columns(
        pl.Series("capacity", [capacity.get(h, 0) for h in frame["hotel"]]),
        pl.Series("allowance", allowances),
    )


def tune_z(
    validation: pl.DataFrame,
    scores: np.ndarray,
    capacity: dict[str, int],
    timing: np.ndarray,
    target_walked: float,
    grid: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0),
) -> tuple[float, list[ReplayResult]]:
    """The smallest ``z`` whose replay of ``validation`` walks at most ``target_walked``."""
    tried = []
    for z in grid:
        result = replay(validation, scores, capacity, Policy(f"z={z}", "model", z=z), timing)
        tried.append(result)
        if result.walked_share <= target_walked:
            return z, tried
    return grid[-1], tried
