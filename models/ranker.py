"""The feed ranker: a scikit-learn Pipeline scoring (viewer, post) pairs by P(engagement).

Trained on the lake's own exposures and engagements, point in time (``models.feed_eval``):
features as of a window's start, labels from that window. Gradient boosting and logistic
regression are both fitted; the better AUC on held-out viewers of the training window wins,
so the test window stays untouched by the choice. Saved with joblib (the sklearn format)
together with its feature snapshot and a reference row (the training medians) that
``explain`` measures each feature's contribution against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import ThreadpoolController

from models.bundle import RecBundle
from models.metrics import auc
from models.ranker_features import FEATURES, Candidate, FeatureSnapshot

_threads: ThreadpoolController | None = None


def single_threaded():
    """One OpenMP thread for sklearn: on a busy 2-core box more threads are 20x slower.

    The controller is built once; ``threadpool_limits()`` would rescan every loaded library
    on each call (milliseconds per feed request)."""
    global _threads
    if _threads is None:
        _threads = ThreadpoolController()
    return _threads.limit(limits=1, user_api="openmp")


class TooLittleData(ValueError):
    """Training data too small to fit or to evaluate honestly."""


def make_pipeline(kind: str = "gbm", random_state: int | None = 0) -> Pipeline:
    """``gbm`` (histogram gradient boosting) or ``logreg`` (scaled logistic regression)."""
    if kind == "gbm":
        clf = HistGradientBoostingClassifier(
            max_iter=80,
            learning_rate=0.1,
            max_leaf_nodes=15,
            min_samples_leaf=30,
            l2_regularization=1.0,
            random_state=random_state,
        )
        return Pipeline([("model", clf)])
    if kind == "logreg":
        return Pipeline(
            [("scale", StandardScaler()), ("model", LogisticRegression(max_iter=1000, C=1.0))]
        )
    raise ValueError("kind must be 'gbm' or 'logreg'")


def reliability_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Mean predicted vs observed engagement rate per quantile bin of the prediction."""
    frac, mean_pred = calibration_curve(y, p, n_bins=bins, strategy="quantile")
    return [
        {"predicted": round(float(m), 4), "observed": round(float(f), 4)}
        for m, f in zip(mean_pred, frac, strict=True)
    ]


