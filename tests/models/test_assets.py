"""The feed's model chain end to end on a small lake: gate, promotion, refusal, tiny data."""

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from assets.feed import ASSETS, FeedTrainingConfig
from assets.resources import PlatformResource
from models.registry import ModelRegistry
from models.simulate import item_events, post_events
from models.training import Evaluation, NotTrained
from warehouse.events import Event
from warehouse.ingest import ingest_spool


def _fill_lake(settings, emitter, seed: int, start: datetime, n_users: int = 80) -> None:
    sims = item_events(
        n_users=n_users,
        n_items={"video": 60, "product": 40},
        per_user=20,
        seed=seed,
        start=start,
        span=timedelta(hours=1),
    )
    sims += post_events(
        n_users=n_users,
        n_posts=120,
        views_per_user=25,
        seed=seed + 1,
        start=start,
        span=timedelta(hours=1),
    )
    emitter.emit_events(
        [
            Event(
                e.system,
                e.type,
                actor=e.user,
                entity=e.entity,
                attrs={"kind": e.kind, **e.attrs},
                ts=e.ts,
            )
            for e in sims
        ]
    )
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)


def _run(settings, margin: float = 0.005) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        ASSETS,
        resources={
            "platform": PlatformResource(data_dir=str(settings.data_dir)),
            "feed_training": FeedTrainingConfig(
                max_trials=2, recs_margin=margin, ranker_margin=margin
            ),
        },
        raise_on_error=False,
    )


def _checks(result) -> dict[str, tuple[bool, str]]:
    return {
        e.check_name: (e.passed, e.description or "") for e in result.get_asset_check_evaluations()
    }


@pytest.mark.slow
def test_first_training_is_gated_against_popularity_and_promoted(settings, emitter):
    _fill_lake(settings, emitter, seed=0, start=datetime.now(UTC) - timedelta(hours=3))
    result = _run(settings)
    checks = _checks(result)
    assert checks["feed_recs_promotion_gate"][0], checks
    assert "popularity baseline" in checks["feed_recs_promotion_gate"][1]
    assert checks["feed_ranker_promotion_gate"][0], checks
    reg = ModelRegistry(settings.models_dir)
    assert reg.production("recs") == "v0001" and reg.production("ranker") == "v0001"
    meta = reg.meta("recs", "v0001")
    assert meta["snapshot"]["partitions"] and meta["metrics"]["ndcg@10"] > 0
    assert meta["gate"]["promote"] is True
    ev = result.asset_materializations_for_node("feed_recs_evaluation")[0]
    assert "candidate v0001" in ev.metadata["metrics"].value
    assert "data:image/png;base64" in ev.metadata["history"].value

    # Retraining with no new events since production: nothing to judge on, nothing promoted.
    result = _run(settings)
    passed, why = _checks(result)["feed_recs_promotion_gate"]
    assert not passed and "too little data" in why
    assert reg.production("recs") == "v0001"


@pytest.mark.slow
def test_candidate_not_beating_production_by_margin_is_not_promoted(settings, emitter):
    _fill_lake(settings, emitter, seed=0, start=datetime.now(UTC) - timedelta(hours=4))
    assert _checks(_run(settings))["feed_recs_promotion_gate"][0]
    _fill_lake(settings, emitter, seed=5, start=datetime.now(UTC) - timedelta(hours=2))
    result = _run(settings, margin=0.9)  # an unreachable margin
    passed, why = _checks(result)["feed_recs_promotion_gate"]
    assert not passed and "does not beat production" in why
    reg = ModelRegistry(settings.models_dir)
    assert reg.production("recs") == "v0001" and "v0002" in reg.versions("recs")
    assert not result.success  # the blocking check stopped the promotion step


def test_empty_lake_fails_gate_with_clear_message_and_promotes_nothing(settings):
    result = _run(settings)
    checks = _checks(result)
    assert not checks["feed_recs_promotion_gate"][0]
    assert "too little data" in checks["feed_recs_promotion_gate"][1]
    assert "no post events" in checks["feed_ranker_promotion_gate"][1]
    reg = ModelRegistry(settings.models_dir)
    assert reg.production("recs") is None and reg.versions("recs") == []
    assert isinstance(result.output_for_node("feed_recs_candidate"), NotTrained)
    evaluation = result.output_for_node("feed_recs_evaluation")
    assert isinstance(evaluation, Evaluation) and not evaluation.promote
    assert evaluation.version is None and "too little data" in evaluation.reason


def test_tiny_partition_fails_gate_and_promotes_nothing(settings, emitter):
    _fill_lake(settings, emitter, seed=0, start=datetime.now(UTC) - timedelta(hours=1), n_users=3)
    result = _run(settings)
    passed, why = _checks(result)["feed_recs_promotion_gate"]
    assert not passed and "too little data" in why
    assert ModelRegistry(settings.models_dir).production("recs") is None


def test_training_runs_nightly_and_the_chain_follows_only_past_a_passed_gate():
    conditions = {a.key.to_user_string(): a.automation_conditions_by_key[a.key] for a in ASSETS}
    assert all(c is not None for c in conditions.values()), conditions
    assert "on_cron(30 3 * * *" in conditions["feed_interactions"].get_label()
    for key in ("feed_recs_candidate", "feed_ranker_evaluation"):
        assert conditions[key].get_label() == "eager"
    for key in ("feed_recs_promoted", "feed_ranker_promoted"):
        labels = [c.get_label() for c in conditions[key].children]
        assert labels == ["eager", "all_deps_blocking_checks_passed"], labels
