""" "Customers also bought" from the retailer's own order history.

Implicit ALS on the customer x product matrix (distinct orders per pair, optionally BM25
weighted) is blended with an item-item co-purchase neighbourhood (cosine of the products'
buyer sets). Scoring after training is plain numpy, so a loaded model serves without
implicit. pandas is the frame the order lines come in (the shop service seeds from it).

Rules, stated once:
- An order line counts when its invoice is not a cancellation (``C`` prefix), its quantity
  and unit price are positive, it has a customer, and its stock code has the retailer's
  product form: five digits and an optional letter suffix (``85123A``). Postage, carriage,
  discounts, manual adjustments, bank charges, fees, gift vouchers and ``DCGS`` lots are not
  products.
- What a customer already bought is never recommended back: "also bought" is for discovery.
  The popularity baseline obeys the same rule, and a repeat in the evaluated order counts as
  a miss for both.
- An unknown product gets the best sellers (scored by share of customers) from ``similar``,
  unless ``fallback=False``, which returns an empty list.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from models.booking_data import shared_data_dir  # noqa: E402
from models.recommenders import top_k  # noqa: E402
from models.registry import ModelRegistry  # noqa: E402

NAME = "also_bought"
ARTIFACT = "model.npz"
PRODUCT_CODE = r"\d{5}[A-Za-z]{0,2}"
COLUMNS = ["customer_id", "order_id", "product_id", "ts", "quantity"]
DEFAULTS: dict[str, Any] = {
    "factors": 64,
    "regularization": 0.01,
    "alpha": 1.0,
    "iterations": 15,
    "weighting": "none",
    "bm25_k1": 100.0,
    "bm25_b": 0.8,
    "neighbours": 100,
    "shrink": 0.0,
    "blend": 1.0,
    "random_state": 0,
}


def data_path() -> Path:
    """The retailer's order lines under the shared data directory."""
    return shared_data_dir() / "shop" / "online_retail.parquet"


