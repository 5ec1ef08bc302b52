"""The feed ranker: time-split offline evaluation against baselines, gbm vs logreg, serving
features and explanations."""

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from sklearn.pipeline import Pipeline

from models import simulate
from models.feed_eval import (
    Window,
    baseline_scores,
    build_window,
    ranking_metrics,
    split_windows,
)
from models.ranker import FeedRanker, TooLittleData, train_rankers
from models.ranker_features import FEATURES, Candidate, FeatureSnapshot, post_events
from models.training import ranker_metrics, train_ranker

EVENTS = simulate.to_frame(simulate.post_events(n_users=150, n_posts=200, views_per_user=30))
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _frame(rows):
    schema = {
        "ts": pl.Datetime("us", "UTC"),
        "system": pl.String,
        "type": pl.String,
        "actor": pl.String,
        "entity": pl.String,
        "attrs": pl.String,
    }
    return pl.DataFrame(
        [(T0 + timedelta(minutes=m), "social", t, a, e, x) for m, t, a, e, x in rows],
        schema=schema,
        orient="row",
    )


def test_windows_are_point_in_time_and_labels_come_from_the_window_only():
    events = _frame(
        [
            (0, "post_created", "bob", "1", '{"hashtags": ["ml"]}'),
            (1, "like", "ann", "1", "{}"),  # before the window: ann's pair is dropped
            (2, "post_created", "bob", "2", '{"hashtags": ["ml"]}'),
            (10, "impression", "ann", "1", '{"kind": "post"}'),
            (10, "impression", "ann", "2", '{"kind": "post"}'),
            (10, "impression", "cat", "2", '{"kind": "post"}'),
            (11, "like", "ann", "2", "{}"),
            (30, "like", "cat", "2", "{}"),  # after the window's end: not a label
        ]
    )
    posts = post_events(events).sort("ts")
    w = build_window(posts, T0 + timedelta(minutes=5), T0 + timedelta(minutes=20), None)
    keys = zip(w.viewers.tolist(), w.posts.tolist(), strict=True)
    pairs = dict(zip(keys, w.y.tolist(), strict=True))
    assert pairs == {("ann", "2"): 1, ("cat", "2"): 0}
    tag_aff = FEATURES.index("tag_affinity")
    row = w.viewers.tolist().index("ann")
    assert w.X[row, tag_aff] > 0  # ann's earlier like of an #ml post, seen as of the start
    assert w.popularity[w.viewers.tolist().index("cat")] == 0  # ann's like came later


def test_nDCG_of_a_perfect_order_is_one_and_baselines_score_on_the_same_rows():
    w = Window(
        np.array(["a", "a", "a", "b", "b"]),
        np.array(["1", "2", "3", "1", "2"]),
        np.zeros((5, len(FEATURES))),
        np.array([1, 0, 0, 0, 1]),
        np.array([3.0, 2.0, 1.0, 5.0, 4.0]),
        np.array([0.0, 5.0, 1.0, 0.0, 2.0]),
    )
    assert ranking_metrics(w, w.y.astype(float))["ndcg@10"] == pytest.approx(1.0)
    chrono = ranking_metrics(w, baseline_scores(w)["reverse_chronological"])
    assert chrono["slates"] == 2 and chrono["ndcg@10"] < 1.0
    assert ranking_metrics(w, -w.y.astype(float))["auc"] == pytest.approx(0.0)


def test_ranker_beats_reverse_chronological_and_popularity_on_a_later_window():
    ranker, report, test = train_ranker(EVENTS)
    m = ranker_metrics(report)
    assert len(test) > 500 and m["slates"] >= 50
    assert m["ndcg@10"] > m["chrono_ndcg@10"] and m["ndcg@10"] > m["popularity_ndcg@10"]
    assert m["auc"] > 0.6 and m["auc"] > m["chrono_auc"]
    assert report["split"]["train_from"] < report["split"]["test_from"]
    assert ranker.reference is not None and ranker.reference.shape == (len(FEATURES),)


