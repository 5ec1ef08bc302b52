"""Fitting the "also bought" model: parameter checks, ALS (implicit) and the item-item
co-purchase weights (EASE or cosine of buyer sets)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from models.also_bought_data import check_lines, order_matrix
from models.also_bought_model import AlsoBoughtModel, bm25_weight

# What ``tune`` chose on the inner split of the retailer's orders (the customers' last
# orders excluded): a sound start when tuning is too slow for a run.
DEFAULTS: dict[str, Any] = {
    "factors": 32,
    "regularization": 0.01,
    "alpha": 1.0,
    "iterations": 15,
    "weighting": "bm25",
    "bm25_k1": 100.0,
    "bm25_b": 0.8,
    "item_model": "ease",
    "ease_lambda": 100.0,
    "neighbours": 100,
    "blend": 0.25,
    "half_life_days": 90.0,
    "random_state": 0,
}


def _spd_inverse(a: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix by Cholesky (half the work of LU)."""
    from scipy.linalg import lapack

    c, info = lapack.dpotrf(a, lower=False)
    if info == 0:
        inv, info = lapack.dpotri(c, lower=False)
    if info != 0:
        return np.linalg.inv(a)
    return np.triu(inv) + np.triu(inv, 1).T


def _item_weights(counts: sp.csr_matrix, p: dict[str, Any]) -> sp.csr_matrix:
    """Each product's ``neighbours`` strongest co-purchase weights to other products."""
    b = (counts > 0).astype(np.float64).tocsc()
    gram = (b.T @ b).toarray()
    if p["item_model"] == "ease":  # closed form of Steck's EASE: B = I - P diag(1/diag P)
        gram[np.diag_indices_from(gram)] += float(p["ease_lambda"])
        inv = _spd_inverse(gram)
        sim = -inv / np.diag(inv)
    else:  # cosine of buyer sets
        n = np.sqrt(np.diag(gram))
        denom = np.outer(n, n)
        denom[denom == 0] = 1.0
        sim = gram / denom
    np.fill_diagonal(sim, 0.0)
    keep = min(int(p["neighbours"]), sim.shape[1] - 1)
    if keep < 1:
        return sp.csr_matrix(sim.shape, dtype=np.float32)
    idx = np.argpartition(-np.abs(sim), keep - 1, axis=1)[:, :keep]
    vals = np.take_along_axis(sim, idx, axis=1).ravel().astype(np.float32)
    rows = np.repeat(np.arange(sim.shape[0]), keep)
    out = sp.csr_matrix((vals, (rows, idx.ravel())), shape=sim.shape, dtype=np.float32)
    out.eliminate_zeros()
    return out


def _params(params: dict[str, Any]) -> dict[str, Any]:
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}")
    p = {**DEFAULTS, **params}
    if p["weighting"] not in ("none", "bm25"):
        raise ValueError("weighting must be 'none' or 'bm25'")
    if p["item_model"] not in ("ease", "cosine"):
        raise ValueError("item_model must be 'ease' or 'cosine'")
    if not 0.0 <= float(p["blend"]) <= 1.0:
        raise ValueError("blend must lie in [0, 1]")
    if float(p["half_life_days"]) < 0 or int(p["factors"]) < 1:
        raise ValueError("half_life_days must be >= 0 and factors >= 1")
    return p


def train(lines: pd.DataFrame, **params: Any) -> AlsoBoughtModel:
    """Fit ALS and the item-item weights on order lines (a part whose blend weight is 0 is
    skipped); unknown params are refused."""
    check_lines(lines)
    p = _params(params)
    items, counts = order_matrix(lines)
    popularity = np.asarray((counts > 0).sum(axis=0)).ravel().astype(np.float32)
    idf = np.log(counts.shape[0]) - np.log1p(popularity.astype(np.float64))
    avg_len = float(np.asarray(counts.sum(axis=1)).mean())
    w = float(p["blend"])
    factors = np.zeros((len(items), 0), dtype=np.float32)
    if w > 0:
        factors = _fit_als(counts, idf, avg_len, p)
    nb = sp.csr_matrix((len(items), len(items)), dtype=np.float32)
    if w < 1:
        nb = _item_weights(counts, p)
    return AlsoBoughtModel(items, factors, nb, popularity, idf, avg_len, p)


def _fit_als(counts: sp.csr_matrix, idf: np.ndarray, avg_len: float, p: dict) -> np.ndarray:
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    x = counts
    if p["weighting"] == "bm25":
        x = bm25_weight(counts, idf, avg_len, p["bm25_k1"], p["bm25_b"])
    with threadpool_limits(1, "blas"):  # implicit parallelises itself; BLAS threads fight it
        als = AlternatingLeastSquares(
            factors=int(p["factors"]),
            regularization=float(p["regularization"]),
            alpha=float(p["alpha"]),
            iterations=int(p["iterations"]),
            random_state=int(p["random_state"]),
            num_threads=1,
        )
        als.fit(x.tocsr().astype(np.float32), show_progress=False)
    return np.ascontiguousarray(als.item_factors, dtype=np.float32)
