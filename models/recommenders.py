"""Recommenders behind one scikit-learn-style interface, over a users x items CSR matrix.

``__init__`` stores parameters unchanged, ``fit`` returns ``self``, learned state ends in ``_``
and ``random_state`` is honoured. ALS and BPR train with implicit; scoring afterwards is plain
numpy over the learned factors, so a model loaded from its ``.npz`` serves without implicit.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402


def _check_matrix(X: sp.spmatrix) -> sp.csr_matrix:
    if not sp.issparse(X):
        raise TypeError("expected a scipy sparse users x items matrix")
    X = sp.csr_matrix(X, dtype=np.float32)
    if X.shape[0] == 0 or X.shape[1] == 0 or X.nnz == 0:
        raise ValueError(f"cannot fit on an empty interaction matrix (shape {X.shape})")
    if (X.data < 0).any():
        raise ValueError("interaction confidences must be non-negative")
    return X


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` best finite scores, best first (stable for ties)."""
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0 or k <= 0:
        return np.empty(0, dtype=np.int64)
    k = min(k, finite.size)
    part = finite[np.argpartition(-scores[finite], k - 1)[:k]]
    return part[np.lexsort((part, -scores[part]))]


class BaseRecommender(BaseEstimator, ABC):
    """Shared recommend / similar-items logic; subclasses provide ``item_scores``."""

    @abstractmethod
    def item_scores(self, user: int) -> np.ndarray:
        """Scores of every item for ``user`` (higher is better)."""

    def recommend(
        self,
        user: int,
        user_items: sp.csr_matrix | None = None,
        n: int = 10,
        *,
        filter_already_liked: bool = True,
        items_mask: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``n`` item indices and scores for ``user``, without the items it already has."""
        scores = self.item_scores(user).astype(np.float64, copy=True)
        if filter_already_liked and user_items is not None:
            row = user_items[user] if user_items.shape[0] > 1 else user_items
            scores[row.indices] = -np.inf
        if items_mask is not None:
            scores[~items_mask] = -np.inf
        idx = top_k(scores, n)
        return idx, scores[idx]

    def similar_items(
        self, item: int, n: int = 10, *, items_mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Items closest to ``item`` by cosine of item vectors (the item itself excluded)."""
        vecs = self._item_vectors()
        norms = np.linalg.norm(vecs, axis=1)
        norms[norms == 0] = 1.0
        scores = (vecs @ vecs[item]) / (norms * norms[item])
        scores = scores.astype(np.float64)
        scores[item] = -np.inf
        if items_mask is not None:
            scores[~items_mask] = -np.inf
        idx = top_k(scores, n)
        return idx, scores[idx]

    def _item_vectors(self) -> np.ndarray:
        return self.item_factors_


class PopularityRecommender(BaseRecommender):
    """Items ranked by how many users interacted with them: the baseline and cold-start path."""

    def __init__(self, by: str = "users") -> None:
        self.by = by

    def fit(self, X: sp.spmatrix, y: None = None) -> PopularityRecommender:
        X = _check_matrix(X)
        if self.by not in ("users", "weight"):
            raise ValueError("by must be 'users' or 'weight'")
        source = X if self.by == "weight" else (X > 0).astype(np.float32)
        self.item_popularity_ = np.asarray(source.sum(axis=0)).ravel().astype(np.float32)
        self.n_users_, self.n_items_ = X.shape
        # One-hot "factors" make similar_items a popularity list too, and keep the npz uniform.
        self.user_factors_ = np.ones((self.n_users_, 1), dtype=np.float32)
        self.item_factors_ = self.item_popularity_[:, None].copy()
        return self

    def item_scores(self, user: int) -> np.ndarray:
        return self.item_popularity_

    def similar_items(self, item, n=10, *, items_mask=None):
        scores = self.item_popularity_.astype(np.float64, copy=True)
        scores[item] = -np.inf
        if items_mask is not None:
            scores[~items_mask] = -np.inf
        idx = top_k(scores, n)
        return idx, scores[idx]


class _FactorRecommender(BaseRecommender):
    def item_scores(self, user: int) -> np.ndarray:
        return self.item_factors_ @ self.user_factors_[user]

    def _store(self, model, X: sp.csr_matrix) -> None:
        self.user_factors_ = np.ascontiguousarray(model.user_factors, dtype=np.float32)
        self.item_factors_ = np.ascontiguousarray(model.item_factors, dtype=np.float32)
        self.item_popularity_ = np.asarray((X > 0).sum(axis=0)).ravel().astype(np.float32)
        self.n_users_, self.n_items_ = X.shape


class ALSRecommender(_FactorRecommender):
    """implicit's conjugate-gradient ALS on optionally BM25/TF-IDF-weighted confidences.

    BM25 weighting damps heavy users and very popular items, which on MovieLens is worth more
    than extra factors (see benchmarks/bench_feed.py).
    """

    def __init__(
        self,
        factors: int = 64,
        regularization: float = 0.01,
        alpha: float = 1.0,
        iterations: int = 15,
        weighting: str = "none",
        bm25_k1: float = 100.0,
        bm25_b: float = 0.8,
        random_state: int | None = None,
    ) -> None:
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.weighting = weighting
        self.bm25_k1 = bm25_k1
        self.bm25_b = bm25_b
        self.random_state = random_state

    def weight(self, X: sp.csr_matrix) -> sp.csr_matrix:
        """The confidence matrix actually factorised."""
        from implicit.nearest_neighbours import bm25_weight, tfidf_weight

        if self.weighting == "bm25":
            return bm25_weight(X, K1=self.bm25_k1, B=self.bm25_b).tocsr().astype(np.float32)
        if self.weighting == "tfidf":
            return tfidf_weight(X).tocsr().astype(np.float32)
        if self.weighting == "none":
            return X
        raise ValueError("weighting must be 'none', 'bm25' or 'tfidf'")

    def fit(self, X: sp.spmatrix, y: None = None) -> ALSRecommender:
        from implicit.cpu.als import AlternatingLeastSquares

        X = _check_matrix(X)
        model = AlternatingLeastSquares(
            factors=self.factors,
            regularization=self.regularization,
            alpha=self.alpha,
            iterations=self.iterations,
            random_state=self.random_state,
            num_threads=1,
        )
        model.fit(self.weight(X), show_progress=False)
        self._store(model, X)
        return self


class BPRRecommender(_FactorRecommender):
    """implicit's Bayesian Personalised Ranking (item bias folded into the last factor)."""

    def __init__(
        self,
        factors: int = 64,
        learning_rate: float = 0.05,
        regularization: float = 0.01,
        iterations: int = 100,
        random_state: int | None = None,
    ) -> None:
        self.factors = factors
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.iterations = iterations
        self.random_state = random_state

    def fit(self, X: sp.spmatrix, y: None = None) -> BPRRecommender:
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        X = _check_matrix(X)
        model = BayesianPersonalizedRanking(
            factors=self.factors,
            learning_rate=self.learning_rate,
            regularization=self.regularization,
            iterations=self.iterations,
            random_state=self.random_state,
            num_threads=1,
        )
        model.fit(X, show_progress=False)
        self._store(model, X)
        return self


RECOMMENDERS = {"als": ALSRecommender, "bpr": BPRRecommender, "popularity": PopularityRecommender}


def also_interacted(
    seen: sp.csr_matrix, item: int, n: int = 10, items_mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """ "Also bought / also watched": items most often shared by the users of ``item``."""
    users = seen[:, item].nonzero()[0]
    if users.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0)
    counts = np.asarray((seen[users] > 0).sum(axis=0)).ravel().astype(np.float64)
    counts[item] = -np.inf
    counts[counts <= 0] = -np.inf
    if items_mask is not None:
        counts[~items_mask] = -np.inf
    idx = top_k(counts, n)
    return idx, counts[idx]
