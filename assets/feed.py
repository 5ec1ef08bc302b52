"""News feed model assets: interactions -> candidates -> evaluation (blocking gate) -> promoted.

Two chains share the interactions: ``recs`` (implicit ALS, the feed's out-of-network
candidates and ``GET /recommendations``) and ``ranker`` (the feed ranker). Each candidate is
saved as a registry version; its evaluation compares it with production on the same held-out
data, and the evaluation's blocking check (``feed_recs_promotion_gate``,
``feed_ranker_promotion_gate``) stops promotion when it does not win by the margin or when the
data was too small to judge. The feed service hot-swaps whatever the registry promotes.

Automation: training runs nightly (``on_cron`` on ``feed_interactions``), not eagerly after
each ``lake_ingest``: ingest lands every minute, a training pass costs minutes of CPU, and a
few minutes of new events would mostly make the gate refuse for too little new data. Every
later step is ``eager``: it follows its parent as soon as the parent updates; the promotions
also wait for their evaluation's blocking check to pass, so a later tick cannot promote a
candidate the gate refused.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg

from assets.metadata import md_table, plot_md
from assets.resources import PlatformResource
from models.interactions import load_events
from models.ranker import TooLittleData
from models.registry import CorruptArtifact, ModelRegistry
from models.training import (
    CandidateResult,
    Evaluation,
    NotTrained,
    Prepared,
    RankerCandidate,
    RecsCandidate,
    TrainingData,
    evaluate_recs,
    fit_recommender,
    prepare,
    ranker_gate,
    ranker_metrics,
    recs_gate,
    snapshot_of,
    train_ranker,
)

GROUP = "feed"
NIGHTLY = "30 3 * * *"
RECS_GATE = "feed_recs_promotion_gate"
RANKER_GATE = "feed_ranker_promotion_gate"
FOLLOW = dg.AutomationCondition.eager()
PROMOTE_WHEN_GATE_PASSED = (
    dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()
)
EVALUATION = dg.PythonObjectDagsterType(Evaluation, name="FeedEvaluation")


class FeedTrainingConfig(dg.ConfigurableResource):
    """Training knobs: lake window, promotion margins, search bounds."""

    window_days: int = 30
    recs_margin: float = 0.005
    ranker_margin: float = 0.005
    max_trials: int = 6
    time_budget_s: float = 60.0
    random_state: int = 0

    def registry(self, platform: PlatformResource) -> ModelRegistry:
        """The registry the feed service serves from (``<data_dir>/models``)."""
        return ModelRegistry(platform.settings().models_dir)


def _gate_check(evaluation: Evaluation, name: str) -> dg.AssetCheckResult:
    """The promotion gate: the evaluation's verdict, with its reason for people to read."""
    return dg.AssetCheckResult(
        check_name=name,
        passed=evaluation.promote,
        description=evaluation.reason,
        metadata={"reason": evaluation.reason, "version": str(evaluation.version)},
    )


def _production_last_ts(registry: ModelRegistry) -> str | None:
    """The newest event production was trained on; held-out data must be newer."""
    try:
        prod = registry.production("recs")
        return registry.meta("recs", prod)["snapshot"].get("last_ts") if prod else None
    except (CorruptArtifact, KeyError):
        return None


def _history(registry: ModelRegistry, name: str, metrics: list[str]) -> dg.MetadataValue:
    """Held-out metrics of every version of ``name`` as a line plot."""
    rows = [r for r in registry.listing(name) if r.get("metrics")]

    def draw(_fig: Any, ax: Any) -> None:
        versions = [r["version"] for r in rows]
        for m in metrics:
            ax.plot(versions, [r["metrics"].get(m) for r in rows], marker="o", label=m)
        ax.set_title(f"{name}: held-out metrics by version")
        ax.legend()

    return plot_md(draw, alt=name)