# ---- data -------------------------------------------------------------------------------
def _parse_ts(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    try:  # the retailer's export writes month/day/two-digit-year hour:minute
        return pd.to_datetime(values, format="%m/%d/%y %H:%M")
    except (ValueError, TypeError):
        return pd.to_datetime(values, format="mixed")


def load_order_lines(path: str | Path) -> pd.DataFrame:
    """The product lines of real orders (module rules), oldest first, in five columns:
    ``customer_id, order_id, product_id, ts, quantity`` (ids as str)."""
    raw = pd.read_parquet(
        path,
        columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"],
    )
    invoice = raw["InvoiceNo"].astype(str).str.strip()
    code = raw["StockCode"].astype(str).str.strip()
    keep = (
        ~invoice.str.upper().str.startswith("C")
        & code.str.fullmatch(PRODUCT_CODE)
        & (raw["Quantity"] > 0)
        & (raw["UnitPrice"] > 0)
        & raw["CustomerID"].notna()
    )
    rows = raw[keep.to_numpy()]
    out = pd.DataFrame(
        {
            "customer_id": rows["CustomerID"].astype("int64").astype(str).to_numpy(),
            "order_id": invoice[keep.to_numpy()].to_numpy(),
            "product_id": code[keep.to_numpy()].to_numpy(),
            "ts": _parse_ts(rows["InvoiceDate"]).to_numpy(),
            "quantity": rows["Quantity"].astype("int64").to_numpy(),
        }
    )
    return out.sort_values(["ts", "order_id"], kind="stable").reset_index(drop=True)


def _check_lines(lines: pd.DataFrame) -> None:
    missing = [c for c in COLUMNS if c not in lines.columns]
    if missing:
        raise ValueError(f"order lines lack columns {missing}")
    if lines.empty:
        raise ValueError("cannot train on no order lines")


def _matrix(lines: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix]:
    """Customers, products and the customers x products count of distinct orders."""
    pairs = lines[["customer_id", "product_id", "order_id"]].drop_duplicates()
    users, u = np.unique(pairs["customer_id"].to_numpy(dtype=str), return_inverse=True)
    items, i = np.unique(pairs["product_id"].to_numpy(dtype=str), return_inverse=True)
    m = sp.csr_matrix(
        (np.ones(len(pairs), dtype=np.float32), (u, i)), shape=(len(users), len(items))
    )
    m.sum_duplicates()
    return users, items, m


# ---- weighting and neighbours -----------------------------------------------------------
def _bm25(counts: sp.csr_matrix, idf: np.ndarray, avg_len: float, k1: float, b: float):
    """BM25 over customer rows (as implicit's ``bm25_weight`` on a users x items matrix)."""
    c = counts.tocoo()
    rows = np.asarray(counts.sum(axis=1)).ravel()
    norm = (1.0 - b) + b * rows / avg_len
    data = c.data * (k1 + 1.0) / (k1 * norm[c.row] + c.data) * idf[c.col]
    return sp.csr_matrix((data.astype(np.float32), (c.row, c.col)), shape=counts.shape)


def _neighbours(counts: sp.csr_matrix, keep: int, shrink: float) -> sp.csr_matrix:
    """Each product's ``keep`` nearest products by cosine of their buyer sets."""
    b = (counts > 0).astype(np.float32).tocsc()
    co = (b.T @ b).toarray()
    n = np.diag(co).copy()
    np.fill_diagonal(co, 0.0)
    denom = np.sqrt(np.outer(n, n)) + shrink
    denom[denom == 0] = 1.0
    sim = co / denom
    keep = max(1, min(keep, sim.shape[1] - 1)) if sim.shape[1] > 1 else 0
    if keep == 0:
        return sp.csr_matrix(sim.shape, dtype=np.float32)
    idx = np.argpartition(-sim, keep - 1, axis=1)[:, :keep]
    vals = np.take_along_axis(sim, idx, axis=1)
    rows = np.repeat(np.arange(sim.shape[0]), keep)
    out = sp.csr_matrix(
        (vals.ravel().astype(np.float32), (rows, idx.ravel())), shape=sim.shape, dtype=np.float32
    )
    out.eliminate_zeros()
    return out


def _blend(als: np.ndarray, knn: np.ndarray, pop: np.ndarray, w: float) -> np.ndarray:
    if not als.any() and not knn.any():
        return pop.copy()
    return w * als + (1.0 - w) * knn + 1e-6 * pop


# ---- the model --------------------------------------------------------------------------
@dataclass(frozen=True)
class AlsoBoughtModel:
    """Product factors, co-purchase neighbours and popularity, keyed by stock code."""

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

    def _confidence(self, idx: np.ndarray, counts: np.ndarray) -> np.ndarray:
        p = self.params
        c = counts.astype(np.float64)
        if p["weighting"] == "bm25":
            row = sp.csr_matrix((c, (np.zeros_like(idx), idx)), shape=(1, self.n_items))
            c = _bm25(row, self.idf, self.avg_len, p["bm25_k1"], p["bm25_b"]).data.astype(float)
        return c * p["alpha"]

    def _fold_in(self, idx: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """The customer's factors given the product factors: the ALS user step, exactly."""
        y = self.item_factors[idx].astype(np.float64)
        c = self._confidence(idx, counts)
        f = self.item_factors.shape[1]
        a = self._yty + self.params["regularization"] * np.eye(f) + (y.T * (c - 1.0)) @ y
        return np.linalg.solve(a, y.T @ c)

    def components(self, history: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ALS, co-purchase and popularity scores of every product, each scaled to max 1."""
        known = [self.index[p] for p in history if p in self.index]
        pop = self.popularity.astype(np.float64)
        pop = pop / max(float(pop.max(initial=0.0)), 1.0)
        als = np.zeros(self.n_items)
        knn = np.zeros(self.n_items)
        if not known:
            return als, knn, pop
        idx, counts = np.unique(np.asarray(known), return_counts=True)
        if self.item_factors.shape[1] > 0:
            als = self.item_factors.astype(np.float64) @ self._fold_in(idx, counts)
            top = np.abs(als).max()
            als = als / top if top > 0 else als
        if self.neighbours.nnz:
            knn = np.asarray(self.neighbours[idx].sum(axis=0)).ravel().astype(np.float64)
            top = knn.max(initial=0.0)
            knn = knn / top if top > 0 else knn
        return als, knn, pop

    def scores(self, history: Sequence[str]) -> np.ndarray:
        """Blended score of every product for a customer who bought ``history``; popularity
        breaks ties and is all there is for a history of unknown products."""
        als, knn, pop = self.components(history)
        return _blend(als, knn, pop, float(self.params["blend"]))

    def recommend_for(self, customer_history: list[str], k: int = 10) -> list[tuple[str, float]]:
        """Top ``k`` products for a customer, never one already in ``customer_history``."""
        s = self.scores(customer_history)
        seen = [self.index[p] for p in customer_history if p in self.index]
        s[seen] = -np.inf
        idx = top_k(s, k)
        return [(str(self.item_ids[i]), float(s[i])) for i in idx]

    def similar(
        self, product_id: str, k: int = 10, *, fallback: bool = True
    ) -> list[tuple[str, float]]:
        """Products bought by the customers of ``product_id`` (never itself); an unknown
        product gets best sellers, or nothing with ``fallback=False``."""
        if product_id not in self.index:
            if not fallback:
                return []
            s = self.popularity.astype(np.float64) / max(float(self.popularity.sum()), 1.0)
            idx = top_k(s, k)
            return [(str(self.item_ids[i]), float(s[i])) for i in idx if s[i] > 0]
        return self.recommend_for([product_id], k)

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


def train(lines: pd.DataFrame, **params: Any) -> AlsoBoughtModel:
    """Fit ALS (and the co-purchase neighbours) on order lines; unknown params are refused."""
    _check_lines(lines)
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}")
    p = {**DEFAULTS, **params}
    if p["weighting"] not in ("none", "bm25"):
        raise ValueError("weighting must be 'none' or 'bm25'")
    if not 0.0 <= float(p["blend"]) <= 1.0:
        raise ValueError("blend must lie in [0, 1]")
    _, items, counts = _matrix(lines)
    n_users = counts.shape[0]
    popularity = np.asarray((counts > 0).sum(axis=0)).ravel().astype(np.float32)
    idf = (np.log(n_users) - np.log1p(popularity)).astype(np.float64)
    avg_len = float(np.asarray(counts.sum(axis=1)).mean())
    factors = np.zeros((len(items), 0), dtype=np.float32)
    if float(p["blend"]) > 0:
        factors = _fit_als(counts, idf, avg_len, p)
    neighbours = (
        _neighbours(counts, int(p["neighbours"]), float(p["shrink"]))
        if float(p["blend"]) < 1
        else sp.csr_matrix((len(items), len(items)), dtype=np.float32)
    )
    return AlsoBoughtModel(items, factors, neighbours, popularity, idf, avg_len, p)


def _fit_als(counts: sp.csr_matrix, idf: np.ndarray, avg_len: float, p: dict) -> np.ndarray:
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    x = counts
    if p["weighting"] == "bm25":
        x = _bm25(counts, idf, avg_len, p["bm25_k1"], p["bm25_b"])
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


# ---- registry ---------------------------------------------------------------------------
def save(
    model: AlsoBoughtModel,
    registry: ModelRegistry,
    metrics: dict[str, Any],
    *,
    snapshot: dict[str, Any] | None = None,
    name: str = NAME,
) -> str:
    """Register a new version (``model.npz`` + meta.json); returns its version id."""
    return registry.save(
        name,
        ARTIFACT,
        model.save,
        params=model.params,
        metrics=metrics,
        snapshot=snapshot or {"products": model.n_items},
    )


def load(path: str | Path) -> AlsoBoughtModel:
    """A model from its artifact (``registry.artifact(NAME, version)`` verifies it first)."""
    return AlsoBoughtModel.load(Path(path))


# ---- evaluation -------------------------------------------------------------------------
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
    histories: list[list[str]]
    targets: list[set[str]]

    @classmethod
    def of(cls, train_lines: pd.DataFrame, test_lines: pd.DataFrame) -> _Holdout:
        hist = train_lines.groupby("customer_id")["product_id"].agg(list)
        tgt = test_lines.groupby("customer_id")["product_id"].agg(set)
        customers = sorted(tgt.index)
        return cls([hist.get(c, []) for c in customers], [tgt[c] for c in customers])


def _recall(model: AlsoBoughtModel, scores: list[np.ndarray], data: _Holdout, k: int) -> float:
    """Mean over customers of |top k not already bought ∩ last order| / |last order|."""
    hits = []
    for s, hist, tgt in zip(scores, data.histories, data.targets, strict=True):
        s = s.copy()
        s[[model.index[p] for p in hist if p in model.index]] = -np.inf
        top = {str(model.item_ids[i]) for i in top_k(s, k)}
        hits.append(len(top & tgt) / len(tgt))
    return float(np.mean(hits)) if hits else float("nan")


def _blend_recalls(
    model: AlsoBoughtModel, data: _Holdout, blends: Sequence[float], k: int
) -> dict[float, float]:
    parts = [model.components(h) for h in data.histories]
    return {w: _recall(model, [_blend(*c, w) for c in parts], data, k) for w in blends}


DEFAULT_GRID: dict[str, list[Any]] = {
    "factors": [32, 64, 128],
    "regularization": [0.01, 1.0],
    "weighting": ["none", "bm25"],
    "blend": [0.0, 0.25, 0.5, 0.75, 1.0],
}


def tune(
    lines: pd.DataFrame, grid: dict[str, list[Any]] | None = None, k: int = 10, **fixed: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Choose parameters by Recall@k on each customer's last order *within* ``lines``,
    trained on what precedes it: an inner time split, so the caller's test set is never
    seen. Returns the chosen params and every trial."""
    grid = {**DEFAULT_GRID, **(grid or {})}
    inner, val = split_last_order(lines)
    data = _Holdout.of(inner, val)
    if not data.targets:
        raise ValueError("no customer has two orders to validate on")
    blends = [float(b) for b in grid["blend"]]
    keys = [key for key in grid if key != "blend"]
    trials: list[dict[str, Any]] = []
    nb = None
    for combo in _product([grid[key] for key in keys]):
        cfg = {**fixed, **dict(zip(keys, combo, strict=True))}
        model = train(inner, **{**cfg, "blend": 1.0})
        if nb is None:
            nb = train(inner, **{**cfg, "blend": 0.0}).neighbours
        model = AlsoBoughtModel(
            model.item_ids,
            model.item_factors,
            nb,
            model.popularity,
            model.idf,
            model.avg_len,
            model.params,
        )
        for w, r in _blend_recalls(model, data, blends, k).items():
            trials.append({**cfg, "blend": w, "recall": r})
    best = max(trials, key=lambda t: t["recall"])
    return {key: v for key, v in best.items() if key != "recall"}, trials


def _product(values: list[list[Any]]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = [()]
    for vs in values:
        out = [(*o, v) for o in out for v in vs]
    return out


def popularity_recall(train_lines: pd.DataFrame, test_lines: pd.DataFrame, k: int = 10) -> float:
    """The baseline under the same rule: best sellers the customer has not bought yet."""
    model = train(train_lines, blend=0.0, neighbours=1)
    data = _Holdout.of(train_lines, test_lines)
    pop = model.popularity.astype(np.float64)
    return _recall(model, [pop] * len(data.targets), data, k)


def evaluate_last_order(lines: pd.DataFrame, k: int = 10, **params: Any) -> dict[str, Any]:
    """Recall@k on each customer's last order for the model and for popularity, both
    trained only on the lines before it. Without ``params`` they are chosen by ``tune`` on
    the training period alone."""
    _check_lines(lines)
    train_lines, test_lines = split_last_order(lines)
    data = _Holdout.of(train_lines, test_lines)
    if not data.targets:
        raise ValueError("no customer has two orders to evaluate on")
    chosen = params or tune(train_lines, k=k)[0]
    model = train(train_lines, **chosen)
    recall = _recall(model, [model.scores(h) for h in data.histories], data, k)
    pop = popularity_recall(train_lines, test_lines, k)
    return {
        "recall_model": recall,
        "recall_popularity": pop,
        "ratio": recall / pop if pop > 0 else float("nan"),
        "customers": len(data.targets),
        "params": model.params,
    }
