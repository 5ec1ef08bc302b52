"""Small trained models and lakes for the models and serving tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from models import simulate
from models.bundle import RecBundle
from models.interactions import build_interactions, events_to_frame
from models.recommenders import ALSRecommender
from models.registry import ModelRegistry
from models.training import train_ranker


def synthetic_matrix(n_users: int = 60, n_items: int = 40, seed: int = 0) -> sp.csr_matrix:
    """Two taste clusters: users 0..n/2 like items 0..m/2, the rest like the rest."""
    rng = np.random.default_rng(seed)
    rows, cols = [], []
    for u in range(n_users):
        half = slice(0, n_items // 2) if u < n_users // 2 else slice(n_items // 2, n_items)
        pool = np.arange(n_items)[half]
        for i in rng.choice(pool, size=8, replace=False):
            rows.append(u)
            cols.append(int(i))
    return sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n_users, n_items))


def sim_events(seed: int = 0, start: datetime | None = None, n_users: int = 80):
    start = start or datetime.now(UTC) - timedelta(hours=3)
    items = simulate.item_events(
        n_users=n_users, n_items={"video": 60, "product": 40}, per_user=20, seed=seed, start=start
    )
    posts = simulate.post_events(
        n_users=n_users, n_posts=120, views_per_user=25, seed=seed + 1, start=start
    )
    return simulate.to_frame(items + posts)


def publish_models(models_dir: Path, seed: int = 0, promote: bool = True) -> tuple[str, str]:
    """Train a small ALS bundle and ranker directly and register them (no search, fast)."""
    events = sim_events(seed)
    data = build_interactions(events_to_frame(events))
    bundle = RecBundle.from_model(
        ALSRecommender(factors=8, iterations=8, random_state=seed).fit(data.matrix), data
    )
    reg = ModelRegistry(models_dir)
    rv = reg.save(
        "recs",
        "model.npz",
        bundle.save,
        params={"factors": 8},
        metrics={"ndcg@10": 0.3 + seed / 100},
        snapshot=data.snapshot,
    )
    ranker, _, _ = train_ranker(events)
    kv = reg.save(
        "ranker", "model.joblib", ranker.save, params={}, metrics={"auc": 0.8}, snapshot={}
    )
    if promote:
        reg.promote("recs", rv)
        reg.promote("ranker", kv)
    return rv, kv
