"""A small, bounded hyper-parameter search: a random subset of a grid, capped in trials and
seconds, scored on a validation split carved from the training data (never the test set)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from models.interactions import heldout_sets, random_split
from models.metrics import mean_at_k
from models.recommenders import BaseRecommender, top_k

DEFAULT_ALS_GRID: dict[str, Sequence[Any]] = {
    "factors": [16, 32, 48, 64],
    "regularization": [0.01, 0.05, 0.5],
    "weighting": ["bm25", "none"],
    "iterations": [30],
}


@dataclass
class SearchResult:
    best_params: dict[str, Any]
    best_score: float
    trials: list[dict[str, Any]] = field(default_factory=list)


def evaluate_indices(
    model: BaseRecommender, train: sp.csr_matrix, heldout: Mapping[int, set[int]], k: int = 10
) -> dict[str, float]:
    """Metrics@k in matrix-index space, with a batched score matrix for speed."""
    users = np.fromiter(heldout, dtype=np.int64)
    if users.size == 0:
        return mean_at_k({}, {}, k, n_items=train.shape[1])
    recs: dict[int, list[int]] = {}
    for start in range(0, users.size, 512):
        batch = users[start : start + 512]
        scores = (model.user_factors_[batch] @ model.item_factors_.T).astype(np.float64)
        seen = train[batch]
        rows = np.repeat(np.arange(batch.size), np.diff(seen.indptr))
        scores[rows, seen.indices] = -np.inf
        for j, u in enumerate(batch):
            recs[int(u)] = top_k(scores[j], k).tolist()
    return mean_at_k(recs, heldout, k, n_items=train.shape[1])


def bounded_search(
    estimator: BaseRecommender,
    train: sp.csr_matrix,
    grid: Mapping[str, Sequence[Any]] | None = None,
    *,
    max_trials: int = 8,
    time_budget_s: float = 60.0,
    validation_fraction: float = 0.2,
    metric: str = "ndcg@10",
    random_state: int = 0,
    include: Sequence[Mapping[str, Any]] = (),
    split: tuple[sp.csr_matrix, Mapping[int, set[int]]] | None = None,
) -> SearchResult:
    """Try at most ``max_trials`` grid points within ``time_budget_s``; best by ``metric``.

    ``include`` points (e.g. production's parameters) are tried first, on top of the cap.
    ``split`` = (fit matrix, held-out index sets) replaces the default random validation split,
    e.g. with a time split of the training period."""
    grid = dict(grid or DEFAULT_ALS_GRID)
    k = int(metric.split("@")[1]) if "@" in metric else 10
    points = [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]
    rng = np.random.default_rng(random_state)
    sampled = [points[int(i)] for i in rng.permutation(len(points))[:max_trials]]
    extra = [dict(p) for p in include if dict(p) not in sampled]
    if split is None:
        fit_part, valid_part = random_split(train, validation_fraction, random_state)
        heldout = heldout_sets(fit_part, valid_part)
    else:
        fit_part, heldout = split
    result = SearchResult(best_params={}, best_score=-np.inf)
    deadline = time.monotonic() + time_budget_s
    for n, params in enumerate(extra + sampled):
        if n >= len(extra) and result.trials and time.monotonic() > deadline:
            break
        model = clone(estimator).set_params(**params)
        started = time.perf_counter()
        model.fit(fit_part)
        fit_s = time.perf_counter() - started
        score = evaluate_indices(model, fit_part, heldout, k)[metric]
        result.trials.append({**params, metric: round(score, 5), "fit_s": round(fit_s, 3)})
        if score > result.best_score:
            result.best_params, result.best_score = params, score
    return result
