"""Offline evaluation of the feed ranker on the lake's own impressions and engagements.

Time split on exposure time. Two cuts ``t1 < t2`` (quantiles of exposure time) make two
windows: the ranker trains on the exposures in ``[t1, t2)`` and is judged on those in
``[t2, end]``. A row is one (viewer, post) pair exposed in a window; its label is whether the
viewer engaged with the post in that window; its features come from the lake as of the window's
start (counts, affinities, follows, an ALS fitted on the events before it), except the one
serving also knows live: the post's age and engagement count at the exposure (the viewer's own
engagements excluded). The age rank is among the posts scored together (here a viewer's
exposures in the window, when serving a feed's candidates). Pairs the viewer had engaged
with before the window are dropped: there is nothing left to predict about them.

On the test window the ranker's scores, reverse-chronological order (newest first) and
popularity (engagements at the exposure, newest first on ties) are compared on the same rows:
nDCG@10 per viewer (over viewers with at least one engaged and one unengaged post) and the
pooled ROC AUC. Ties are broken by one fixed random order for every scorer.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl
from sklearn.pipeline import Pipeline

from models.bundle import RecBundle
from models.interactions import build_interactions, events_to_frame
from models.metrics import auc, ndcg_at_k
from models.ranker import TooLittleData
from models.ranker_features import (
    CREATE_TYPES,
    ENGAGE_TYPES,
    EXPOSE_TYPES,
    FEATURES,
    Candidate,
    FeatureSnapshot,
    post_content,
    post_events,
)
from models.recommenders import ALSRecommender

AGE = FEATURES.index("age_hours")
MIN_POSITIVES = 20
MIN_SLATES = 3
CUTS = (0.35, 0.7)
ENGAGEMENTS = FEATURES.index("post_engagements")


@dataclass
class Window:
    """Labelled (viewer, post) rows of one window, with what the baselines score by."""

    viewers: np.ndarray
    posts: np.ndarray
    X: np.ndarray
    y: np.ndarray
    created: np.ndarray  # unix seconds: reverse-chronological order
    popularity: np.ndarray  # engagements at the exposure: the popularity baseline

    def __len__(self) -> int:
        return int(self.y.size)

    @classmethod
    def concat(cls, a: Window, b: Window) -> Window:
        return cls(*(np.concatenate([getattr(a, f), getattr(b, f)]) for f in cls._fields()))

    @staticmethod
    def _fields() -> tuple[str, ...]:
        return ("viewers", "posts", "X", "y", "created", "popularity")


def exposure_cuts(posts: pl.DataFrame, fractions: tuple[float, float] = CUTS) -> list[datetime]:
    """The exposure-time quantiles that start the training and the test window."""
    ts = posts.filter(pl.col("type").is_in(list(EXPOSE_TYPES)))["ts"].sort()
    if ts.len() < 2 * MIN_POSITIVES:
        raise TooLittleData(f"only {ts.len()} exposures (views, impressions) in the lake")
    return [ts[min(ts.len() - 1, int(ts.len() * f))] for f in fractions]


def als_before(events: pl.DataFrame, cut: datetime) -> RecBundle | None:
    """A small ALS on the interactions before ``cut`` (the ALS feature, point in time)."""
    frame = events_to_frame(events.filter(pl.col("ts").cast(pl.Datetime("us", "UTC")) < cut))
    if frame.height < 20:
        return None
    data = build_interactions(frame)
    model = ALSRecommender(factors=16, iterations=10, random_state=0).fit(data.matrix)
    return RecBundle.from_model(model, data)


def _content_of(posts: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """What serving knows of every post from its creation: author, time, text, hashtags."""
    import orjson

    out: dict[str, dict[str, Any]] = {}
    for r in posts.filter(pl.col("type").is_in(list(CREATE_TYPES))).iter_rows(named=True):
        length, tags, n_tags, media = post_content(orjson.loads(r["attrs"] or "{}"))
        out[r["post"]] = {
            "author": r["actor"],
            "created_ts": r["ts"].timestamp(),
            "text_len": length,
            "tags": tags,
            "n_hashtags": n_tags,
            "has_media": media,
        }
    return out


def _engagement_times(posts: pl.DataFrame, snap: FeatureSnapshot):
    """Per post and per (viewer, post): sorted engagement times (for counts at a time)."""
    per_post: dict[str, list[float]] = defaultdict(list)
    per_pair: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in posts.filter(pl.col("type").is_in(list(ENGAGE_TYPES))).iter_rows(named=True):
        post, t = snap.resolve(r["post"]), r["ts"].timestamp()
        per_post[post].append(t)
        per_pair[(r["actor"], post)].append(t)
    for times in (*per_post.values(), *per_pair.values()):
        times.sort()
    return per_post, per_pair


def _created(cands: list[Candidate]) -> np.ndarray:
    return np.array([c.created_ts for c in cands], dtype=np.float64)


def cap_age(*windows: Window, quantile: float = 0.99) -> float:
    """The age (hours) past which serving treats every post as equally old: the ``quantile``
    of the training rows' ages. Applied to those rows too, so fit and serving agree."""
    ages = np.concatenate([w.X[:, AGE] for w in windows])
    cap = float(np.quantile(ages, quantile)) if ages.size else 0.0
    for w in windows:
        np.minimum(w.X[:, AGE], cap, out=w.X[:, AGE])
    return cap