# -- assets -------------------------------------------------------------------------------------
@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"duckdb", "polars"},
    automation_condition=dg.AutomationCondition.on_cron(NIGHTLY),
)
def feed_interactions(
    context: dg.AssetExecutionContext, platform: PlatformResource, feed_training: FeedTrainingConfig
) -> TrainingData:
    """Interaction events of the last ``window_days`` and the time-split recommender data.

    Nightly (see the module docstring): the whole chain below follows it.
    """
    registry = feed_training.registry(platform)
    start = datetime.now(UTC) - timedelta(days=feed_training.window_days)
    events = load_events(platform.lake(), start=start)
    try:
        recs: Prepared | NotTrained = prepare(events, not_before=_production_last_ts(registry))
    except TooLittleData as exc:
        recs = NotTrained(f"too little data to train: {exc}")
        context.log.warning(recs.reason)
    data = TrainingData(events, snapshot_of(events, start), recs)
    prep = recs if isinstance(recs, Prepared) else None
    context.add_output_metadata(
        {
            "dagster/row_count": events.height,
            "users": len(prep.full.users) if prep else 0,
            "items": len(prep.full.items) if prep else 0,
            "heldout_users": len(prep.heldout) if prep else 0,
            "snapshot": dg.MetadataValue.json(data.snapshot),
            "not_trained": recs.reason if isinstance(recs, NotTrained) else "",
        }
    )
    return data


@dg.asset(group_name=GROUP, kinds={"python", "numpy"}, automation_condition=FOLLOW)
def feed_recs_candidate(
    context: dg.AssetExecutionContext,
    platform: PlatformResource,
    feed_training: FeedTrainingConfig,
    feed_interactions: TrainingData,
) -> CandidateResult:
    """ALS tuned by a bounded search, evaluated on held-out, saved as a registry version."""
    prep = feed_interactions.recs
    if isinstance(prep, NotTrained):
        return prep
    registry = feed_training.registry(platform)
    try:
        prod = registry.production("recs")
        warm = registry.meta("recs", prod).get("params") if prod else None
    except CorruptArtifact:
        warm = None
    eval_bundle, serve_bundle, params, trials = fit_recommender(
        prep,
        max_trials=feed_training.max_trials,
        time_budget_s=feed_training.time_budget_s,
        random_state=feed_training.random_state,
        warm_params=warm,
    )
    metrics = evaluate_recs(eval_bundle, prep)
    version = registry.save(
        "recs",
        "model.npz",
        serve_bundle.save,
        params=params,
        metrics=metrics,
        snapshot={**feed_interactions.snapshot, "heldout_from": prep.cutoff},
        extra={"trials": trials},
    )
    context.add_output_metadata(
        {
            "version": version,
            "metrics": dg.MetadataValue.json(metrics),
            "search": md_table(trials, limit=len(trials)),
        }
    )
    return RecsCandidate(version, metrics, params)


