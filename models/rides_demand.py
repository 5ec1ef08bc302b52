"""Ride demand per H3 cell and hour of week, and surge multipliers from supply and demand.

Requests are sparse per resolution-9 cell (about 0.1 km²), so the forecast pools strength
hierarchically: expected requests in cell ``c`` during an hour ``h`` of the week are

    requests per week  x  share(c)  x  P(h | c)

- the city's rate per hour of week is shrunk toward the rate for its hour of day (all
  weekdays pooled), with ``kappa`` pseudo-hours; the weekly total is its sum;
- a cell's share of the city is shrunk toward its parent cell's share spread over the
  parent's 49 children (``alpha`` pseudo-requests), and the parent's share toward an even split
  over the parents seen (``alpha_parent``); a cell with no history but a busy parent is not 0;
- a cell's distribution over the hours of the week ``P(h | c)`` is shrunk toward its
  distribution over hours of the day (``gamma`` pseudo-requests), spread over weekdays as the
  city's is, and that toward the city's (``beta``); an unseen cell follows the city.

The baselines are per-cell means without pooling: the overall mean per hour (cells never seen
get the mean of the seen ones), and the mean of the same hour of the week.

Surge is a pure function of the current supply (available drivers) and demand (expected or
recent requests) per cell, with named curves that a replay can compare.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import h3
import numpy as np
import polars as pl

RESOLUTION = 9
PARENT_RESOLUTION = 7
HOURS_PER_WEEK = 168
# Chosen by ``select_smoothing`` on the real trips' inner time split (earlier 56% of trips
# forecasting the next 14%); ``evaluate_demand(tune=True)`` re-runs that choice.
DEFAULT_SMOOTHING = {
    "kappa": 24.0,
    "alpha": 4.0,
    "alpha_parent": 2.0,
    "beta": 80.0,
    "gamma": 80.0,
}


# ---- requests -----------------------------------------------------------------------
def prepare_requests(requests: Any, resolution: int = RESOLUTION) -> pl.DataFrame:
    """``ts`` (datetime, or epoch seconds), ``lat``, ``lng`` -> ts, hour (start), how, hod,
    cell. Rows without a position are dropped."""
    df = requests if isinstance(requests, pl.DataFrame) else pl.DataFrame(requests)
    missing = {"ts", "lat", "lng"} - set(df.columns)
    if missing:
        raise KeyError(f"requests need columns ts, lat, lng; missing {sorted(missing)}")
    df = df.select("ts", "lat", "lng").drop_nulls()
    if df.schema["ts"].is_numeric():
        df = df.with_columns(pl.from_epoch(pl.col("ts").cast(pl.Int64), time_unit="s"))
    lat, lng = df["lat"].to_numpy(), df["lng"].to_numpy()
    bad = (np.abs(lat) > 90) | (np.abs(lng) > 180)
    if bad.any():
        raise ValueError(f"{int(bad.sum())} requests have coordinates out of range")
    cells = [
        h3.latlng_to_cell(float(a), float(b), resolution) for a, b in zip(lat, lng, strict=True)
    ]
    hour = pl.col("ts").dt.truncate("1h")
    return df.with_columns(
        pl.Series("cell", cells, dtype=pl.Utf8),
        hour.alias("hour"),
        pl.col("ts").dt.hour().cast(pl.Int64).alias("hod"),
        ((pl.col("ts").dt.weekday().cast(pl.Int64) - 1) * 24 + pl.col("ts").dt.hour()).alias("how"),
    ).sort("ts")


def hour_of_week(when: datetime) -> int:
    """Monday 00:00 is 0, Sunday 23:00 is 167."""
    return when.weekday() * 24 + when.hour


def _occurrences(start: datetime, hours: int) -> np.ndarray:
    """How many times each hour of week occurs in ``hours`` hours from ``start``."""
    first = hour_of_week(start)
    idx = (first + np.arange(hours)) % HOURS_PER_WEEK
    return np.bincount(idx, minlength=HOURS_PER_WEEK).astype(float)


# ---- the forecast model ----------------------------------------------------------------
@dataclass
class DemandModel:
    """Hierarchically smoothed expected requests per cell and hour of week."""

    resolution: int
    parent_resolution: int
    city_rate: np.ndarray  # (168,) expected requests per hour, the whole city
    cell_share: dict[str, float]  # smoothed all-day share of the city, cells seen
    cell_how: dict[str, np.ndarray]  # (168,) each seen cell's distribution over the week
    parent_share: dict[str, float]
    parent_count: dict[str, float]
    params: dict[str, float] = field(default_factory=dict)
    last_ts: datetime | None = None

    @classmethod
    def fit(
        cls,
        requests: Any,
        *,
        resolution: int = RESOLUTION,
        parent_resolution: int = PARENT_RESOLUTION,
        **smoothing: float,
    ) -> DemandModel:
        p = {**DEFAULT_SMOOTHING, **smoothing}
        df = prepare_requests(requests, resolution)
        if df.height == 0:
            raise ValueError("no requests to fit a demand forecast on")
        start = df["hour"].min()
        hours = int((df["hour"].max() - start) / timedelta(hours=1)) + 1
        occ = _occurrences(start, hours)
        n_how = np.bincount(df["how"].to_numpy(), minlength=HOURS_PER_WEEK).astype(float)
        hod_idx = np.arange(HOURS_PER_WEEK) % 24
        n_hod = np.bincount(hod_idx, weights=n_how, minlength=24)
        occ_hod = np.bincount(hod_idx, weights=occ, minlength=24)
        overall = n_how.sum() / max(occ.sum(), 1.0)
        rate_hod = (n_hod + p["kappa"] * overall) / (occ_hod + p["kappa"])
        city = (n_how + p["kappa"] * rate_hod[hod_idx]) / (occ + p["kappa"])

        total = float(df.height)
        per_cell = df.group_by("cell", maintain_order=True).len()
        counts = dict(zip(per_cell["cell"].to_list(), per_cell["len"].to_list(), strict=True))
        parents: dict[str, float] = {}
        for c, n in counts.items():
            parent = h3.cell_to_parent(c, parent_resolution)
            parents[parent] = parents.get(parent, 0.0) + n
        k = len(parents)
        parent_share = {
            q: (n + p["alpha_parent"] / k) / (total + p["alpha_parent"]) for q, n in parents.items()
        }
        children = 7 ** (resolution - parent_resolution)
        cell_share = {}
        for c, n in counts.items():
            q = h3.cell_to_parent(c, parent_resolution)
            cell_share[c] = (
                parent_share[q] * (n + p["alpha"] / children) / (parents[q] + p["alpha"])
            )
        # Each cell's distribution over the hours of the week: its own counts, shrunk toward
        # its hour-of-day distribution (itself shrunk toward the city's) spread over weekdays
        # as the city's are. Pseudo-counts compare with the cell's own count, so one request
        # barely moves a quiet cell off the city's profile.
        city_p = city / city.sum()
        city_hod = np.bincount(hod_idx, weights=city_p, minlength=24)
        within = city_p / city_hod[hod_idx]
        raw_hod: dict[str, np.ndarray] = {c: np.zeros(24) for c in counts}
        for c, h, n in df.group_by("cell", "hod", maintain_order=True).len().iter_rows():
            raw_hod[c][h] = n
        raw_how: dict[str, np.ndarray] = {c: np.zeros(HOURS_PER_WEEK) for c in counts}
        for c, h, n in df.group_by("cell", "how", maintain_order=True).len().iter_rows():
            raw_how[c][h] = n
        cell_how = {}
        for c, n in counts.items():
            by_hod = (raw_hod[c] + p["beta"] * city_hod) / (n + p["beta"])
            prior = by_hod[hod_idx] * within
            cell_how[c] = (raw_how[c] + p["gamma"] * prior) / (n + p["gamma"])
        return cls(
            resolution=resolution,
            parent_resolution=parent_resolution,
            city_rate=city,
            cell_share=cell_share,
            cell_how=cell_how,
            parent_share=parent_share,
            parent_count=parents,
            params=p,
            last_ts=df["ts"].max(),
        )

    def _share_all_day(self, cell: str) -> float:
        if cell in self.cell_share:
            return self.cell_share[cell]
        q = h3.cell_to_parent(cell, self.parent_resolution)
        children = 7 ** (self.resolution - self.parent_resolution)
        a = self.params["alpha"]
        if q in self.parent_share:
            return self.parent_share[q] * (a / children) / (self.parent_count[q] + a)
        # A parent never seen: the smoothing mass one unseen parent would get, split evenly.
        ap = self.params["alpha_parent"]
        total = sum(self.parent_count.values())
        k = len(self.parent_count)
        return (ap / k) / (total + ap) * (a / children) / a

    def profile(self, cell: str) -> np.ndarray:
        """Expected requests in ``cell`` for each of the 168 hours of the week."""
        share = self._share_all_day(cell)
        if cell in self.cell_how:
            return self.city_rate.sum() * share * self.cell_how[cell]
        return self.city_rate * share

    def expected(self, cell: str, when: datetime) -> float:
        """Expected requests in ``cell`` during the hour containing ``when``."""
        return float(self.profile(cell)[hour_of_week(when)])

    def cells(self) -> list[str]:
        return sorted(self.cell_share)


def forecast(
    requests: Any,
    horizon_hours: int = 1,
    *,
    now: datetime | None = None,
    cells: list[str] | None = None,
    **smoothing: float,
) -> pl.DataFrame:
    """Expected requests per cell for each of the ``horizon_hours`` hours after ``now`` (by
    default the hour after the last request): columns ``cell``, ``hour`` (the hour's start),
    ``hour_of_week`` and ``expected``. Cells: those with history, or ``cells``."""
    if horizon_hours < 1:
        raise ValueError("horizon_hours must be at least 1")
    model = DemandModel.fit(requests, **smoothing)
    if now is None:
        now = model.last_ts.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = now.replace(minute=0, second=0, microsecond=0)
    targets = cells if cells is not None else model.cells()
    rows_cell, rows_hour, rows_how, rows_exp = [], [], [], []
    for cell in targets:
        prof = model.profile(cell)
        for i in range(horizon_hours):
            hour = start + timedelta(hours=i)
            how = hour_of_week(hour)
            rows_cell.append(cell)
            rows_hour.append(hour)
            rows_how.append(how)
            rows_exp.append(float(prof[how]))
    return pl.DataFrame(
        {"cell": rows_cell, "hour": rows_hour, "hour_of_week": rows_how, "expected": rows_exp},
        schema={
            "cell": pl.Utf8,
            "hour": pl.Datetime("us"),
            "hour_of_week": pl.Int64,
            "expected": pl.Float64,
        },
    )


# ---- evaluation ---------------------------------------------------------------------
def _score(
    rates: np.ndarray, occ: np.ndarray, nz_rows: np.ndarray, nz_how: np.ndarray, nz_y: np.ndarray
) -> dict[str, float]:
    """MAE and Poisson deviance per cell-hour over every (cell, test hour), zeros included.

    ``rates[c, how]`` is the forecast, ``occ[how]`` how often each hour of week occurs in the
    test span, and the ``nz_*`` arrays list the cell-hours with requests."""
    cells_hours = rates.shape[0] * occ.sum()
    all_pred = float((rates * occ).sum())
    pred = rates[nz_rows, nz_how]
    mae = all_pred + float(np.sum(np.abs(nz_y - pred) - pred))
    safe = np.maximum(pred, 1e-12)
    dev = 2 * all_pred + 2 * float(np.sum(nz_y * np.log(nz_y / safe) - nz_y))
    return {"mae": float(mae / cells_hours), "deviance": float(dev / cells_hours)}


def _span_hours(frame: pl.DataFrame) -> tuple[datetime, int]:
    t0 = frame["hour"].min()
    return t0, int((frame["hour"].max() - t0) / timedelta(hours=1)) + 1


def score_split(train: pl.DataFrame, test: pl.DataFrame, **smoothing: float) -> dict[str, Any]:
    """Fit on ``train`` (prepared requests), score on ``test``: the forecast, the per-cell
    overall mean and the per-cell hour-of-week mean, per cell-hour.

    The cells scored are every resolution-9 child of the parent cells seen in training (the
    service area), whatever the test holds, so no model gains from knowing which cells the
    test visits; test requests outside that area are counted apart. The overall-mean
    baseline gives a cell never seen in training the city's mean per cell of that area."""
    model = DemandModel.fit(train.select("ts", "lat", "lng"), **smoothing)
    parents = sorted(model.parent_share)
    cells = [c for q in parents for c in sorted(h3.cell_to_children(q, model.resolution))]
    index = {c: i for i, c in enumerate(cells)}
    rates = np.vstack([model.profile(c) for c in cells])

    inside = test.filter(pl.col("cell").is_in(cells))
    t0, hours = _span_hours(test)
    occ = _occurrences(t0, hours)
    nz = inside.group_by("cell", "hour", "how").len()
    nz_rows = np.array([index[c] for c in nz["cell"].to_list()], dtype=int)
    nz_how = nz["how"].to_numpy()
    nz_y = nz["len"].to_numpy().astype(float)

    tr0, tr_hours = _span_hours(train)
    tr_occ = _occurrences(tr0, tr_hours)
    per_cell = dict(train.group_by("cell", maintain_order=True).len().iter_rows())
    spread = train.height / tr_hours / len(cells)
    mean_rate = np.array([per_cell[c] / tr_hours if c in per_cell else spread for c in cells])
    base_overall = np.repeat(mean_rate[:, None], HOURS_PER_WEEK, axis=1)
    base_how = np.zeros((len(cells), HOURS_PER_WEEK))
    for c, how, n in train.group_by("cell", "how", maintain_order=True).len().iter_rows():
        base_how[index[c], how] = n / max(tr_occ[how], 1.0)

    ours = _score(rates, occ, nz_rows, nz_how, nz_y)
    b1 = _score(base_overall, occ, nz_rows, nz_how, nz_y)
    b2 = _score(base_how, occ, nz_rows, nz_how, nz_y)
    return {
        "mae": ours["mae"],
        "deviance": ours["deviance"],
        "baseline_mae": b1["mae"],
        "baseline_deviance": b1["deviance"],
        "how_mean_mae": b2["mae"],
        "how_mean_deviance": b2["deviance"],
        "cells": len(cells),
        "test_hours": hours,
        "n_train": train.height,
        "n_test": test.height,
        "n_test_outside": test.height - inside.height,
        "params": model.params,
    }


SMOOTHING_GRID: dict[str, list[float]] = {
    "kappa": [4.0, 24.0],
    "alpha": [4.0, 49.0, 150.0],
    "beta": [5.0, 20.0, 80.0],
    "gamma": [5.0, 20.0, 80.0],
}


def _time_split(df: pl.DataFrame, share: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    cut = int(round(df.height * share))
    return df.head(cut), df.tail(df.height - cut)


def select_smoothing(
    train: pl.DataFrame, grid: dict[str, list[float]] | None = None
) -> tuple[dict[str, float], float]:
    """The smoothing with the lowest Poisson deviance on the later 20% of ``train`` (prepared
    requests) forecast from the earlier 80%; returns it and that deviance."""
    grid = grid or SMOOTHING_GRID
    fit_part, val_part = _time_split(train, 0.8)
    best: tuple[dict[str, float], float] | None = None
    keys = list(grid)
    for combo in itertools.product(*(grid[k] for k in keys)):
        params = dict(zip(keys, combo, strict=True))
        dev = score_split(fit_part, val_part, **params)["deviance"]
        if best is None or dev < best[1]:
            best = (params, dev)
    assert best is not None
    return best


def evaluate_demand(
    requests: Any,
    *,
    train_share: float = 0.7,
    tune: bool = False,
    grid: dict[str, list[float]] | None = None,
    **smoothing: float,
) -> dict[str, Any]:
    """Forecast the later ``1 - train_share`` of requests (by time) from the earlier part
    (see :func:`score_split`). With ``tune`` the smoothing is chosen on an inner time split
    of the earlier part only."""
    df = prepare_requests(requests)
    train, test = _time_split(df, train_share)
    if train.height < 10 or test.height < 10:
        raise ValueError("too few requests for a time split")
    chosen, val_dev = dict(smoothing), None
    if tune:
        chosen, val_dev = select_smoothing(train, grid)
        chosen.update(smoothing)
    return {**score_split(train, test, **chosen), "validation_deviance": val_dev}


# ---- surge ----------------------------------------------------------------------------
def _step(ratio: float) -> float:
    for threshold, multiplier in ((3.0, 3.0), (2.0, 2.0), (1.5, 1.5), (1.2, 1.25)):
        if ratio >= threshold:
            return multiplier
    return 1.0


# Each curve maps the demand/supply ratio (>= 1) to a multiplier (>= 1), nondecreasing.
SURGE_CURVES: dict[str, Callable[[float], float]] = {
    "linear": lambda r: r,  # price rises as fast as the shortage
    "sqrt": math.sqrt,  # gentler: half the shortage in log terms
    "step": _step,  # the published tiers riders see (1.25x, 1.5x, 2x, 3x)
}


def surge_multipliers(
    supply: Mapping[str, int],
    demand: Mapping[str, float],
    *,
    curve: str | Callable[[float], float] = "sqrt",
    cap: float = 3.0,
    smoothing: float = 0.5,
) -> dict[str, float]:
    """Multiplier per cell (every cell in ``supply`` or ``demand``), from 1.0 to ``cap``.

    Supply and demand are pooled over each cell's ring of six neighbours with weight
    ``smoothing`` (0: the cell alone), so one idle driver next door damps a spike and a cell
    does not flip between neighbours' prices. The ratio pooled demand / pooled supply goes
    through ``curve``; no excess demand (ratio <= 1) gives exactly 1.0, demand without any
    supply gives ``cap``. Nondecreasing in a cell's demand, nonincreasing in its supply."""
    fn = SURGE_CURVES.get(curve) if isinstance(curve, str) else curve
    if fn is None:
        raise ValueError(f"unknown surge curve {curve!r}; known: {sorted(SURGE_CURVES)}")
    if not cap >= 1.0:
        raise ValueError("cap must be at least 1.0")
    if not 0.0 <= smoothing <= 1.0:
        raise ValueError("smoothing must be within [0, 1]")
    for name, values in (("supply", supply), ("demand", demand)):
        if any(not v >= 0 for v in values.values()):
            raise ValueError(f"{name} must be non-negative")
    out: dict[str, float] = {}
    for cell in set(supply) | set(demand):
        d = float(demand.get(cell, 0.0))
        s = float(supply.get(cell, 0))
        if smoothing > 0:
            for n in h3.grid_disk(cell, 1):
                if n != cell:
                    d += smoothing * float(demand.get(n, 0.0))
                    s += smoothing * float(supply.get(n, 0))
        if d <= s:
            out[cell] = 1.0
            continue
        ratio = math.inf if s == 0 else d / s
        out[cell] = float(min(max(fn(ratio), 1.0), cap))
    return out
