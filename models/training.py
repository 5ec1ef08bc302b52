"""Train, evaluate and gate: the plain-Python steps the Dagster assets call.

The held-out set is the newest events, after both the time-split cut-off and production's
own training snapshot, so production never saw what it is judged on; candidate and
production (or, before any production, popularity) are scored on exactly that set.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from models.bundle import RecBundle, evaluate_bundle, seen_sets
from models.feed_eval import (
    Window,
    cap_age,
    compare,
    ranking_metrics,
    relative_lift,
    split_windows,
)
from models.interactions import (
    IdMap,
    Interactions,
    InteractionWeights,
    build_interactions,
    events_to_frame,
    time_split,
    utc,
)
from models.ranker import (
    FeedRanker,
    TooLittleData,
    evaluate,
    make_pipeline,
    single_threaded,
    train_rankers,
)
from models.ranker_features import FeatureSnapshot, post_events
from models.recommenders import ALSRecommender, PopularityRecommender
from models.registry import CorruptArtifact, GateDecision, ModelRegistry, decide_promotion
from models.search import DEFAULT_ALS_GRID, bounded_search

MIN_EVENTS, MIN_USERS, MIN_ITEMS, MIN_HELDOUT_USERS = 50, 5, 5, 3


@dataclass
class Prepared:
    """Everything the recommender steps need, built once from the lake's events."""

    frame: pl.DataFrame
    full: Interactions
    train: Interactions
    heldout: dict[str, set[str]] = field(default_factory=dict)
    train_seen: dict[str, set[str]] = field(default_factory=dict)
    cutoff: str | None = None
    search_split: tuple[sp.csr_matrix, dict[int, set[int]]] | None = None


# -- what the training steps hand each other (the feed's Dagster assets) -----------------------
class CandidateResult:
    """What a candidate step produced: a registered version, or ``NotTrained``."""


@dataclass(frozen=True)
class NotTrained(CandidateResult):
    """No candidate: the data was too small. The gate refuses it with this reason."""

    reason: str


@dataclass(frozen=True)
class RecsCandidate(CandidateResult):
    version: str
    metrics: dict[str, float]
    params: dict[str, Any]


@dataclass(frozen=True)
class RankerCandidate(CandidateResult):
    version: str
    metrics: dict[str, Any]
    test: Window


@dataclass(frozen=True)
class TrainingData:
    """The window's interaction events and, when there are enough, the recommender's split."""

    events: pl.DataFrame
    snapshot: dict[str, Any]
    recs: Prepared | NotTrained


@dataclass(frozen=True)
class Evaluation:
    """The gate's verdict on one candidate (``version`` is None when none was trained)."""

    model: str
    version: str | None
    promote: bool
    reason: str
    decision: GateDecision | None = None

    def gate_meta(self) -> dict[str, Any]:
        """The verdict as stored beside the version (``blueprint feed promote`` reads it)."""
        decision = asdict(self.decision) if self.decision else {}
        return {**decision, "promote": self.promote, "reason": self.reason, "version": self.version}


def prepare(
    events: pl.DataFrame,
    weights: InteractionWeights | None = None,
    test_fraction: float = 0.2,
    not_before: str | None = None,
) -> Prepared:
    """Interactions and a time split; ``not_before`` (production's last_ts) moves the cut
    later so the held-out events are all newer than production's training data."""
    weights = weights or InteractionWeights()
    frame = events_to_frame(events, weights)
    if frame.height < MIN_EVENTS:
        raise TooLittleData(f"only {frame.height} interaction events; need at least {MIN_EVENTS}")
    full = build_interactions(frame, weights)
    if len(full.users) < MIN_USERS or len(full.items) < MIN_ITEMS:
        raise TooLittleData(
            f"only {len(full.users)} users x {len(full.items)} items; need at "
            f"least {MIN_USERS} x {MIN_ITEMS}"
        )
    train_f, test_f = time_split(frame, test_fraction)
    if not_before is not None and not test_f.is_empty() and test_f["ts"].min() <= utc(not_before):
        train_f = frame.filter(pl.col("ts") <= utc(not_before))
        test_f = frame.filter(pl.col("ts") > utc(not_before))
    if train_f.is_empty():
        raise TooLittleData("no training events before the held-out cut-off")
    ref = frame["ts"].max()
    train = build_interactions(
        train_f,
        weights,
        now=ref,
        users=IdMap.from_ids(train_f["user"]),
        items=IdMap.from_ids(train_f["item"]),
    )
    train_seen = seen_sets(train)
    # Items born after the cut-off cannot be recommended by any factor model; fresh content
    # is the feed ranker's job, so the recommender is judged on the catalogue it knew.
    heldout = _heldout(test_f, train, train_seen)
    if len(heldout) < MIN_HELDOUT_USERS:
        raise TooLittleData(
            f"only {len(heldout)} known users have new held-out interactions "
            f"after the cut-off; need {MIN_HELDOUT_USERS}"
        )
    cutoff = test_f["ts"].min().isoformat() if not test_f.is_empty() else None
    return Prepared(
        frame, full, train, heldout, train_seen, cutoff, _search_split(train_f, train, weights, ref)
    )