def _offline_rows(offline: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    return [
        {"order": name, "ndcg@10": m["ndcg@10"], "auc": m["auc"], "slates": int(m["slates"])}
        for name, m in offline.items()
    ]


@dg.asset(group_name=GROUP, kinds={"python", "scikitlearn"}, automation_condition=FOLLOW)
def feed_ranker_candidate(
    context: dg.AssetExecutionContext,
    platform: PlatformResource,
    feed_training: FeedTrainingConfig,
    feed_interactions: TrainingData,
) -> CandidateResult:
    """Feed ranker trained on the lake's exposures and engagements, judged offline on a later
    time window against reverse-chronological and popularity order (same rows, same run),
    and saved as a registry version."""
    try:
        ranker, report, test = train_ranker(feed_interactions.events, feed_training.random_state)
    except TooLittleData as exc:
        context.log.warning(str(exc))
        return NotTrained(f"too little data to train the ranker: {exc}")
    metrics = ranker_metrics(report)
    version = feed_training.registry(platform).save(
        "ranker",
        "model.joblib",
        ranker.save,
        params={"model": report["chosen"]},
        metrics=metrics,
        snapshot=feed_interactions.snapshot,
        extra={"report": report},
    )
    selection = [
        {"model": k, "auc": report["selection"][k]["auc"], "brier": report["selection"][k]["brier"]}
        for k in ("gbm", "logreg")
    ]
    reliability = report["calibration"]["reliability"]
    context.add_output_metadata(
        {
            "version": version,
            "ndcg@10": metrics["ndcg@10"],
            "auc": metrics["auc"],
            "chrono_ndcg@10": metrics["chrono_ndcg@10"],
            "popularity_ndcg@10": metrics["popularity_ndcg@10"],
            "lift_vs_chrono": metrics["lift_vs_chrono"],
            "offline_evaluation": md_table(_offline_rows(report["offline"])),
            "split": dg.MetadataValue.json({**report["split"], **report["rows"]}),
            "model_selection": md_table(selection),
            "reliability": md_table(reliability, limit=len(reliability)),
        }
    )
    return RankerCandidate(version, metrics, test)


def _refused(model: str, candidate: NotTrained, gate: str) -> dg.MaterializeResult:
    evaluation = Evaluation(model, None, False, candidate.reason)
    return dg.MaterializeResult(
        value=evaluation,
        metadata={"reason": evaluation.reason},
        check_results=[_gate_check(evaluation, gate)],
    )


@dg.asset(
    group_name=GROUP,
    kinds={"python"},
    automation_condition=FOLLOW,
    check_specs=[dg.AssetCheckSpec(RECS_GATE, asset="feed_recs_evaluation", blocking=True)],
    dagster_type=EVALUATION,
)
def feed_recs_evaluation(
    platform: PlatformResource,
    feed_training: FeedTrainingConfig,
    feed_interactions: TrainingData,
    feed_recs_candidate: CandidateResult,
) -> dg.MaterializeResult:
    """Candidate vs production (or popularity) on the same held-out interactions.

    Its blocking check, the promotion gate, passes only for a candidate that beats production
    on that data by the margin.
    """
    cand, prep = feed_recs_candidate, feed_interactions.recs
    if isinstance(cand, NotTrained):
        return _refused("recs", cand, RECS_GATE)
    if not isinstance(cand, RecsCandidate) or not isinstance(prep, Prepared):
        raise TypeError(f"feed_recs_evaluation cannot judge {type(cand).__name__}")
    registry = feed_training.registry(platform)
    decision, report = recs_gate(cand.metrics, prep, registry, feed_training.recs_margin)
    evaluation = Evaluation("recs", cand.version, decision.promote, decision.reason, decision)
    rows = [{"model": f"candidate {cand.version}", **cand.metrics}]
    rows += [{"model": "popularity", **report["popularity"]}]
    if "production" in report:
        prod = dict(report["production"])
        rows.append({"model": f"production {prod.pop('version')}", **prod})
    registry.update_meta("recs", cand.version, gate=evaluation.gate_meta(), baselines=report)
    return dg.MaterializeResult(
        value=evaluation,
        metadata={
            "reason": decision.reason,
            "metrics": md_table(rows),
            "history": _history(registry, "recs", ["ndcg@10", "precision@10", "map@10"]),
        },
        check_results=[_gate_check(evaluation, RECS_GATE)],
    )


@dg.asset(
    group_name=GROUP,
    kinds={"python"},
    automation_condition=FOLLOW,
    check_specs=[dg.AssetCheckSpec(RANKER_GATE, asset="feed_ranker_evaluation", blocking=True)],
    dagster_type=EVALUATION,
)
def feed_ranker_evaluation(
    platform: PlatformResource,
    feed_training: FeedTrainingConfig,
    feed_ranker_candidate: CandidateResult,
) -> dg.MaterializeResult:
    """Candidate ranker vs reverse-chronological, popularity and production on the test window.

    Its blocking check, the promotion gate, passes only for a ranker whose nDCG@10 on the
    lake's later exposures beats the best of those orders, scored on the same rows, by the
    margin.
    """
    cand = feed_ranker_candidate
    if isinstance(cand, NotTrained):
        return _refused("ranker", cand, RANKER_GATE)
    if not isinstance(cand, RankerCandidate):
        raise TypeError(f"feed_ranker_evaluation cannot judge {type(cand).__name__}")
    registry = feed_training.registry(platform)
    decision, report = ranker_gate(cand.metrics, cand.test, registry, feed_training.ranker_margin)
    evaluation = Evaluation("ranker", cand.version, decision.promote, decision.reason, decision)
    m = cand.metrics
    rows = [
        {"order": f"candidate {cand.version}", "ndcg@10": m["ndcg@10"], "auc": m["auc"]},
        {"order": "reverse-chronological", "ndcg@10": m["chrono_ndcg@10"], "auc": m["chrono_auc"]},
        {"order": "popularity", "ndcg@10": m["popularity_ndcg@10"], "auc": m["popularity_auc"]},
    ]
    if "production" in report:
        p = report["production"]
        rows.append(
            {"order": f"production {p['version']}", "ndcg@10": p["ndcg@10"], "auc": p["auc"]}
        )
    registry.update_meta("ranker", cand.version, gate=evaluation.gate_meta(), baselines=report)
    return dg.MaterializeResult(
        value=evaluation,
        metadata={
            "reason": decision.reason,
            "metrics": md_table(rows),
            "ndcg@10": m["ndcg@10"],
            "chrono_ndcg@10": m["chrono_ndcg@10"],
            "popularity_ndcg@10": m["popularity_ndcg@10"],
            "lift_vs_chrono": m["lift_vs_chrono"],
            "history": _history(
                registry, "ranker", ["ndcg@10", "chrono_ndcg@10", "popularity_ndcg@10", "auc"]
            ),
        },
        check_results=[_gate_check(evaluation, RANKER_GATE)],
    )


def _promote(registry: ModelRegistry, evaluation: Evaluation) -> dg.MaterializeResult:
    if not evaluation.promote or evaluation.version is None:
        # Only reachable when the gate was bypassed (materialised without its check).
        raise dg.Failure(f"{evaluation.model} gate refused promotion: {evaluation.reason}")
    stages = registry.promote(evaluation.model, evaluation.version, evaluation.reason)
    return dg.MaterializeResult(
        metadata={"production": stages["production"], "previous": str(stages["previous"])}
    )


@dg.asset(group_name=GROUP, kinds={"python"}, automation_condition=PROMOTE_WHEN_GATE_PASSED)
def feed_recs_promoted(
    platform: PlatformResource, feed_training: FeedTrainingConfig, feed_recs_evaluation: Evaluation
) -> dg.MaterializeResult:
    """The production pointer moves to the candidate (runs only when the gate passed)."""
    return _promote(feed_training.registry(platform), feed_recs_evaluation)


@dg.asset(group_name=GROUP, kinds={"python"}, automation_condition=PROMOTE_WHEN_GATE_PASSED)
def feed_ranker_promoted(
    platform: PlatformResource,
    feed_training: FeedTrainingConfig,
    feed_ranker_evaluation: Evaluation,
) -> dg.MaterializeResult:
    """The ranker's production pointer moves to the candidate (only when the gate passed)."""
    return _promote(feed_training.registry(platform), feed_ranker_evaluation)


ASSETS = [
    feed_interactions,
    feed_recs_candidate,
    feed_ranker_candidate,
    feed_recs_evaluation,
    feed_recs_promoted,
    feed_ranker_evaluation,
    feed_ranker_promoted,
]

defs = dg.Definitions(assets=ASSETS, resources={"feed_training": FeedTrainingConfig()})
