"""The compiled gradient-boosting ensemble predicts exactly what scikit-learn predicts."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor

from models.rides_trees import compile_hgb


def _data(n: int = 3000, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    X[:, 3] = rng.integers(1, 40, n)  # categories 1..39, like community areas
    X[:, 1] = rng.integers(0, 12, n)
    y = X[:, 0] + np.sin(X[:, 3]) + 0.5 * (X[:, 1] % 3) + rng.normal(0, 0.3, n)
    return X, y


@pytest.mark.parametrize(
    "kw",
    [
        {"max_leaf_nodes": 15},
        {"max_depth": 4, "loss": "quantile", "quantile": 0.35},
        {"max_leaf_nodes": 7, "categorical_features": [False, True, False, True, False]},
        {"max_leaf_nodes": 31, "categorical_features": [False, False, False, True, False]},
    ],
)
def test_compiled_trees_predict_what_sklearn_predicts(kw):
    X, y = _data()
    X_missing = X.copy()
    X_missing[::4, 0] = np.nan  # never seen missing at fit: goes the learned default way
    est = HistGradientBoostingRegressor(max_iter=60, random_state=0, **kw).fit(X_missing, y)
    compiled = compile_hgb(est)
    probe = X.copy()
    probe[::5, 2] = np.nan
    probe[1::7, 3] = 77  # an unknown category
    probe[2::9, 3] = 3.5  # not a category at all
    probe[3::11, 3] = np.nan
    probe[4::13, 3] = -1
    for rows in (probe, probe[:1], probe[:20]):
        np.testing.assert_allclose(compiled.predict(rows), est.predict(rows), atol=1e-10)


def test_a_single_leaf_ensemble_predicts_its_baseline():
    X = np.zeros((50, 2))
    y = np.full(50, 3.0)
    est = HistGradientBoostingRegressor(max_iter=3).fit(X, y)
    np.testing.assert_allclose(compile_hgb(est).predict(X[:4]), est.predict(X[:4]))