def _heldout(
    test_f: pl.DataFrame, train: Interactions, train_seen: dict[str, set[str]]
) -> dict[str, set[str]]:
    heldout: dict[str, set[str]] = {}
    for user, item in test_f.select("user", "item").iter_rows():
        if user in train.users and item in train.items and item not in train_seen.get(user, ()):
            heldout.setdefault(user, set()).add(item)
    return heldout


def _search_split(
    train_f: pl.DataFrame, train: Interactions, weights: InteractionWeights, ref: Any
) -> tuple[sp.csr_matrix, dict[int, set[int]]] | None:
    """The training period split again by time, in train's index space, for the search."""
    fit_f, valid_f = time_split(train_f, 0.2)
    if fit_f.is_empty() or valid_f.is_empty():
        return None
    fit = build_interactions(fit_f, weights, now=ref, users=train.users, items=train.items)
    valid = _heldout(valid_f, fit, seen_sets(fit))
    if len(valid) < MIN_HELDOUT_USERS:
        return None
    return fit.matrix, {
        train.users.index[u]: {train.items.index[i] for i in items} for u, items in valid.items()
    }


def fit_recommender(
    prep: Prepared,
    grid: dict[str, list[Any]] | None = None,
    max_trials: int = 6,
    time_budget_s: float = 60.0,
    random_state: int = 0,
    warm_params: dict[str, Any] | None = None,
) -> tuple[RecBundle, RecBundle, dict[str, Any], list[dict[str, Any]]]:
    """Search on the train part (production's ``warm_params`` always among the trials), then
    fit twice with the best params: on the train part (for the held-out evaluation) and on
    everything (to serve). Returns both bundles."""
    base = ALSRecommender(random_state=random_state)
    result = bounded_search(
        base,
        prep.train.matrix,
        grid or DEFAULT_ALS_GRID,
        max_trials=max_trials,
        time_budget_s=time_budget_s,
        random_state=random_state,
        include=[_grid_point(warm_params, grid or DEFAULT_ALS_GRID)] if warm_params else [],
        split=prep.search_split,
    )
    params = {**base.get_params(), **result.best_params}
    eval_model = ALSRecommender(**params).fit(prep.train.matrix)
    serve_model = ALSRecommender(**params).fit(prep.full.matrix)
    return (
        RecBundle.from_model(eval_model, prep.train),
        RecBundle.from_model(serve_model, prep.full),
        params,
        result.trials,
    )


def _grid_point(params: dict[str, Any], grid: dict[str, Any]) -> dict[str, Any]:
    return {k: params[k] for k in grid if k in params}


def evaluate_recs(bundle: RecBundle, prep: Prepared, k: int = 10) -> dict[str, float]:
    return evaluate_bundle(bundle, prep.train_seen, prep.heldout, k, n_items=len(prep.full.items))


def popularity_bundle(prep: Prepared) -> RecBundle:
    return RecBundle.from_model(PopularityRecommender().fit(prep.train.matrix), prep.train)


def recs_gate(
    candidate: dict[str, float],
    prep: Prepared,
    registry: ModelRegistry,
    margin: float,
    metric: str = "ndcg@10",
) -> tuple[GateDecision, dict[str, Any]]:
    """Compare the candidate with production (or popularity) on the same held-out set."""
    report: dict[str, Any] = {"popularity": evaluate_recs(popularity_bundle(prep), prep)}
    prod = registry.production("recs")
    if prod is None:
        base = report["popularity"][metric]
        d = decide_promotion(metric, candidate[metric], base, margin)
        reason = d.reason.replace("production", "popularity baseline") + " (no production yet)"
        return GateDecision(d.promote, reason, metric, d.candidate, base, margin), report
    try:
        prod_bundle = RecBundle.load(registry.artifact("recs", prod))
    except (CorruptArtifact, OSError, ValueError) as exc:
        report["production_error"] = str(exc)
        base = report["popularity"][metric]
        d = decide_promotion(metric, candidate[metric], base, margin)
        return GateDecision(
            d.promote,
            f"production {prod} unreadable ({exc}); {d.reason} vs popularity",
            metric,
            d.candidate,
            base,
            margin,
        ), report
    report["production"] = {"version": prod, **evaluate_recs(prod_bundle, prep)}
    return decide_promotion(metric, candidate[metric], report["production"][metric], margin), report


