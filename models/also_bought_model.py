"""The fitted "also bought" model and how it scores: ALS fold-in of a customer's history,
item-item co-purchase weights and popularity, blended; plain numpy, so it serves without
implicit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp


def bm25_weight(counts: sp.csr_matrix, idf: np.ndarray, avg_len: float, k1: float, b: float):
    """BM25 over customer rows (as implicit's ``bm25_weight`` on a users x items matrix)."""
    c = counts.tocoo()
    rows = np.asarray(counts.sum(axis=1)).ravel()
    norm = (1.0 - b) + b * rows / avg_len
    data = c.data * (k1 + 1.0) / (k1 * norm[c.row] + c.data) * idf[c.col]
    return sp.csr_matrix((data.astype(np.float32), (c.row, c.col)), shape=counts.shape)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` best finite scores, best first, lower index first among equals
    (also at the cut, so evaluation and serving pick the same products)."""
    finite = np.flatnonzero(np.isfinite(scores))
    order = finite[np.lexsort((finite, -scores[finite]))]
    return order[: max(k, 0)]


def scaled_to_max(s: np.ndarray) -> np.ndarray:
    """``s`` divided by its largest magnitude (unchanged when all zero)."""
    top = float(np.abs(s).max(initial=0.0))
    return s / top if top > 0 else s


def blend_scores(als: np.ndarray, item: np.ndarray, pop: np.ndarray, w: float) -> np.ndarray:
    """``w`` ALS + ``1 - w`` item-item (rows of customers or one customer); popularity breaks
    ties and stands in for a customer with no signal."""
    empty = ~(als.any(axis=-1) | item.any(axis=-1))
    out = w * als + (1.0 - w) * item + 1e-6 * pop
    return np.where(np.expand_dims(empty, -1), pop, out)


@dataclass(frozen=True)
class AlsoBoughtModel:
    """Product factors, co-purchase weights and popularity, keyed by stock code."""

    item_ids: np.ndarray
    item_factors: np.ndarray
    neighbours: sp.csr_matrix
    popularity: np.ndarray
    idf: np.ndarray
    avg_len: float
    params: dict[str, Any]
    index: dict[str, int] = field(init=False, repr=False, compare=False)
    _yty: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {p: n for n, p in enumerate(self.item_ids.tolist())})
        y = self.item_factors.astype(np.float64)
        object.__setattr__(self, "_yty", y.T @ y)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def _fold_in(self, idx: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """The customer's factors given the product factors: implicit's ALS user step."""
        p = self.params
        c = counts.astype(np.float64)
        if p["weighting"] == "bm25":
            row = sp.csr_matrix((c, (np.zeros_like(idx), idx)), shape=(1, self.n_items))
            c = bm25_weight(row, self.idf, self.avg_len, p["bm25_k1"], p["bm25_b"]).data
        c = c.astype(np.float64) * p["alpha"]
        y = self.item_factors[idx].astype(np.float64)
        f = y.shape[1]
        a = self._yty + p["regularization"] * np.eye(f) + (y.T * (c - 1.0)) @ y
        return np.linalg.solve(a, y.T @ c)

    def components(
        self, history: Sequence[str], weights: Sequence[float] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ALS, item-item and popularity scores of every product, each scaled to max 1."""
        w = np.ones(len(history)) if weights is None else np.asarray(weights, dtype=np.float64)
        if len(w) != len(history) or not np.all(np.isfinite(w) & (w >= 0)):
            raise ValueError("weights must match the history: one finite weight >= 0 each")
        pos = [n for n, p in enumerate(history) if p in self.index]
        pop = scaled_to_max(self.popularity.astype(np.float64))
        als, item = np.zeros(self.n_items), np.zeros(self.n_items)
        if not pos:
            return als, item, pop
        idx, inv = np.unique([self.index[history[n]] for n in pos], return_inverse=True)
        counts = np.bincount(inv, weights=w[pos], minlength=len(idx))
        if self.item_factors.shape[1] > 0:
            als = scaled_to_max(self.item_factors.astype(np.float64) @ self._fold_in(idx, counts))
        if self.neighbours.nnz:
            item = scaled_to_max(np.asarray(self.neighbours[idx].T @ counts).ravel())
        return als, item, pop

    def scores(self, history: Sequence[str], weights: Sequence[float] | None = None):
        """Blended score of every product for a customer who bought ``history``."""
        return blend_scores(*self.components(history, weights), float(self.params["blend"]))

    def recommend_for(
        self, customer_history: list[str], k: int = 10, *, weights: list[float] | None = None
    ) -> list[tuple[str, float]]:
        """Top ``k`` products for a customer, never one already in ``customer_history``.
        ``weights`` (one per entry, e.g. from ``histories``) default to 1 each."""
        s = self.scores(customer_history, weights)
        s[[self.index[p] for p in customer_history if p in self.index]] = -np.inf
        return [(str(self.item_ids[i]), float(s[i])) for i in top_k(s, k)]

    def similar(
        self, product_id: str, k: int = 10, *, fallback: bool = True
    ) -> list[tuple[str, float]]:
        """Products bought with ``product_id`` (never itself); an unknown product gets the
        best sellers, or nothing with ``fallback=False``."""
        if product_id in self.index:
            return self.recommend_for([product_id], k)
        if not fallback:
            return []
        s = self.popularity.astype(np.float64) / max(float(self.popularity.sum()), 1.0)
        return [(str(self.item_ids[i]), float(s[i])) for i in top_k(s, k) if s[i] > 0]

    # ---- persistence --------------------------------------------------------------------
    def save(self, path: Path) -> None:
        nb = self.neighbours.tocsr()
        with open(path, "wb") as fh:
            np.savez_compressed(
                fh,
                item_ids=np.asarray(self.item_ids, dtype=str),
                item_factors=self.item_factors,
                nb_data=nb.data,
                nb_indices=nb.indices,
                nb_indptr=nb.indptr,
                popularity=self.popularity,
                idf=self.idf,
                avg_len=np.array(self.avg_len),
                params=np.array(json.dumps(self.params, sort_keys=True)),
            )

    @classmethod
    def load(cls, path: str | Path) -> AlsoBoughtModel:
        with np.load(path, allow_pickle=False) as z:
            n = len(z["item_ids"])
            nb = sp.csr_matrix((z["nb_data"], z["nb_indices"], z["nb_indptr"]), shape=(n, n))
            return cls(
                z["item_ids"].astype(str),
                z["item_factors"],
                nb,
                z["popularity"],
                z["idf"],
                float(z["avg_len"]),
                json.loads(str(z["params"])),
            )