def test_model_choice_does_not_look_at_the_test_window():
    train, test, _ = split_windows(EVENTS)
    kind, pipe, report = train_rankers(train.X, train.y, train.viewers)
    assert isinstance(pipe, Pipeline) and kind in ("gbm", "logreg")
    for name in ("gbm", "logreg"):
        assert report[name]["auc"] > 0.55 and 0 < report[name]["brier"] < 0.25
    assert report["train_rows"] + report["selection_rows"] == len(train)


def test_ranker_learns_a_viewers_hashtag_taste_from_past_engagement(tmp_path):
    ranker, _, _ = train_ranker(EVENTS)
    snap = ranker.snapshot
    viewer = max(snap.tag_engaged, key=lambda v: max(snap.tag_engaged[v].values()))
    liked = max(snap.tag_engaged[viewer], key=snap.tag_engaged[viewer].get)
    other = next(t for t in simulate.TOPICS if t not in snap.tag_engaged[viewer])
    now = snap.as_of
    cands = [
        Candidate("new1", author="someone", created_ts=now, hashtags=(liked,), n_hashtags=1),
        Candidate("new2", author="someone", created_ts=now, hashtags=(other,), n_hashtags=1),
    ]
    scores = ranker.score(viewer, cands, now)
    assert scores[0] > scores[1]
    why = ranker.explain(viewer, cands, now)
    assert why[0] and all(isinstance(label, str) for label, _ in why[0])
    ranker.save(tmp_path / "r.joblib")
    loaded = FeedRanker.load(tmp_path / "r.joblib")
    np.testing.assert_allclose(loaded.score(viewer, cands, now), scores)
    np.testing.assert_allclose(loaded.reference, ranker.reference)


def test_reposts_count_as_exposure_and_engagement_of_the_original():
    events = _frame(
        [
            (0, "post_created", "bob", "1", '{"hashtags": ["ml"]}'),
            (1, "repost", "cat", "1", '{"repost_id": 7}'),
            (2, "impression", "ann", "7", '{"kind": "post"}'),
            (3, "like", "ann", "1", "{}"),
        ]
    )
    snap = FeatureSnapshot.from_events(post_events(events))
    assert snap.resolve("7") == "1"
    assert snap.posts["1"]["views"] == 1 and snap.posts["1"]["engagements"] == 2
    assert snap.tag_engaged["ann"] == {"ml": 1} and snap.tag_seen["ann"] == {"ml": 1}


def test_follows_and_unfollows_become_the_follows_author_feature():
    events = _frame(
        [
            (0, "follow", "ann", "bob", None),
            (0, "follow", "ann", "cat", None),
            (1, "unfollow", "ann", "cat", None),
            (2, "post_created", "bob", "1", "{}"),
        ]
    )
    snap = FeatureSnapshot.from_events(post_events(events))
    col = FEATURES.index("follows_author")
    X = snap.features("ann", [Candidate("1"), Candidate("2", author="cat")])
    assert X[:, col].tolist() == [1.0, 0.0]


def test_no_post_events_is_too_little_data():
    with pytest.raises(TooLittleData, match="no post events"):
        split_windows(pl.DataFrame())
    tiny = simulate.to_frame(simulate.post_events(n_users=5, n_posts=5, views_per_user=2))
    with pytest.raises(TooLittleData):
        split_windows(tiny)


def test_lake_loader_fetches_every_event_type_the_ranker_reads():
    import inspect

    from models.interactions import TYPE_ALIASES, load_events
    from models.ranker_features import CREATE_TYPES, ENGAGE_TYPES, EXPOSE_TYPES, FOLLOW_TYPES

    fetched = set(TYPE_ALIASES) | set(
        inspect.signature(load_events).parameters["extra_types"].default
    )
    assert fetched >= CREATE_TYPES | ENGAGE_TYPES | EXPOSE_TYPES | FOLLOW_TYPES
