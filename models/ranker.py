"""The feed ranker: a scikit-learn Pipeline scoring (viewer, post) pairs by P(engagement).

Training is point-in-time: features come from events before a cut-off, labels from
engagements after it (positives) against sampled unengaged posts that existed (negatives),
and the ALS feature comes from an ALS fitted on the pre-cut-off interactions only. Gradient
boosting and logistic regression are both fitted; the better held-out AUC wins. Saved with
joblib (the sklearn format) together with its feature snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import polars as pl
from sklearn.calibration import calibration_curve
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import ThreadpoolController

from models.bundle import RecBundle
from models.interactions import build_interactions, events_to_frame
from models.metrics import auc
from models.ranker_features import (
    CREATE_TYPES,
    ENGAGE_TYPES,
    FEATURES,
    Candidate,
    FeatureSnapshot,
    post_events,
)
from models.recommenders import ALSRecommender

MIN_POSITIVES = 20
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
            max_iter=60,
            learning_rate=0.15,
            max_leaf_nodes=15,
            l2_regularization=1.0,
            random_state=random_state,
        )
        return Pipeline([("model", clf)])
    if kind == "logreg":
        return Pipeline(
            [("scale", StandardScaler()), ("model", LogisticRegression(max_iter=1000, C=1.0))]
        )
    raise ValueError("kind must be 'gbm' or 'logreg'")


@dataclass
class Examples:
    X: np.ndarray
    y: np.ndarray
    viewers: np.ndarray


def build_examples(
    events: pl.DataFrame, cutoff_fraction: float = 0.7, negatives: int = 3, random_state: int = 0
) -> Examples:
    """Labelled (viewer, post) feature rows: pre-cut-off features, post-cut-off labels."""
    posts = post_events(events)
    if posts.is_empty():
        raise TooLittleData("no post events in the lake (need post creations and engagements)")
    posts = posts.sort("ts")
    cut = posts["ts"][int(len(posts) * cutoff_fraction)]
    before, after = posts.filter(pl.col("ts") < cut), posts.filter(pl.col("ts") >= cut)
    snap = FeatureSnapshot.from_events(before)
    ev_before = events.filter(pl.col("ts").cast(pl.Datetime("us", "UTC")) < cut)
    frame = events_to_frame(ev_before)
    als = None
    if frame.height >= 20:
        data = build_interactions(frame)
        als = RecBundle.from_model(
            ALSRecommender(factors=16, iterations=10, random_state=0).fit(data.matrix), data
        )
    created = {p: v["created_ts"] for p, v in snap.posts.items()}
    created.update(
        {
            r["post"]: r["ts"].timestamp()
            for r in after.filter(pl.col("type").is_in(list(CREATE_TYPES))).iter_rows(named=True)
        }
    )
    positives: dict[str, set[str]] = {}
    first_ts: dict[str, float] = {}
    for r in after.filter(pl.col("type").is_in(list(ENGAGE_TYPES))).iter_rows(named=True):
        if r["actor"] and r["post"] in created:
            positives.setdefault(r["actor"], set()).add(r["post"])
            first_ts.setdefault(r["actor"], r["ts"].timestamp())
    n_pos = sum(len(p) for p in positives.values())
    if n_pos < MIN_POSITIVES:
        raise TooLittleData(f"only {n_pos} engagements after the cut-off; need {MIN_POSITIVES}")
    rng = np.random.default_rng(random_state)
    post_ids = np.array(sorted(created))
    rows, labels, viewers = [], [], []
    now = after["ts"].max().timestamp()
    for viewer in sorted(positives):
        pos = sorted(positives[viewer])
        pool = post_ids[~np.isin(post_ids, pos)]
        neg = rng.choice(pool, size=min(len(pool), negatives * len(pos)), replace=False)
        cands = [Candidate(p, author=snap.posts.get(p, {}).get("author")) for p in pos]
        cands += [Candidate(str(p)) for p in neg]
        for c in cands:
            if c.post_id not in snap.posts:
                c.created_ts = created[c.post_id]
        rows.append(snap.features(viewer, cands, now, als))
        labels += [1] * len(pos) + [0] * len(neg)
        viewers += [viewer] * len(cands)
    return Examples(np.vstack(rows), np.array(labels), np.array(viewers))


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


def split_by_viewer(ex: Examples, test_fraction: float = 0.25, random_state: int = 0):
    """Hold out whole viewers, so no viewer's rows leak between train and test."""
    viewers = np.unique(ex.viewers)
    rng = np.random.default_rng(random_state)
    test_v = set(
        rng.choice(viewers, size=max(1, int(len(viewers) * test_fraction)), replace=False).tolist()
    )
    test = np.array([v in test_v for v in ex.viewers])
    if ex.y[test].min(initial=1) == ex.y[test].max(initial=0) or test.all():
        raise TooLittleData("held-out viewers have only one class; need more engagement data")
    return (ex.X[~test], ex.y[~test]), (ex.X[test], ex.y[test])


def train_rankers(ex: Examples, random_state: int = 0) -> tuple[str, Pipeline, dict[str, Any]]:
    """Fit gbm and logreg on the same split; return the winner by held-out AUC and a report."""
    (Xtr, ytr), (Xte, yte) = split_by_viewer(ex, random_state=random_state)
    report: dict[str, Any] = {}
    best: tuple[float, str, Pipeline] | None = None
    for kind in ("gbm", "logreg"):
        with single_threaded():
            pipe = make_pipeline(kind, random_state).fit(Xtr, ytr)
            report[kind] = evaluate(pipe, Xte, yte)
        if best is None or report[kind]["auc"] > best[0]:
            best = (report[kind]["auc"], kind, pipe)
    report["train_rows"], report["test_rows"] = int(len(ytr)), int(len(yte))
    return best[1], best[2], report


@dataclass
class FeedRanker:
    """The promoted ranker: pipeline + the feature snapshot it reads at serving time."""

    pipeline: Pipeline
    snapshot: FeatureSnapshot

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
        X = self.snapshot.features(viewer, candidates, now, als)
        with single_threaded():
            return self.pipeline.predict_proba(X)[:, 1]

    def save(self, path: Path) -> None:
        joblib.dump(
            {"pipeline": self.pipeline, "snapshot": self.snapshot, "features": FEATURES}, path
        )

    @classmethod
    def load(cls, path: Path) -> FeedRanker:
        obj = joblib.load(path)
        if obj.get("features") != FEATURES:
            raise ValueError("ranker artifact was trained on a different feature list")
        return cls(obj["pipeline"], obj["snapshot"])