def train_ranker(
    events: pl.DataFrame, random_state: int = 0
) -> tuple[FeedRanker, dict[str, Any], Window]:
    """Train on the earlier window, judge on the later one against reverse-chronological and
    popularity order (``models.feed_eval``), then refit the same kind of model on both
    windows to serve, with a snapshot of all post events. Returns the served ranker, the
    report and the test window (the gate scores production on it)."""
    train, test, split = split_windows(events)
    age_cap = cap_age(train, test)
    kind, pipe, selection = train_rankers(train.X, train.y, train.viewers, random_state)
    offline = compare(test, pipe)
    both = Window.concat(train, test)
    with single_threaded():
        serve = make_pipeline(kind, random_state).fit(both.X, both.y)
    snap = FeatureSnapshot.from_events(post_events(events))
    snap.age_cap = age_cap
    ranker = FeedRanker(serve, snap, reference=np.median(both.X, axis=0))
    report = {
        "chosen": kind,
        "selection": selection,
        "split": split,
        "rows": {"train": len(train), "test": len(test)},
        "offline": offline,
        "calibration": evaluate(pipe, test.X, test.y),
    }
    return ranker, report, test


def ranker_metrics(report: dict[str, Any]) -> dict[str, Any]:
    """The flat figures a ranker version is registered with (test window, same rows)."""
    off = report["offline"]
    rk, chrono, pop = off["ranker"], off["reverse_chronological"], off["popularity"]
    return {
        "ndcg@10": rk["ndcg@10"],
        "auc": rk["auc"],
        "chrono_ndcg@10": chrono["ndcg@10"],
        "chrono_auc": chrono["auc"],
        "popularity_ndcg@10": pop["ndcg@10"],
        "popularity_auc": pop["auc"],
        "lift_vs_chrono": relative_lift(rk["ndcg@10"], chrono["ndcg@10"]),
        "slates": rk["slates"],
        "brier": report["calibration"]["brier"],
        "model": report["chosen"],
    }


def ranker_gate(
    candidate: dict[str, Any],
    test: Window,
    registry: ModelRegistry,
    margin: float,
    metric: str = "ndcg@10",
) -> tuple[GateDecision, dict[str, Any]]:
    """nDCG@10 on the test window against the best of reverse-chronological, popularity and
    production (scored on the same rows); promote only past that by ``margin``."""
    rivals = {
        "reverse-chronological": candidate[f"chrono_{metric}"],
        "popularity": candidate[f"popularity_{metric}"],
    }
    report: dict[str, Any] = {}
    prod = registry.production("ranker")
    if prod is not None:
        try:
            prod_ranker = FeedRanker.load(registry.artifact("ranker", prod))
            with single_threaded():
                scores = prod_ranker.pipeline.predict_proba(test.X)[:, 1]
            report["production"] = {"version": prod, **ranking_metrics(test, scores)}
            rivals[f"production {prod}"] = report["production"][metric]
        except (CorruptArtifact, OSError, ValueError, KeyError) as exc:
            report["production_error"] = f"production {prod} unreadable ({exc})"
    best = max(rivals, key=lambda k: rivals[k])
    d = decide_promotion(metric, candidate[metric], rivals[best], margin)
    reason = d.reason.replace("production", best)
    if "production_error" in report:
        reason += f"; {report['production_error']}"
    return GateDecision(d.promote, reason, metric, d.candidate, rivals[best], margin), report


def snapshot_of(frame_or_events: pl.DataFrame, start: datetime | None) -> dict[str, Any]:
    """The lake range a model was trained on (partition dates and timestamps)."""
    if frame_or_events.is_empty():
        return {"events": 0}
    ts = frame_or_events["ts"]
    return {
        "events": frame_or_events.height,
        "first_ts": ts.min().isoformat(),
        "last_ts": ts.max().isoformat(),
        "window_start": start.isoformat() if start else None,
        "partitions": [ts.min().date().isoformat(), ts.max().date().isoformat()],
    }
