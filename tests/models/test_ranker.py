"""The feed ranker: point-in-time examples, gbm vs logreg, calibration, serving features."""

import numpy as np
import polars as pl
import pytest
from sklearn.pipeline import Pipeline

from models import simulate
from models.ranker import FeedRanker, TooLittleData, build_examples, train_rankers
from models.ranker_features import FEATURES, Candidate, FeatureSnapshot, post_events

EVENTS = simulate.to_frame(simulate.post_events(n_users=60, n_posts=120, views_per_user=25))


def test_examples_have_positives_and_sampled_negatives():
    ex = build_examples(EVENTS, negatives=3)
    assert ex.X.shape[1] == len(FEATURES)
    assert ex.y.sum() > 20 and (ex.y == 0).sum() == pytest.approx(3 * ex.y.sum(), rel=0.2)


def test_both_models_are_pipelines_and_beat_chance_with_calibration_report():
    kind, pipe, report = train_rankers(build_examples(EVENTS))
    assert isinstance(pipe, Pipeline) and kind in ("gbm", "logreg")
    for name in ("gbm", "logreg"):
        assert report[name]["auc"] > 0.65
        assert 0 < report[name]["brier"] < 0.25
        table = report[name]["reliability"]
        assert table and all(0 <= r["predicted"] <= 1 and 0 <= r["observed"] <= 1 for r in table)


def test_ranker_scores_affinity_author_higher_and_round_trips(tmp_path):
    _, pipe, _ = train_rankers(build_examples(EVENTS))
    ranker = FeedRanker(pipe, FeatureSnapshot.from_events(post_events(EVENTS)))
    viewer = max(ranker.snapshot.affinity, key=lambda v: ranker.snapshot.viewer_total[v])
    fav = max(ranker.snapshot.affinity[viewer], key=ranker.snapshot.affinity[viewer].get)
    cands = [
        Candidate("new1", author=fav, created_ts=ranker.snapshot.as_of, has_media=True),
        Candidate(
            "new2", author="stranger", created_ts=ranker.snapshot.as_of - 86400 * 3, has_media=False
        ),
    ]
    scores = ranker.score(viewer, cands)
    assert scores[0] > scores[1]
    ranker.save(tmp_path / "r.joblib")
    np.testing.assert_allclose(FeedRanker.load(tmp_path / "r.joblib").score(viewer, cands), scores)


def test_no_post_events_is_too_little_data():
    with pytest.raises(TooLittleData, match="no post events"):
        build_examples(pl.DataFrame())
    tiny = simulate.to_frame(simulate.post_events(n_users=5, n_posts=5, views_per_user=2))
    with pytest.raises(TooLittleData):
        build_examples(tiny)


def test_lake_loader_fetches_every_event_type_the_ranker_reads():
    import inspect

    from models.interactions import TYPE_ALIASES, load_events
    from models.ranker_features import CREATE_TYPES, ENGAGE_TYPES, EXPOSE_TYPES

    fetched = set(TYPE_ALIASES) | set(
        inspect.signature(load_events).parameters["extra_types"].default
    )
    assert fetched >= CREATE_TYPES | ENGAGE_TYPES | EXPOSE_TYPES
