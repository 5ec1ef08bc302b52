"""Model assets: interactions -> candidates -> evaluation (blocking gate) -> promoted.

Two chains share the interactions: ``recs`` (implicit ALS) and ``ranker`` (the feed ranker).
Each candidate is saved as a registry version; its evaluation compares it with production on
the same held-out data; the blocking check stops promotion when it does not win by the margin
or when the data was too small to judge.
"""

import base64
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg

from assets.resources import PlatformResource
from models.interactions import load_events
from models.ranker import TooLittleData
from models.registry import CorruptArtifact, ModelRegistry
from models.training import (
    evaluate_recs,
    fit_recommender,
    prepare,
    ranker_gate,
    recs_gate,
    snapshot_of,
    train_ranker,
)

GROUP = "models"


class ModelsConfig(dg.ConfigurableResource):
    """Training knobs: lake window, promotion margins, search bounds."""

    window_days: int = 30
    recs_margin: float = 0.005
    ranker_margin: float = 0.005
    max_trials: int = 6
    time_budget_s: float = 60.0
    random_state: int = 0

    def registry(self, platform: PlatformResource) -> ModelRegistry:
        return ModelRegistry(platform.settings().models_dir)


def _md_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(none)"
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        cells = [f"{r.get(c):.4f}" if isinstance(r.get(c), float) else str(r.get(c)) for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _plot(registry: ModelRegistry, name: str, metrics: list[str]) -> dg.MetadataValue:
    """Metrics of every version of ``name`` as a line plot (markdown with an inline PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in registry.listing(name) if r.get("metrics")]
    fig, ax = plt.subplots(figsize=(6, 3))
    for m in metrics:
        ax.plot(
            [r["version"] for r in rows], [r["metrics"].get(m) for r in rows], marker="o", label=m
        )
    ax.set_title(f"{name}: held-out metrics by version")
    ax.legend()
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return dg.MetadataValue.md(
        f"![{name}](data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()})"
    )


def _production_last_ts(registry: ModelRegistry) -> str | None:
    """The newest event production was trained on; held-out data must be newer."""
    try:
        prod = registry.production("recs")
        return registry.meta("recs", prod)["snapshot"].get("last_ts") if prod else None
    except (CorruptArtifact, KeyError):
        return None


@dg.asset(group_name=GROUP, deps=[dg.AssetKey("lake_ingest")], kinds={"duckdb", "polars"})
def models_interactions(
    context: dg.AssetExecutionContext, platform: PlatformResource, models_config: ModelsConfig
) -> dict:
    """Interaction events of the last ``window_days`` and the time-split recommender data."""
    registry = models_config.registry(platform)
    start = datetime.now(UTC) - timedelta(days=models_config.window_days)
    events = load_events(platform.lake(), start=start)
    not_before = _production_last_ts(registry)
    out: dict[str, Any] = {
        "events": events,
        "prep": None,
        "error": None,
        "snapshot": snapshot_of(events, start),
    }
    try:
        out["prep"] = prepare(events, not_before=not_before)
    except TooLittleData as exc:
        out["error"] = f"too little data to train: {exc}"
        context.log.warning(out["error"])
    prep = out["prep"]
    context.add_output_metadata(
        {
            "dagster/row_count": events.height,
            "users": len(prep.full.users) if prep else 0,
            "items": len(prep.full.items) if prep else 0,
            "heldout_users": len(prep.heldout) if prep else 0,
            "snapshot": dg.MetadataValue.json(out["snapshot"]),
            "error": out["error"] or "",
        }
    )
    return out


@dg.asset(group_name=GROUP, kinds={"python", "numpy"})
def models_recs_candidate(
    context: dg.AssetExecutionContext,
    platform: PlatformResource,
    models_config: ModelsConfig,
    models_interactions: dict,
) -> dict:
    """ALS tuned by a bounded search, evaluated on held-out, saved as a registry version."""
    prep = models_interactions["prep"]
    if prep is None:
        return {"error": models_interactions["error"]}
    registry = models_config.registry(platform)
    try:
        prod = registry.production("recs")
        warm = registry.meta("recs", prod).get("params") if prod else None
    except CorruptArtifact:
        warm = None
    eval_bundle, serve_bundle, params, trials = fit_recommender(
        prep,
        max_trials=models_config.max_trials,
        time_budget_s=models_config.time_budget_s,
        random_state=models_config.random_state,
        warm_params=warm,
    )
    metrics = evaluate_recs(eval_bundle, prep)
    version = registry.save(
        "recs",
        "model.npz",
        serve_bundle.save,
        params=params,
        metrics=metrics,
        snapshot={**models_interactions["snapshot"], "heldout_from": prep.cutoff},
        extra={"trials": trials},
    )
    context.add_output_metadata(
        {
            "version": version,
            "metrics": dg.MetadataValue.json(metrics),
            "search": dg.MetadataValue.md(_md_table(trials)),
        }
    )
    return {"version": version, "metrics": metrics, "params": params, "error": None}


@dg.asset(group_name=GROUP, kinds={"python", "scikitlearn"})
def models_ranker_candidate(
    context: dg.AssetExecutionContext,
    platform: PlatformResource,
    models_config: ModelsConfig,
    models_interactions: dict,
) -> dict:
    """Feed ranker (gradient boosting vs logistic regression), saved as a registry version."""
    events = models_interactions["events"]
    try:
        ranker, report, examples = train_ranker(events, models_config.random_state)
    except TooLittleData as exc:
        context.log.warning(str(exc))
        return {"error": f"too little data to train the ranker: {exc}"}
    chosen = report[report["chosen"]]
    metrics = {"auc": chosen["auc"], "brier": chosen["brier"], "model": report["chosen"]}
    version = models_config.registry(platform).save(
        "ranker",
        "model.joblib",
        ranker.save,
        params={"model": report["chosen"]},
        metrics=metrics,
        snapshot=models_interactions["snapshot"],
        extra={"report": report},
    )
    rows = [
        {"model": k, "auc": report[k]["auc"], "brier": report[k]["brier"]}
        for k in ("gbm", "logreg")
    ]
    context.add_output_metadata(
        {
            "version": version,
            "comparison": dg.MetadataValue.md(_md_table(rows)),
            "reliability": dg.MetadataValue.md(_md_table(chosen["reliability"])),
        }
    )
    return {"version": version, "metrics": metrics, "examples": examples, "error": None}


def _gate_result(evaluation: dict) -> dg.AssetCheckResult:
    """The blocking gate: the evaluation's verdict, with its reason for people to read."""
    reason = evaluation["reason"]
    return dg.AssetCheckResult(
        passed=bool(evaluation["promote"]), description=reason, metadata={"reason": reason}
    )


def _promote(registry: ModelRegistry, name: str, evaluation: dict) -> dg.MaterializeResult:
    stages = registry.promote(name, evaluation["version"], evaluation["reason"])
    return dg.MaterializeResult(
        metadata={"production": stages["production"], "previous": str(stages["previous"])}
    )


def _decision_dict(d) -> dict:
    return {
        "promote": d.promote,
        "reason": d.reason,
        "metric": d.metric,
        "candidate": d.candidate,
        "production": d.production,
        "margin": d.margin,
    }


@dg.asset(group_name=GROUP, kinds={"python"})
def models_recs_evaluation(
    platform: PlatformResource,
    models_config: ModelsConfig,
    models_interactions: dict,
    models_recs_candidate: dict,
) -> dg.Output:
    """Candidate vs production (or popularity) on the same held-out interactions."""
    if models_recs_candidate.get("error"):
        value = {"promote": False, "reason": models_recs_candidate["error"]}
        return dg.Output(value, metadata={"reason": value["reason"]})
    registry = models_config.registry(platform)
    decision, report = recs_gate(
        models_recs_candidate["metrics"],
        models_interactions["prep"],
        registry,
        models_config.recs_margin,
    )
    value = {**_decision_dict(decision), "version": models_recs_candidate["version"]}
    rows = [{"model": f"candidate {value['version']}", **models_recs_candidate["metrics"]}]
    rows += [{"model": "popularity", **report["popularity"]}]
    if "production" in report:
        prod = dict(report["production"])
        rows.append({"model": f"production {prod.pop('version')}", **prod})
    registry.update_meta("recs", value["version"], gate=value, baselines=report)
    return dg.Output(
        value,
        metadata={
            "reason": decision.reason,
            "metrics": dg.MetadataValue.md(_md_table(rows)),
            "history": _plot(registry, "recs", ["ndcg@10", "precision@10", "map@10"]),
        },
    )


@dg.asset_check(asset=models_recs_evaluation, blocking=True)
def models_recs_promotion_gate(models_recs_evaluation: dict) -> dg.AssetCheckResult:
    """Promote only a candidate that beats production on the same held-out data by the margin."""
    return _gate_result(models_recs_evaluation)


@dg.asset(group_name=GROUP, kinds={"python"})
def models_recs_promoted(
    platform: PlatformResource, models_config: ModelsConfig, models_recs_evaluation: dict
) -> dg.MaterializeResult:
    """The production pointer moves to the candidate (runs only when the gate passed)."""
    return _promote(models_config.registry(platform), "recs", models_recs_evaluation)


@dg.asset(group_name=GROUP, kinds={"python"})
def models_ranker_evaluation(
    platform: PlatformResource, models_config: ModelsConfig, models_ranker_candidate: dict
) -> dg.Output:
    """Candidate ranker vs production on the candidate's held-out viewers (AUC, Brier)."""
    if models_ranker_candidate.get("error"):
        value = {"promote": False, "reason": models_ranker_candidate["error"]}
        return dg.Output(value, metadata={"reason": value["reason"]})
    registry = models_config.registry(platform)
    cand = models_ranker_candidate
    decision, report = ranker_gate(
        cand["metrics"]["auc"],
        cand["examples"],
        registry,
        models_config.ranker_margin,
        models_config.random_state,
    )
    value = {**_decision_dict(decision), "version": cand["version"]}
    rows = [
        {
            "model": f"candidate {cand['version']}",
            "auc": cand["metrics"]["auc"],
            "brier": cand["metrics"]["brier"],
        }
    ]
    if "production" in report:
        p = report["production"]
        rows.append({"model": f"production {p['version']}", "auc": p["auc"], "brier": p["brier"]})
    registry.update_meta("ranker", cand["version"], gate=value)
    return dg.Output(
        value,
        metadata={
            "reason": decision.reason,
            "metrics": dg.MetadataValue.md(_md_table(rows)),
            "history": _plot(registry, "ranker", ["auc", "brier"]),
        },
    )


@dg.asset_check(asset=models_ranker_evaluation, blocking=True)
def models_ranker_promotion_gate(models_ranker_evaluation: dict) -> dg.AssetCheckResult:
    """Promote only a ranker that beats production's AUC on the same held-out viewers."""
    return _gate_result(models_ranker_evaluation)


@dg.asset(group_name=GROUP, kinds={"python"})
def models_ranker_promoted(
    platform: PlatformResource, models_config: ModelsConfig, models_ranker_evaluation: dict
) -> dg.MaterializeResult:
    """The ranker's production pointer moves to the candidate (only when the gate passed)."""
    return _promote(models_config.registry(platform), "ranker", models_ranker_evaluation)


ASSETS = [
    models_interactions,
    models_recs_candidate,
    models_ranker_candidate,
    models_recs_evaluation,
    models_recs_promoted,
    models_ranker_evaluation,
    models_ranker_promoted,
]
CHECKS = [models_recs_promotion_gate, models_ranker_promotion_gate]

defs = dg.Definitions(
    assets=ASSETS, asset_checks=CHECKS, resources={"models_config": ModelsConfig()}
)
