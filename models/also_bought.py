""" "Customers also bought" from the retailer's own order history.

Implicit ALS on the customer x product matrix (distinct orders per pair, optionally BM25
weighted) is blended with an item-item co-purchase model: EASE (a ridge regression of each
product's buyers on the other products' buyers, kept to each product's strongest weights) or
the cosine of buyer sets. A customer's history may be weighted by recency. Scoring after
training is plain numpy, so a loaded model serves without implicit. pandas is the frame the
order lines come in (the shop service seeds its catalogue from the same file).

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
from models.registry import ModelRegistry  # noqa: E402

NAME = "also_bought"
ARTIFACT = "model.npz"
PRODUCT_CODE = r"\d{5}[A-Za-z]{0,2}"
COLUMNS = ["customer_id", "order_id", "product_id", "ts", "quantity"]
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
    cols = ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"]
    raw = pd.read_parquet(path, columns=cols)
    invoice = raw["InvoiceNo"].astype(str).str.strip()
    code = raw["StockCode"].astype(str).str.strip()
    keep = (
        ~invoice.str.upper().str.startswith("C")
        & code.str.fullmatch(PRODUCT_CODE)
        & (raw["Quantity"] > 0)
        & (raw["UnitPrice"] > 0)
        & raw["CustomerID"].notna()
    ).to_numpy()
    rows = raw[keep]
    out = pd.DataFrame(
        {
            "customer_id": rows["CustomerID"].astype("int64").astype(str).to_numpy(),
            "order_id": invoice[keep].to_numpy(),
            "product_id": code[keep].to_numpy(),
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


def _matrix(lines: pd.DataFrame) -> tuple[np.ndarray, sp.csr_matrix]:
    """Products and the customers x products count of distinct orders."""
    pairs = lines[["customer_id", "product_id", "order_id"]].drop_duplicates()
    _, u = np.unique(pairs["customer_id"].to_numpy(dtype=str), return_inverse=True)
    items, i = np.unique(pairs["product_id"].to_numpy(dtype=str), return_inverse=True)
    m = sp.csr_matrix((np.ones(len(pairs), dtype=np.float32), (u, i)))
    m.sum_duplicates()
    return items, m


def histories(
    lines: pd.DataFrame, half_life_days: float = 0.0
) -> dict[str, tuple[list[str], list[float]]]:
    """Each customer's (products, weights): every distinct order counts once, halved every
    ``half_life_days`` before that customer's latest order (0: no decay). Pass the result
    to ``recommend_for(products, k, weights=weights)``."""
    pairs = lines.drop_duplicates(["customer_id", "order_id", "product_id"])
    if pairs.empty:
        return {}
    latest = pairs.groupby("customer_id")["ts"].transform("max")
    age = (latest - pairs["ts"]).dt.total_seconds().to_numpy() / 86400.0
    w = 0.5 ** (age / half_life_days) if half_life_days > 0 else np.ones(len(pairs))
    agg = pd.Series(w).groupby([pairs["customer_id"].to_numpy(), pairs["product_id"].to_numpy()])
    agg = agg.sum()
    out: dict[str, tuple[list[str], list[float]]] = {}
    for (c, p), x in zip(agg.index, agg.to_numpy(), strict=True):
        products, weights = out.setdefault(str(c), ([], []))
        products.append(str(p))
        weights.append(float(x))
    return out


# ---- weighting and item-item models ------------------------------------------------------
def _bm25(counts: sp.csr_matrix, idf: np.ndarray, avg_len: float, k1: float, b: float):
    """BM25 over customer rows (as implicit's ``bm25_weight`` on a users x items matrix)."""
    c = counts.tocoo()
    rows = np.asarray(counts.sum(axis=1)).ravel()
    norm = (1.0 - b) + b * rows / avg_len
    data = c.data * (k1 + 1.0) / (k1 * norm[c.row] + c.data) * idf[c.col]
    return sp.csr_matrix((data.astype(np.float32), (c.row, c.col)), shape=counts.shape)


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


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` best finite scores, best first, lower index first among equals
    (also at the cut, so evaluation and serving pick the same products)."""
    finite = np.flatnonzero(np.isfinite(scores))
    order = finite[np.lexsort((finite, -scores[finite]))]
    return order[: max(k, 0)]


def _scaled(s: np.ndarray) -> np.ndarray:
    top = float(np.abs(s).max(initial=0.0))
    return s / top if top > 0 else s


def _blend(als: np.ndarray, item: np.ndarray, pop: np.ndarray, w: float) -> np.ndarray:
    """``w`` ALS + ``1 - w`` item-item (rows of customers or one customer); popularity breaks
    ties and stands in for a customer with no signal."""
    empty = ~(als.any(axis=-1) | item.any(axis=-1))
    out = w * als + (1.0 - w) * item + 1e-6 * pop
    return np.where(np.expand_dims(empty, -1), pop, out)


# ---- the model --------------------------------------------------------------------------
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
            c = _bm25(row, self.idf, self.avg_len, p["bm25_k1"], p["bm25_b"]).data
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
        pop = _scaled(self.popularity.astype(np.float64))
        als, item = np.zeros(self.n_items), np.zeros(self.n_items)
        if not pos:
            return als, item, pop
        idx, inv = np.unique([self.index[history[n]] for n in pos], return_inverse=True)
        counts = np.bincount(inv, weights=w[pos], minlength=len(idx))
        if self.item_factors.shape[1] > 0:
            als = _scaled(self.item_factors.astype(np.float64) @ self._fold_in(idx, counts))
        if self.neighbours.nnz:
            item = _scaled(np.asarray(self.neighbours[idx].T @ counts).ravel())
        return als, item, pop

    def scores(self, history: Sequence[str], weights: Sequence[float] | None = None):
        """Blended score of every product for a customer who bought ``history``."""
        return _blend(*self.components(history, weights), float(self.params["blend"]))

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
    _check_lines(lines)
    p = _params(params)
    items, counts = _matrix(lines)
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
    pop = _scaled(m.popularity.astype(np.float64))
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
                    recall = _recall(m, _blend(a, i, pop, w), data, k)
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
    _check_lines(lines)
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