def evaluate(pipe: Pipeline, X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    p = pipe.predict_proba(X)[:, 1]
    return {
        "auc": auc(y, p),
        "brier": float(brier_score_loss(y, p)),
        "base_rate": float(y.mean()),
        "reliability": reliability_table(y, p),
    }


def split_by_viewer(
    viewers: np.ndarray, y: np.ndarray, test_fraction: float = 0.25, random_state: int = 0
) -> np.ndarray:
    """A mask of held-out rows: whole viewers, so no viewer's rows leak between the parts."""
    unique = np.unique(viewers)
    rng = np.random.default_rng(random_state)
    size = max(1, int(len(unique) * test_fraction))
    test_v = set(rng.choice(unique, size=size, replace=False).tolist())
    test = np.array([v in test_v for v in viewers])
    if y[test].min(initial=1) == y[test].max(initial=0) or test.all():
        raise TooLittleData("held-out viewers have only one class; need more engagement data")
    return test


def train_rankers(
    X: np.ndarray, y: np.ndarray, viewers: np.ndarray, random_state: int = 0
) -> tuple[str, Pipeline, dict[str, Any]]:
    """Choose gbm or logreg by AUC on held-out viewers, then refit the winner on all rows."""
    test = split_by_viewer(viewers, y, random_state=random_state)
    report: dict[str, Any] = {}
    best: tuple[float, str] | None = None
    for kind in ("gbm", "logreg"):
        with single_threaded():
            pipe = make_pipeline(kind, random_state).fit(X[~test], y[~test])
            report[kind] = evaluate(pipe, X[test], y[test])
        if best is None or report[kind]["auc"] > best[0]:
            best = (report[kind]["auc"], kind)
    kind = best[1]
    with single_threaded():
        pipe = make_pipeline(kind, random_state).fit(X, y)
    report["train_rows"], report["selection_rows"] = int((~test).sum()), int(test.sum())
    return kind, pipe, report


LABELS = {
    "author_affinity": "engaged with this author before",
    "author_engagements": "engaged with this author before",
    "follows_author": "follows the author",
    "tag_affinity": "engages with these hashtags",
    "tag_engage_rate": "engages with these hashtags",
    "age_hours": "age",
    "recency_rank": "age",
    "post_engagements": "post engagement",
    "post_views": "post views",
    "post_engagement_rate": "post engagement rate",
    "author_engagement_rate": "author's engagement rate",
    "viewer_engage_rate": "viewer's own engagement rate",
    "text_len": "length",
    "n_hashtags": "number of hashtags",
    "has_media": "media",
    "als_score": "readers with similar taste (ALS)",
    "als_known": "readers with similar taste (ALS)",
}


@dataclass
class FeedRanker:
    """The promoted ranker: pipeline + the feature snapshot it reads at serving time."""

    pipeline: Pipeline
    snapshot: FeatureSnapshot
    reference: np.ndarray | None = field(default=None)

    def features(
        self,
        viewer: str,
        candidates: list[Candidate],
        now: Any = None,
        als: RecBundle | None = None,
    ) -> np.ndarray:
        """The feature rows of ``candidates`` (age ranks are among these candidates)."""
        return self.snapshot.features(viewer, candidates, now, als)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """P(engagement) per feature row."""
        if len(X) == 0:
            return np.empty(0)
        with single_threaded():
            return self.pipeline.predict_proba(X)[:, 1]

    def score(
        self,
        viewer: str,
        candidates: list[Candidate],
        now: Any = None,
        als: RecBundle | None = None,
    ) -> np.ndarray:
        """P(engagement) per candidate, in the candidates' order."""
        if not candidates:
            return np.empty(0)
        return self.predict(self.features(viewer, candidates, now, als))

    def explain(
        self,
        viewer: str,
        candidates: list[Candidate],
        now: Any = None,
        als: RecBundle | None = None,
        top: int = 3,
    ) -> list[list[tuple[str, float]]]:
        """``explain_rows`` on the candidates' feature rows."""
        if not candidates:
            return []
        return self.explain_rows(self.features(viewer, candidates, now, als), top)

    def explain_rows(self, X: np.ndarray, top: int = 3) -> list[list[tuple[str, float]]]:
        """Per row, the ``top`` reasons by size: ``(label, change in P(engagement))`` when that
        group of features is set to its training median, the rest unchanged."""
        if len(X) == 0 or self.reference is None:
            return [[] for _ in range(len(X))]
        groups: dict[str, list[int]] = {}
        for i, name in enumerate(FEATURES):
            groups.setdefault(LABELS.get(name, name), []).append(i)
        variants = [X]
        for cols in groups.values():
            Xg = X.copy()
            Xg[:, cols] = self.reference[cols]
            variants.append(Xg)
        p = self.predict(np.vstack(variants)).reshape(len(variants), -1)
        deltas = p[0] - p[1:]  # (groups, rows)
        names = list(groups)
        out = []
        for j in range(len(X)):
            order = np.argsort(-np.abs(deltas[:, j]))[:top]
            out.append([(names[g], float(d)) for g in order if abs(d := deltas[g, j]) >= 1e-3])
        return out

    def save(self, path: Path) -> None:
        joblib.dump(
            {
                "pipeline": self.pipeline,
                "snapshot": self.snapshot,
                "features": FEATURES,
                "reference": self.reference,
            },
            path,
        )

    @classmethod
    def load(cls, path: Path) -> FeedRanker:
        obj = joblib.load(path)
        if obj.get("features") != FEATURES:
            raise ValueError("ranker artifact was trained on a different feature list")
        return cls(obj["pipeline"], obj["snapshot"], obj.get("reference"))
