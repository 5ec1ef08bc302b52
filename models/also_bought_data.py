"""The retailer's order lines: loading them under the rules of :mod:`models.also_bought`, and
the customer x product views the recommender is fitted on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from models.booking_data import shared_data_dir

PRODUCT_CODE = r"\d{5}[A-Za-z]{0,2}"
COLUMNS = ["customer_id", "order_id", "product_id", "ts", "quantity"]


def data_path() -> Path:
    """The retailer's order lines under the shared data directory."""
    return shared_data_dir() / "shop" / "online_retail.parquet"


def _parse_ts(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    try:  # the retailer's export writes month/day/two-digit-year hour:minute
        return pd.to_datetime(values, format="%m/%d/%y %H:%M")
    except (ValueError, TypeError):
        return pd.to_datetime(values, format="mixed")


def load_order_lines(path: str | Path) -> pd.DataFrame:
    """The product lines of real orders (the rules in :mod:`models.also_bought`), oldest
    first, in five columns: ``customer_id, order_id, product_id, ts, quantity`` (ids as
    str)."""
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


def check_lines(lines: pd.DataFrame) -> None:
    """Refuse order lines a model cannot be fitted or evaluated on."""
    missing = [c for c in COLUMNS if c not in lines.columns]
    if missing:
        raise ValueError(f"order lines lack columns {missing}")
    if lines.empty:
        raise ValueError("cannot train on no order lines")


def order_matrix(lines: pd.DataFrame) -> tuple[np.ndarray, sp.csr_matrix]:
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
