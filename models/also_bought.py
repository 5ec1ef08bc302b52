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

This module is the public entry point and the registry glue; the parts live in
``also_bought_data`` (order lines), ``also_bought_model`` (scoring and persistence),
``also_bought_training`` (fitting) and ``also_bought_evaluation`` (last-order recall, tuning).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from models.also_bought_data import (  # noqa: E402
    COLUMNS,
    PRODUCT_CODE,
    data_path,
    histories,
    load_order_lines,
)
from models.also_bought_evaluation import (  # noqa: E402
    DEFAULT_GRID,
    evaluate_last_order,
    split_last_order,
    tune,
)
from models.also_bought_model import AlsoBoughtModel, top_k  # noqa: E402
from models.also_bought_training import DEFAULTS, train  # noqa: E402
from models.registry import ModelRegistry  # noqa: E402

__all__ = [
    "ARTIFACT",
    "COLUMNS",
    "DEFAULTS",
    "DEFAULT_GRID",
    "NAME",
    "PRODUCT_CODE",
    "AlsoBoughtModel",
    "data_path",
    "evaluate_last_order",
    "histories",
    "load",
    "load_order_lines",
    "save",
    "split_last_order",
    "top_k",
    "train",
    "tune",
]

NAME = "also_bought"
ARTIFACT = "model.npz"


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