def build_window(
    posts: pl.DataFrame,
    start: datetime,
    end: datetime | None,
    als: RecBundle | None,
) -> Window:
    """Rows for the exposures in ``[start, end)`` (``end=None``: to the last event)."""
    before = posts.filter(pl.col("ts") < start)
    snap = FeatureSnapshot.from_events(before)
    # Which post a repost id stands for is known as soon as the repost exists.
    snap.aliases.update(
        FeatureSnapshot.from_events(posts.filter(pl.col("type") == "repost")).aliases
    )
    content = _content_of(posts)
    inside = posts.filter(pl.col("ts") >= start)
    if end is not None:
        inside = inside.filter(pl.col("ts") < end)
    per_post, per_pair = _engagement_times(posts, snap)
    engaged = {
        (r["actor"], snap.resolve(r["post"]))
        for r in inside.filter(pl.col("type").is_in(list(ENGAGE_TYPES))).iter_rows(named=True)
    }
    first: dict[tuple[str, str], float] = {}
    for r in inside.filter(pl.col("type").is_in(list(EXPOSE_TYPES))).iter_rows(named=True):
        post = snap.resolve(r["post"])
        info = content.get(post)
        if not r["actor"] or info is None or info["author"] == r["actor"]:
            continue
        if post in snap.engaged.get(r["actor"], ()):
            continue
        first.setdefault((r["actor"], post), r["ts"].timestamp())
    by_viewer: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (viewer, post), t in first.items():
        by_viewer[viewer].append((post, t))
    rows, viewers, post_ids, labels, created, popularity = [], [], [], [], [], []
    for viewer in sorted(by_viewer):
        items = sorted(by_viewer[viewer])
        cands, eng_now = [], []
        for post, t in items:
            info = content[post]
            n = bisect_left(per_post.get(post, []), t) - bisect_left(
                per_pair.get((viewer, post), []), t
            )
            eng_now.append(n)
            cands.append(
                Candidate(
                    post,
                    author=info["author"],
                    created_ts=info["created_ts"],
                    text_len=info["text_len"],
                    n_hashtags=info["n_hashtags"],
                    has_media=info["has_media"],
                    hashtags=info["tags"],
                    engagements=n,
                )
            )
        X = snap.features(viewer, cands, start, als)
        seen_at = np.array([t for _, t in items])
        X[:, AGE] = np.maximum(0.0, seen_at - _created(cands)) / 3600.0  # at the exposure
        rows.append(X)
        viewers += [viewer] * len(items)
        post_ids += [p for p, _ in items]
        labels += [int((viewer, p) in engaged) for p, _ in items]
        created += [c.created_ts for c in cands]
        popularity += eng_now
    if not rows:
        return Window(
            np.array([], dtype=str),
            np.array([], dtype=str),
            np.zeros((0, len(FEATURES))),
            np.zeros(0, dtype=int),
            np.zeros(0),
            np.zeros(0),
        )
    return Window(
        np.array(viewers),
        np.array(post_ids),
        np.vstack(rows),
        np.array(labels),
        np.array(created, dtype=np.float64),
        np.array(popularity, dtype=np.float64),
    )


