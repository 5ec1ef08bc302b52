"""Offline ranking metrics with binary relevance, the definitions the promotion gate uses.

Per-user functions take the ranked recommendation list and the set of relevant (held-out)
items; ``mean_at_k`` averages them over users who have at least one held-out item, which is
how recommender papers and implicit's own ``ranking_metrics_at_k`` report them.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence

import numpy as np
from sklearn.metrics import roc_auc_score


def precision_at_k(ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    """Share of the top ``k`` slots holding a relevant item (hits / k)."""
    if k <= 0:
        raise ValueError("k must be positive")
    return sum(1 for item in list(ranked)[:k] if item in relevant) / k


def recall_at_k(ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    """Share of the relevant items found in the top ``k`` (0 when nothing is relevant)."""
    if not relevant:
        return 0.0
    return sum(1 for item in list(ranked)[:k] if item in relevant) / len(relevant)


def ndcg_at_k(ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    """DCG of the top ``k`` (gain 1, discount log2(rank + 1)) over the ideal DCG."""
    if not relevant:
        return 0.0
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    gains = np.array([1.0 if item in relevant else 0.0 for item in list(ranked)[:k]])
    dcg = float((gains * discounts[: len(gains)]).sum())
    idcg = float(discounts[: min(len(relevant), k)].sum())
    return dcg / idcg


def average_precision_at_k(
    ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int
) -> float:
    """Mean of precision@i at each hit rank i <= k, over min(|relevant|, k)."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for i, item in enumerate(list(ranked)[:k], start=1):
        if item in relevant:
            hits += 1
            total += hits / i
    return total / min(len(relevant), k)


def catalogue_coverage(recommendations: Iterable[Sequence[Hashable]], n_items: int) -> float:
    """Share of the catalogue that appears in at least one recommendation list."""
    if n_items <= 0:
        return 0.0
    seen: set[Hashable] = set()
    for recs in recommendations:
        seen.update(recs)
    return len(seen) / n_items


def auc(labels: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float:
    """ROC AUC; NaN when only one class is present (AUC is undefined then)."""
    y = np.asarray(labels)
    if y.size == 0 or np.unique(y).size < 2:
        return float("nan")
    return float(roc_auc_score(y, np.asarray(scores)))


def mean_at_k(
    recommendations: Mapping[Hashable, Sequence[Hashable]],
    relevant: Mapping[Hashable, Collection[Hashable]],
    k: int,
    n_items: int | None = None,
) -> dict[str, float]:
    """Average P@k, R@k, nDCG@k and MAP@k over users with held-out items, plus coverage."""
    users = [u for u, rel in relevant.items() if rel]
    out = {f"precision@{k}": 0.0, f"recall@{k}": 0.0, f"ndcg@{k}": 0.0, f"map@{k}": 0.0}
    for u in users:
        ranked = recommendations.get(u, [])
        rel = relevant[u]
        out[f"precision@{k}"] += precision_at_k(ranked, rel, k)
        out[f"recall@{k}"] += recall_at_k(ranked, rel, k)
        out[f"ndcg@{k}"] += ndcg_at_k(ranked, rel, k)
        out[f"map@{k}"] += average_precision_at_k(ranked, rel, k)
    for key in list(out):
        out[key] = out[key] / len(users) if users else 0.0
    if n_items is not None:
        out["coverage"] = catalogue_coverage(
            (list(recommendations[u])[:k] for u in users if u in recommendations), n_items
        )
    out["users"] = float(len(users))
    return out
