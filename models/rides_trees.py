"""A fitted histogram gradient-boosting regressor compiled into two sparse products, so a
prediction for a handful of rows costs well under a millisecond.

Why: scikit-learn predicts tree by tree in a Python loop (one OpenMP region per tree), which
for the few candidate drivers of one ride request costs milliseconds per call, and more on a
loaded machine where the threads wait for cores. Matching calls the ETA model on every
request, so that loop, not the model, was the cost.

How: every internal node of every tree becomes one column of a boolean matrix ("this row
goes left here"), computed for all nodes of all trees at once. Each tree's columns pack into
one integer per row (bit i: the tree's i-th node sends the row left); a leaf is reached
exactly when the bits of the nodes on its path equal the turns of its path
(``code & mask == want``). The prediction is the baseline plus the values of the reached
leaves: a few numpy operations over (rows x trees x leaves), no loop over trees.

Splits follow scikit-learn's rules exactly: ``x <= threshold`` for numbers, the
left-category bitset for categories (scikit-learn's ordinal codes mapped back to the raw
values), unknown categories and NaN to the side the tree learned for missing values. Tests
compare :func:`compile_hgb` with ``estimator.predict``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor


@dataclass
class CompiledTrees:
    """The whole ensemble as arrays (see the module docstring)."""

    baseline: float
    feature: np.ndarray  # per internal node: the feature it splits on
    threshold: np.ndarray  # numeric threshold (unused for categorical nodes)
    missing_left: np.ndarray  # bool: NaN / unknown category goes left
    cat_nodes: np.ndarray  # indices (into internal nodes) of categorical splits
    cat_left: np.ndarray  # (len(cat_nodes), 256) bool: category goes left
    cat_known: np.ndarray  # (len(cat_nodes), 256) bool: category seen in training
    slots: np.ndarray  # (trees, K): internal node of each bit (n_internal: always 0)
    masks: np.ndarray  # (trees, leaves): the bits on each leaf's path
    wants: np.ndarray  # (trees, leaves): the turns (1: left) on that path
    values: np.ndarray  # (trees, leaves): leaf values (0 for padding)

    def predict(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise ValueError("X must be two-dimensional")
        n = X.shape[0]
        xs = X[:, self.feature]  # (rows, internal nodes)
        go_left = np.zeros((n, len(self.feature) + 1), dtype=bool)  # last column: padding
        go_left[:, :-1] = xs <= self.threshold
        if len(self.cat_nodes):
            xc = xs[:, self.cat_nodes]
            code = np.where(np.isfinite(xc), xc, -1).astype(np.int64)
            ok = (code >= 0) & (code < 256) & (code == xc)
            flat = np.arange(len(self.cat_nodes))[None, :] * 256 + np.clip(code, 0, 255)
            left = self.cat_left.ravel()[flat] & ok
            known = self.cat_known.ravel()[flat] & ok
            go_left[:, self.cat_nodes] = left | (~known & self.missing_left[self.cat_nodes])
        nan = np.isnan(xs)
        if nan.any():
            go_left[:, :-1] = np.where(nan, self.missing_left[None, :], go_left[:, :-1])
        bits = go_left[:, self.slots].astype(np.int64)  # (rows, trees, K)
        codes = (bits << np.arange(self.slots.shape[1], dtype=np.int64)).sum(axis=2)
        reached = (codes[:, :, None] & self.masks[None]) == self.wants[None]
        return self.baseline + reached.reshape(n, -1) @ self.values.ravel()


def _bits(words: np.ndarray) -> np.ndarray:
    """A scikit-learn bitset (8 uint32 words) as 256 booleans."""
    w = np.asarray(words, dtype=np.uint32)
    return ((w[:, None] >> np.arange(32, dtype=np.uint32)[None, :]) & 1).astype(bool).ravel()


def _columns(est: HistGradientBoostingRegressor) -> tuple[list[int], dict[int, np.ndarray]]:
    """How the estimator's internal columns map to the caller's: scikit-learn puts
    categorical columns first and ordinal-encodes them (code = position of the raw value
    among the sorted training categories). Returns the source column of each internal one
    and, per internal categorical column, its raw categories."""
    pre = getattr(est, "_preprocessor", None)
    if pre is None:
        return list(range(est.n_features_in_)), {}
    source: list[int] = []
    cats: dict[int, np.ndarray] = {}
    for name, trans, cols in pre.transformers_:
        if name == "remainder":
            continue
        idx = np.flatnonzero(cols) if np.asarray(cols).dtype == bool else np.asarray(cols)
        if name == "encoder":
            for k in range(len(idx)):
                cats[len(source) + k] = np.asarray(trans.categories_[k], dtype=float)
        source.extend(int(c) for c in idx)
    return source, cats


def _raw_bits(code_bits: np.ndarray, categories: np.ndarray | None) -> np.ndarray:
    """A bitset over category codes as 256 booleans over raw category values."""
    if categories is None:
        return code_bits
    out = np.zeros(256, dtype=bool)
    for code, raw in enumerate(categories):
        if raw != int(raw) or not 0 <= raw < 256:
            raise ValueError("categories must be integers in [0, 256) to compile")
        out[int(raw)] = code_bits[code]
    return out


def compile_hgb(est: HistGradientBoostingRegressor) -> CompiledTrees:
    """Compile a fitted single-output ``HistGradientBoostingRegressor`` (numeric input)."""
    if est.n_trees_per_iteration_ != 1:
        raise ValueError("only single-output regressors compile")
    known_bitsets, f_idx_map = est._bin_mapper.make_known_categories_bitsets()
    source, categories = _columns(est)
    feature, threshold, missing_left = [], [], []
    cat_nodes, cat_left, cat_known = [], [], []
    trees = []  # per tree: (global internal nodes, [(mask, want, value) per leaf])
    for (pred,) in est._predictors:
        nodes = pred.nodes
        local: dict[int, int] = {}  # node index -> bit
        glob: list[int] = []
        for i, node in enumerate(nodes):
            if node["is_leaf"]:
                continue
            g = len(feature)
            local[i] = len(glob)
            glob.append(g)
            f = int(node["feature_idx"])
            feature.append(source[f])
            threshold.append(float(node["num_threshold"]))
            missing_left.append(bool(node["missing_go_to_left"]))
            if node["is_categorical"]:
                cat_nodes.append(g)
                raw = categories.get(f)
                left = _bits(pred.raw_left_cat_bitsets[node["bitset_idx"]])
                cat_left.append(_raw_bits(left, raw))
                cat_known.append(_raw_bits(_bits(known_bitsets[f_idx_map[f]]), raw))
        if len(glob) > 62:
            raise ValueError("trees with more than 62 splits do not compile")
        leaves = []
        stack = [(0, 0, 0)]  # node, mask, want
        while stack:
            i, mask, want = stack.pop()
            node = nodes[i]
            if node["is_leaf"]:
                leaves.append((mask, want, float(node["value"])))
                continue
            bit = 1 << local[i]
            stack.append((int(node["left"]), mask | bit, want | bit))
            stack.append((int(node["right"]), mask | bit, want))
        trees.append((glob, leaves))
    n_internal = len(feature)
    k = max(1, max(len(g) for g, _ in trees))
    n_leaves = max(len(lv) for _, lv in trees)
    slots = np.full((len(trees), k), n_internal, dtype=np.intp)
    masks = np.zeros((len(trees), n_leaves), dtype=np.int64)
    wants = np.ones((len(trees), n_leaves), dtype=np.int64)  # padding: never reached
    values = np.zeros((len(trees), n_leaves))
    for t, (glob, leaves) in enumerate(trees):
        slots[t, : len(glob)] = glob
        for j, (mask, want, value) in enumerate(leaves):
            masks[t, j], wants[t, j], values[t, j] = mask, want, value
    return CompiledTrees(
        baseline=float(np.ravel(est._baseline_prediction)[0]),
        feature=np.asarray(feature, dtype=np.intp),
        threshold=np.asarray(threshold, dtype=float),
        missing_left=np.asarray(missing_left, dtype=bool),
        cat_nodes=np.asarray(cat_nodes, dtype=np.intp),
        cat_left=np.asarray(cat_left, dtype=bool).reshape(len(cat_nodes), 256),
        cat_known=np.asarray(cat_known, dtype=bool).reshape(len(cat_nodes), 256),
        slots=slots,
        masks=masks,
        wants=wants,
        values=values,
    )