def split_windows(
    events: pl.DataFrame, fractions: tuple[float, float] = CUTS
) -> tuple[Window, Window, dict[str, Any]]:
    """The training and the test window of ``events`` (lake rows), point in time."""
    posts = post_events(events)
    if posts.is_empty():
        raise TooLittleData("no post events in the lake (need post creations and engagements)")
    posts = posts.sort("ts")
    t1, t2 = exposure_cuts(posts, fractions)
    train = build_window(posts, t1, t2, als_before(events, t1))
    test = build_window(posts, t2, None, als_before(events, t2))
    for name, w in (("training", train), ("test", test)):
        if int(w.y.sum()) < MIN_POSITIVES:
            raise TooLittleData(
                f"only {int(w.y.sum())} engaged exposures in the {name} window; "
                f"need {MIN_POSITIVES}"
            )
    if (test.y == 0).sum() == 0:
        raise TooLittleData("every exposure in the test window was engaged with")
    split = {"train_from": t1.isoformat(), "test_from": t2.isoformat()}
    return train, test, split


def _order(viewer_rows: np.ndarray, scores: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    return viewer_rows[np.lexsort((tiebreak[viewer_rows], -scores[viewer_rows]))]


def ranking_metrics(w: Window, scores: np.ndarray, k: int = 10, seed: int = 0) -> dict[str, float]:
    """Mean nDCG@k over the window's viewers with both labels, and the pooled AUC."""
    tiebreak = np.random.default_rng(seed).random(len(w))
    ndcgs = []
    for viewer in np.unique(w.viewers):
        rows = np.flatnonzero(w.viewers == viewer)
        labels = w.y[rows]
        if labels.min() == labels.max():
            continue
        order = _order(rows, scores, tiebreak)
        relevant = set(np.flatnonzero(w.y[order] == 1).tolist())
        ndcgs.append(ndcg_at_k(list(range(order.size)), relevant, k))
    return {
        f"ndcg@{k}": float(np.mean(ndcgs)) if ndcgs else float("nan"),
        "auc": auc(w.y, scores),
        "slates": float(len(ndcgs)),
    }


def baseline_scores(w: Window) -> dict[str, np.ndarray]:
    """What the baselines order by: newest first; most engaged at the exposure, then newest."""
    span = float(w.created.max() - w.created.min()) + 1.0 if len(w) else 1.0
    recency = (w.created - (w.created.min() if len(w) else 0.0)) / span  # in [0, 1)
    return {"reverse_chronological": w.created, "popularity": w.popularity + recency}


def compare(
    w: Window, ranker: Pipeline, others: dict[str, Pipeline] | None = None, k: int = 10
) -> dict[str, dict[str, float]]:
    """The ranker, any ``others`` (production) and both baselines on the same rows."""
    out = {"ranker": ranking_metrics(w, ranker.predict_proba(w.X)[:, 1], k)}
    for name, pipe in (others or {}).items():
        out[name] = ranking_metrics(w, pipe.predict_proba(w.X)[:, 1], k)
    for name, scores in baseline_scores(w).items():
        out[name] = ranking_metrics(w, scores, k)
    return out


def relative_lift(candidate: float, baseline: float) -> float:
    """``candidate / baseline - 1`` (NaN when the baseline is 0 or undefined)."""
    if not baseline or baseline != baseline:
        return float("nan")
    return candidate / baseline - 1.0
