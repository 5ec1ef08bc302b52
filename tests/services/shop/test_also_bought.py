"""The also-bought route serves the promoted model, swaps in a newly promoted version without
a restart, and answers 503 before any promotion; the assets train, gate and promote."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest

from models import also_bought as ab
from models.registry import ModelRegistry
from services.errors import Unavailable
from services.shop import loader


def _lines(frame) -> pd.DataFrame:
    """The shop's generated lines in the recommender's five columns."""
    return pd.DataFrame(
        {
            "customer_id": frame["customer"].to_list(),
            "order_id": frame["invoice"].to_list(),
            "product_id": frame["code"].to_list(),
            "ts": frame["ts"].to_list(),
            "quantity": frame["qty"].to_list(),
        }
    )


@pytest.fixture
def shop_with_history(svc):
    frame = loader.synthetic_lines(200, products=40, customers=30, seed=2)
    out = loader.seed(svc, frame, history=frame)
    return frame, out


def _product_id(svc, code: str) -> int:
    return (
        svc.find(limit=100, q=None)["items"][0]["id"]
        if code is None
        else next(p["id"] for p in svc.find(limit=100)["items"] if p["code"] == code)
    )


def test_503_until_a_model_is_promoted_then_hot_swapped(svc, shop_with_history, settings):
    frame, _ = shop_with_history
    code = frame["code"][0]
    pid = _product_id(svc, code)
    with pytest.raises(Unavailable):
        svc.also_bought(pid)
    registry = ModelRegistry(settings.models_dir)
    model = ab.train(_lines(frame), factors=8, iterations=3)
    v1 = ab.save(model, registry, {"recall_model": 0.1})
    registry.promote("also_bought", v1)
    svc.recs.refresh(force=True)
    first = svc.also_bought(pid, k=5)
    assert first["model_version"] == v1 and 0 < len(first["items"]) <= 5
    assert pid not in [p["id"] for p in first["items"]]
    v2 = ab.save(ab.train(_lines(frame), factors=8, iterations=4), registry, {"recall_model": 0.2})
    registry.promote("also_bought", v2)
    svc.recs.refresh(force=True)
    assert svc.also_bought(pid)["model_version"] == v2 and svc.recs.reloads == 2


def test_assets_train_gate_and_promote(settings, monkeypatch, tmp_path):
    from assets.resources import PlatformResource
    from assets.shop import RECS_GATE, shop_also_bought, shop_also_bought_promoted

    frame = loader.synthetic_lines(400, products=30, customers=25, seed=5)
    path = tmp_path / "lines.parquet"
    frame.rename(
        {
            "invoice": "InvoiceNo",
            "code": "StockCode",
            "description": "Description",
            "qty": "Quantity",
            "customer": "CustomerID",
            "country": "Country",
            "ts": "InvoiceDate",
        }
    ).with_columns(
        UnitPrice=frame["unit_price"] / 100,
        CustomerID=frame["customer"].str.slice(1).cast(int),
        StockCode=("1" + frame["code"].str.slice(2)),  # the retailer's five-digit codes
    ).drop("unit_price").write_parquet(path)
    monkeypatch.setattr(ab, "data_path", lambda: path)
    platform = {"platform": PlatformResource(data_dir=str(settings.data_dir))}
    res = dg.materialize(
        [shop_also_bought, shop_also_bought_promoted], resources=platform, raise_on_error=False
    )
    [check] = res.get_asset_check_evaluations()
    assert check.check_name == RECS_GATE
    registry = ModelRegistry(settings.models_dir)
    assert registry.versions("also_bought")
    if check.passed:
        assert registry.production("also_bought") == registry.versions("also_bought")[-1]
    else:  # generated orders may not beat popularity: then nothing is promoted
        assert registry.production("also_bought") is None
