"""Evaluating "also bought" on each customer's last order against popularity, and choosing
its parameters on an inner split of the training period."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.also_bought_data import check_lines, histories
from models.also_bought_model import AlsoBoughtModel, blend_scores, scaled_to_max
from models.also_bought_training import train


def split_last_order(lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(lines strictly before each customer's last order, that last order). The last order
    is every invoice at the customer's latest timestamp; a customer with no earlier order
    stays wholly in training."""
    by = lines.groupby("customer_id")["ts"]
    last, first = by.transform("max"), by.transform("min")
    is_last = ((lines["ts"] == last) & (first < last)).to_numpy()
    return lines[~is_last], lines[is_last]


@dataclass(frozen=True)
class _Holdout:
    """The evaluated customers, their lines before the last order, and that order's products."""

    customers: list[str]
    before: pd.DataFrame
    targets: list[set[str]]

    @classmethod
    def of(cls, train_lines: pd.DataFrame, test_lines: pd.DataFrame) -> _Holdout:
        tgt = test_lines.groupby("customer_id")["product_id"].agg(set)
        customers = sorted(tgt.index)
        before = train_lines[train_lines["customer_id"].isin(tgt.index)]
        return cls(customers, before, [tgt[c] for c in customers])

    def histories(self, half_life_days: float) -> list[tuple[list[str], list[float]]]:
        hist = histories(self.before, half_life_days)
        return [hist.get(c, ([], [])) for c in self.customers]


def _recall(model: AlsoBoughtModel, scores: np.ndarray, data: _Holdout, k: int) -> float:
    """Mean over customers of |top k not already bought ∩ last order| / |last order|;
    ``scores`` has one row per customer (or one row for all)."""
    n = len(data.customers)
    s = np.array(np.broadcast_to(scores, (n, model.n_items)), dtype=np.float64)
    hit = np.zeros(s.shape, dtype=bool)
    for row, tgt in enumerate(data.targets):
        hit[row, [model.index[p] for p in tgt if p in model.index]] = True
    cust = {c: row for row, c in enumerate(data.customers)}
    seen = data.before[["customer_id", "product_id"]].drop_duplicates()
    rows = seen["customer_id"].map(cust).to_numpy()
    cols = seen["product_id"].map(model.index)
    ok = cols.notna().to_numpy()
    s[rows[ok], cols[ok].astype(int).to_numpy()] = -np.inf
    kk = min(k, model.n_items)
    # exactly ``top_k``'s choice: the kk best finite scores, lower index first among equals
    kth = -np.partition(-s, kk - 1, axis=1)[:, kk - 1 : kk]
    equal = s == kth
    need = kk - (s > kth).sum(axis=1, keepdims=True)
    chosen = ((s > kth) | (equal & (np.cumsum(equal, axis=1) <= need))) & np.isfinite(s)
    hits = (chosen & hit).sum(axis=1)
    sizes = np.array([len(t) for t in data.targets], dtype=np.float64)
    return float(np.mean(hits / sizes)) if n else float("nan")


DEFAULT_GRID: dict[str, list[Any]] = {
    "factors": [32, 64, 128],
    "weighting": ["none", "bm25"],
    "ease_lambda": [100.0, 300.0, 1000.0],
    "half_life_days": [0.0, 30.0, 90.0],
    "blend": [0.0, 0.25, 0.5, 0.75, 1.0],
}
_ALS_KEYS = ("factors", "regularization", "alpha", "iterations", "weighting", "bm25_k1", "bm25_b")


def tune(
    lines: pd.DataFrame, grid: dict[str, list[Any]] | None = None, k: int = 10, **fixed: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Choose parameters by Recall@k on each customer's last order *within* ``lines``,
    trained on what precedes it: an inner time split, so the caller's test orders are never
    seen. ALS and item-item parts are fitted once per setting and blended afterwards.
    Returns the chosen params and every trial."""
    grid = {**DEFAULT_GRID, **(grid or {})}
    inner, val = split_last_order(lines)
    data = _Holdout.of(inner, val)
    if not data.targets:
        raise ValueError("no customer has two orders to validate on")
    blends, lives = grid.pop("blend"), grid.pop("half_life_days")
    als_keys = [key for key in grid if key in _ALS_KEYS]
    item_keys = [key for key in grid if key not in _ALS_KEYS]
    als_models = {
        c: train(inner, **{**fixed, **dict(zip(als_keys, c, strict=True)), "blend": 1.0})
        for c in _product([grid[key] for key in als_keys])
    }
    item_models = {
        c: train(inner, **{**fixed, **dict(zip(item_keys, c, strict=True)), "blend": 0.0})
        for c in _product([grid[key] for key in item_keys])
    }
    m = next(iter(item_models.values()))
    pop = scaled_to_max(m.popularity.astype(np.float64))
    trials: list[dict[str, Any]] = []
    for h in lives:  # one half-life at a time keeps a few score matrices in memory
        hist = data.histories(h)
        a_parts = {c: _stack([mm.components(*x)[0] for x in hist]) for c, mm in als_models.items()}
        i_parts = {c: _stack([mm.components(*x)[1] for x in hist]) for c, mm in item_models.items()}
        for a_combo, a in a_parts.items():
            for i_combo, i in i_parts.items():
                for w in blends:
                    trial = {**fixed, **dict(zip(als_keys, a_combo, strict=True))}
                    trial.update(zip(item_keys, i_combo, strict=True))
                    recall = _recall(m, blend_scores(a, i, pop, w), data, k)
                    trials.append({**trial, "half_life_days": h, "blend": w, "recall": recall})
    best = max(trials, key=lambda t: t["recall"])  # first of equals: grid order breaks ties
    return {key: v for key, v in best.items() if key != "recall"}, trials


def _stack(rows: list[np.ndarray]) -> np.ndarray:
    return np.stack(rows).astype(np.float32)


def _product(values: list[list[Any]]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = [()]
    for vs in values:
        out = [(*o, v) for o in out for v in vs]
    return out


def evaluate_last_order(
    lines: pd.DataFrame, k: int = 10, grid: dict[str, list[Any]] | None = None, **params: Any
) -> dict[str, Any]:
    """Recall@k on each customer's last order for the model and for popularity (best
    sellers not yet bought), both trained only on the lines before it. Without ``params``
    they are chosen by ``tune`` (over ``grid``) on the training period alone."""
    check_lines(lines)
    train_lines, test_lines = split_last_order(lines)
    data = _Holdout.of(train_lines, test_lines)
    if not data.targets:
        raise ValueError("no customer has two orders to evaluate on")
    validation = float("nan")
    if not params:
        params, trials = tune(train_lines, grid=grid, k=k)
        validation = max(t["recall"] for t in trials)
    model = train(train_lines, **params)
    hist = data.histories(float(model.params["half_life_days"]))
    recall = _recall(model, np.stack([model.scores(*h) for h in hist]), data, k)
    pop = _recall(model, model.popularity.astype(np.float64), data, k)
    return {
        "validation_recall": validation,
        "recall_model": recall,
        "recall_popularity": pop,
        "ratio": recall / pop if pop > 0 else float("nan"),
        "customers": len(data.targets),
        "params": model.params,
    }
