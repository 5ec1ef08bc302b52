"""Also-bought recommendations: the order-line rules, the model's contract, the honest
time split, and recovery of planted co-purchase structure better than popularity."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from models import also_bought as ab
from models import also_bought_evaluation
from models.registry import ModelRegistry

FAST = {"factors": 8, "iterations": 8, "blend": 0.5, "neighbours": 20}


def baskets(n_customers: int = 240, n_groups: int = 6, per_group: int = 10, seed: int = 0):
    """Customers each shop one product family over three orders, plus a few best sellers
    everybody buys at random: popularity sees the best sellers, the model must see families."""
    rng = np.random.default_rng(seed)
    start = datetime(2011, 1, 1)
    rows = []
    for c in range(n_customers):
        group = c % n_groups
        family = [f"{10000 + group * 100 + j}" for j in range(per_group)]
        picks = rng.permutation(family)
        for o in range(3):
            ts = start + timedelta(days=int(o * 30 + rng.integers(0, 20)), minutes=c)
            items = list(picks[o * 3 : o * 3 + 3])
            items += [f"{90000 + j}" for j in rng.choice(8, size=2, replace=False)]
            for p in items:
                rows.append((str(c), f"{c}-{o}", p, ts, int(rng.integers(1, 12))))
    return pd.DataFrame(rows, columns=ab.COLUMNS)


@pytest.fixture(scope="module")
def lines() -> pd.DataFrame:
    return baskets()


@pytest.fixture(scope="module")
def model(lines) -> ab.AlsoBoughtModel:
    return ab.train(lines, **FAST)


def test_load_order_lines_keeps_only_product_lines(tmp_path):
    raw = pd.DataFrame(
        {
            "InvoiceNo": ["536365", "536365", "C536379", "536380", "536381", "536382", "536383"],
            "StockCode": ["85123A", "POST", "22633", "22632", "84879", "22752", "gift_0001_10"],
            "Description": ["a", "postage", "b", "c", "d", "e", "voucher"],
            "Quantity": [6, 1, -2, 6, 0, 4, 1],
            "InvoiceDate": ["12/1/10 8:26"] * 6 + ["12/2/10 9:00"],
            "UnitPrice": [2.55, 18.0, 1.85, 1.85, 1.69, 0.0, 10.0],
            "CustomerID": [17850.0, 17850.0, 17850.0, None, 13047.0, 13047.0, 13047.0],
            "Country": ["United Kingdom"] * 7,
        }
    )
    path = tmp_path / "orders.parquet"
    raw.to_parquet(path)
    out = ab.load_order_lines(path)
    assert list(out.columns) == ab.COLUMNS
    assert out.to_dict("records") == [
        {
            "customer_id": "17850",
            "order_id": "536365",
            "product_id": "85123A",
            "ts": pd.Timestamp("2010-12-01 08:26"),
            "quantity": 6,
        }
    ]


def test_similar_never_returns_the_product_and_is_sorted(model):
    recs = model.similar("10000", k=5)
    assert len(recs) == 5
    assert "10000" not in [p for p, _ in recs]
    scores = [s for _, s in recs]
    assert scores == sorted(scores, reverse=True)
    # the planted family of 10000 is 10000..10009: most neighbours come from it
    assert sum(p.startswith("100") for p, _ in recs) >= 4


def test_unknown_product_falls_back_to_best_sellers_or_nothing(model):
    best = [str(model.item_ids[i]) for i in np.argsort(-model.popularity, kind="stable")[:3]]
    recs = model.similar("nope", k=3)
    assert [p for p, _ in recs] == best
    assert all(p.startswith("9") for p in best)  # the planted best sellers
    assert model.similar("nope", k=3, fallback=False) == []


def test_recommend_for_excludes_the_history(model):
    history = ["10100", "10101", "90000"]
    recs = model.recommend_for(history, k=10)
    assert len(recs) == 10
    assert not set(history) & {p for p, _ in recs}


def test_split_keeps_training_strictly_before_each_last_order(lines):
    train, test = ab.split_last_order(lines)
    assert len(train) + len(test) == len(lines)
    last = test.groupby("customer_id")["ts"].min()
    before = train[train["customer_id"].isin(last.index)]
    assert (before["ts"].to_numpy() < last.loc[before["customer_id"]].to_numpy()).all()
    assert test.groupby("customer_id")["order_id"].nunique().max() == 1


def test_model_recovers_planted_families_better_than_popularity(lines):
    report = ab.evaluate_last_order(lines, k=10, **FAST)
    assert report["customers"] == 240
    assert report["recall_model"] > 2 * report["recall_popularity"]
    assert report["recall_model"] > 0.5


def test_tuning_sees_only_the_training_period(lines):
    train, _ = ab.split_last_order(lines)
    grid = {"factors": [4, 8], "weighting": ["none", "bm25"], "ease_lambda": [10.0]}
    grid.update(half_life_days=[0.0, 30.0], blend=[0.0, 1.0])
    params, trials = ab.tune(train, grid=grid, iterations=5)
    assert len(trials) == 16
    assert params["factors"] in (4, 8) and params["blend"] in (0.0, 1.0)
    best = max(t["recall"] for t in trials)
    assert best == max(trials, key=lambda t: t["recall"])["recall"]


def test_training_is_deterministic_and_validates(lines):
    a = ab.train(lines, **FAST)
    b = ab.train(lines, **FAST)
    np.testing.assert_array_equal(a.item_factors, b.item_factors)
    with pytest.raises(ValueError, match="unknown parameters"):
        ab.train(lines, colour="red")
    with pytest.raises(ValueError, match="no order lines"):
        ab.train(lines.iloc[:0])
    with pytest.raises(ValueError, match="blend"):
        ab.train(lines, blend=2.0)


def test_save_and_load_through_the_registry(tmp_path, model):
    registry = ModelRegistry(tmp_path)
    version = ab.save(model, registry, {"recall@10": 0.5})
    meta = registry.meta(ab.NAME, version)
    assert meta["params"]["factors"] == FAST["factors"]
    assert meta["metrics"] == {"recall@10": 0.5}
    loaded = ab.load(registry.artifact(ab.NAME, version))
    assert loaded.similar("10203", k=7) == model.similar("10203", k=7)
    assert loaded.recommend_for(["10000", "90001"], 5) == model.recommend_for(["10000", "90001"], 5)


def test_histories_count_orders_once_and_decay_with_age():
    t0 = datetime(2011, 3, 1)
    rows = [
        ("7", "o1", "10001", t0, 1),
        ("7", "o1", "10001", t0, 5),  # the same product twice in one order counts once
        ("7", "o2", "10001", t0 + timedelta(days=30), 2),
        ("7", "o2", "10002", t0 + timedelta(days=30), 2),
        ("8", "o3", "10003", t0, 1),
    ]
    lines = pd.DataFrame(rows, columns=ab.COLUMNS)
    assert ab.histories(lines)["7"] == (["10001", "10002"], [2.0, 1.0])
    products, weights = ab.histories(lines, half_life_days=30.0)["7"]
    assert products == ["10001", "10002"] and weights == pytest.approx([1.5, 1.0])
    assert ab.histories(lines)["8"] == (["10003"], [1.0])


def test_weights_must_match_the_history(model):
    with pytest.raises(ValueError, match="weights"):
        model.recommend_for(["10000", "10001"], 5, weights=[1.0])
    with pytest.raises(ValueError, match="weights"):
        model.recommend_for(["10000"], 5, weights=[-1.0])
    unweighted = model.recommend_for(["10000", "90001"], 5, weights=[1.0, 1.0])
    assert unweighted == model.recommend_for(["10000", "90001"], 5)


def test_evaluation_scores_what_serving_recommends(lines):
    report = ab.evaluate_last_order(lines, k=10, **{**FAST, "half_life_days": 30.0})
    train, test = ab.split_last_order(lines)
    model = ab.train(train, **report["params"])
    hist = ab.histories(train, 30.0)
    recalls, popular = [], []
    for customer, order in test.groupby("customer_id"):
        products, weights = hist[customer]
        recs = {p for p, _ in model.recommend_for(products, 10, weights=weights)}
        wanted = set(order["product_id"])
        recalls.append(len(recs & wanted) / len(wanted))
        pop = model.popularity.astype(float)  # integer counts: ties at the cut are common
        pop[[model.index[p] for p in products]] = -np.inf
        best = {str(model.item_ids[i]) for i in ab.top_k(pop, 10)}
        popular.append(len(best & wanted) / len(wanted))
    assert report["recall_model"] == pytest.approx(np.mean(recalls))
    assert report["recall_popularity"] == pytest.approx(np.mean(popular))


def test_evaluation_trains_only_on_lines_before_each_last_order(lines, monkeypatch):
    seen: list[pd.DataFrame] = []
    real_train = ab.train

    def spy(frame, **params):
        seen.append(frame)
        return real_train(frame, **params)

    monkeypatch.setattr(also_bought_evaluation, "train", spy)  # what tune and evaluation call
    grid = {"factors": [4], "weighting": ["none"], "ease_lambda": [10.0]}
    report = ab.evaluate_last_order(lines, k=10, grid={**grid, "half_life_days": [0.0]})
    assert report["params"]["factors"] == 4
    _, test = ab.split_last_order(lines)
    test_orders = set(test["order_id"])
    assert seen and all(not (set(f["order_id"]) & test_orders) for f in seen)


@pytest.mark.parametrize("item_model", ["ease", "cosine"])
def test_item_item_alone_finds_the_family(lines, item_model):
    m = ab.train(lines, blend=0.0, item_model=item_model, ease_lambda=100.0, neighbours=15)
    assert m.item_factors.shape[1] == 0  # ALS is skipped when it carries no weight
    recs = [p for p, _ in m.similar("10305", k=5)]
    assert sum(p.startswith("103") for p in recs) >= 4
