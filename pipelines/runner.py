"""The main job behind ``make run``: simulate traffic, materialise every asset, summarise.

Assets are materialised in topological stages: consecutive assets that share a partitions
definition run together, once per partition key that has work (today's time window, every
dynamic partition not yet materialised, every static key).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.instance import get_instance
from warehouse.settings import Settings, get_settings


@dataclass
class StageResult:
    """One stage's outcome. ``gated`` means a blocking check stopped it on purpose (a model
    that did not beat production, say): a decision, not an error."""

    keys: list[str]
    partition: str | None
    success: bool
    failed_checks: list[str] = field(default_factory=list)
    error: str | None = None
    gated: bool = False


def _root_message(error: Any) -> str:
    """The first line of the innermost cause: what went wrong, not where Dagster caught it."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    lines = (error.message or "").strip().splitlines()
    return lines[0] if lines else error.cls_name


def run_log_path(settings: Settings) -> Path:
    """A new log file for one run of the main job, under the data directory."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return settings.data_dir.resolve() / "runs" / f"run-{stamp}.log"


@contextlib.contextmanager
def output_to_log(path: Path) -> Iterator[Path]:
    """Send everything but the runner's own progress lines to ``path``.

    The console should read as progress and a summary. Scrapy's deliberate error lines,
    ffmpeg's chatter and Dagster's warnings belong in a file the user can open when a stage
    fails. Two routes lead there: Python ``logging`` (a handler on the root logger, with
    ``warnings`` captured into it), and the process's stderr, file descriptor 2, which child
    processes inherit and which ``sys.stderr`` writes to. Standard output, where the runner
    prints, is left alone. Everything is restored on exit, also on error.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(name)s] %(message)s"))
    log_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    root.addHandler(handler)
    logging.captureWarnings(True)
    os.dup2(log_fd, 2)
    try:
        yield path
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(log_fd)
        logging.captureWarnings(False)
        root.removeHandler(handler)
        handler.close()


def _partition_keys(pdef: Any, instance: dg.DagsterInstance, keys: list[dg.AssetKey]) -> list[str]:
    if isinstance(pdef, dg.DynamicPartitionsDefinition):
        # One partition per video or crawl: run the ones this stage has not materialised yet,
        # so a second `make run` does not redo every earlier upload.
        done = set.intersection(*(set(instance.get_materialized_partitions(k)) for k in keys))
        return [k for k in instance.get_dynamic_partitions(pdef.name) if k not in done]
    if isinstance(pdef, dg.TimeWindowPartitionsDefinition):
        last = pdef.get_last_partition_key()
        return [last] if last else []
    return list(pdef.get_partition_keys(dynamic_partitions_store=instance))


def _stage_jobs(
    defs: dg.Definitions, stages: list[tuple[str, list[dg.AssetKey]]]
) -> list[dg.JobDefinition]:
    """One named asset job per stage (``main_<group>``, numbered when a group has several
    stages), so each stage is one run under its own name in the Dagster UI."""
    names: list[str] = []
    for group, _keys in stages:
        count = sum(1 for g, _ in stages[: len(names)] if g == group)
        names.append(f"main_{group}" + (f"_{count + 1}" if count else ""))
    jobs = [
        dg.define_asset_job(name, selection=keys)
        for name, (_group, keys) in zip(names, stages, strict=True)
    ]
    staged = dg.Definitions.merge(defs, dg.Definitions(jobs=jobs))
    return [staged.resolve_job_def(n) for n in names]


def _descendants(graph: Any, roots: set[dg.AssetKey]) -> set[dg.AssetKey]:
    """Every asset downstream of ``roots`` (not the roots themselves)."""
    found: set[dg.AssetKey] = set()
    todo = list(roots)
    while todo:
        for child in graph.get(todo.pop()).child_keys:
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def materialize_all(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    log=print,
    run_id: str | None = None,
) -> list[StageResult]:
    """Materialise every asset, stage by stage: one named job run per stage and partition,
    each tagged ``blueprint/run`` with ``run_id`` (default: the time it started). Assets
    downstream of a blocking check that failed in an earlier stage are not run: the gate's
    decision holds across stages as it does within one run."""
    graph = defs.resolve_asset_graph()
    stages: list[tuple[Any, str, list[dg.AssetKey]]] = []
    for key in graph.toposorted_asset_keys:
        node = graph.get(key)
        if not node.is_materializable:
            continue
        pdef, group = node.partitions_def, node.group_name or "default"
        if stages and stages[-1][:2] == (pdef, group):
            stages[-1][2].append(key)
        else:
            stages.append((pdef, group, [key]))
    jobs = _stage_jobs(defs, [(group, keys) for _pdef, group, keys in stages])
    run_tag = run_id or time.strftime("%Y%m%dT%H%M%S")
    results: list[StageResult] = []
    blocked: set[dg.AssetKey] = set()  # downstream of a blocking check that failed
    for (pdef, _group, all_keys), job in zip(stages, jobs, strict=True):
        keys = [k for k in all_keys if k not in blocked]
        if not keys:  # everything here waits on a gate that refused: a decision
            names = [k.to_user_string() for k in all_keys]
            log(f"  skipping {', '.join(names)}: upstream blocking check failed")
            results.append(StageResult(names, None, False, [], "blocked upstream", gated=True))
            continue
        names = [k.to_user_string() for k in keys]
        partitions = [None] if pdef is None else _partition_keys(pdef, instance, keys)
        for partition in partitions:
            label = f"{', '.join(names)}" + (f" [{partition}]" if partition else "")
            log(f"  materialising {label} (job {job.name})")
            started = time.perf_counter()
            result = job.execute_in_process(
                instance=instance,
                partition_key=partition,
                asset_selection=keys if len(keys) < len(all_keys) else None,
                raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
                tags={"blueprint/main_job": "true", "blueprint/run": run_tag},
            )
            failing = [e for e in result.get_asset_check_evaluations() if not e.passed]
            failed = [f"{e.asset_key.to_user_string()}:{e.check_name}" for e in failing]
            error = None
            gated = False
            if not result.success:
                errors = [
                    ev.step_failure_data.error
                    for ev in result.all_events
                    if ev.is_step_failure and ev.step_failure_data and ev.step_failure_data.error
                ]
                gated = bool(errors) and all(
                    e.cls_name == "DagsterAssetCheckFailedError" for e in errors
                )
                messages = [_root_message(e) for e in errors]
                error = "; ".join(messages) or "run failed"
            results.append(StageResult(names, partition, result.success, failed, error, gated))
            if gated:
                blocked |= _descendants(graph, {e.asset_key for e in failing})
            if result.success:
                status = "ok"
            elif gated:
                reasons = [f"{e.check_name}: {e.description}" for e in failing if e.description]
                status = f"stopped by a blocking check ({'; '.join(reasons or failed)})"
            else:
                status = f"FAILED: {error}"
            log(f"    {status} ({time.perf_counter() - started:.1f}s)")
    return results


def run_main_job(settings: Settings | None = None, *, seed: int = 7, scale: float = 1.0) -> int:
    """Simulate, materialise and summarise. Returns a process exit code.

    The console gets progress and the summary; everything else goes to a log file under
    the data directory, named at the start and again at the end.
    """
    settings = settings or get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = run_log_path(settings)
    print(f"data directory: {settings.data_dir.resolve()}")
    print(f"log of this run: {log_path}")
    with output_to_log(log_path):
        ok = _simulate_materialise_summarise(settings, seed=seed, scale=scale, run_id=log_path.stem)
    print("Where to look:")
    print("  Dagster UI:   make ui   (then http://127.0.0.1:3000; this run's history is there)")
    print("  API docs:     make serve, then http://127.0.0.1:8000/docs")
    print(
        '  DuckDB SQL:   .venv/bin/blueprint sql "SELECT system, type, count(*) FROM events '
        'GROUP BY ALL ORDER BY 3 DESC"'
    )
    print(f"  This run's log (warnings, errors, child processes): {log_path}")
    return 0 if ok else 1


def _simulate_materialise_summarise(
    settings: Settings, *, seed: int, scale: float, run_id: str | None = None
) -> bool:
    """The three phases of the main job; ``False`` when anything failed (not gated)."""
    # Imported here, inside the run's log: importing them warns (deprecations, previews).
    from fastapi.testclient import TestClient

    from pipelines.definitions import defs
    from pipelines.workload import WorkloadContext, discover_workloads
    from services.app import create_app
    from warehouse.emitter import get_emitter
    from warehouse.lake import Lake

    instance = get_instance(settings)
    emitter = get_emitter(settings)
    app = create_app(settings, emitter)
    workloads = discover_workloads()
    ok = True
    with TestClient(app, base_url="http://testserver") as client:
        ctx = WorkloadContext(
            client=client, settings=settings, rng=random.Random(seed), scale=scale
        )
        print(f"[1/3] workload simulator: {len(workloads)} systems")
        for workload in workloads:
            started = time.perf_counter()
            print(f"  {workload.name} ...")
            try:
                workload.run(ctx)
            except Exception as exc:  # noqa: BLE001 - report and go on with the other systems
                ok = False
                print(f"  {workload.name} FAILED: {exc!r}")
            print(f"  {workload.name} done ({time.perf_counter() - started:.1f}s)")
        emitter.flush()
        print("[2/3] materialising Dagster assets")
        results = materialize_all(defs, instance, log=print, run_id=run_id)
        emitter.flush()
        print("[3/3] summary")
        lake = Lake(settings.lake_dir)
        counts = lake.row_counts()
        print("  lake tables (rows): " + ", ".join(f"{t}={n}" for t, n in counts.items()))
        failed = [r for r in results if not r.success and not r.gated]
        gated = [r for r in results if r.gated]
        checks = [c for r in results for c in r.failed_checks]
        print(
            f"  asset stages: {len(results) - len(failed) - len(gated)}/{len(results)} "
            f"succeeded, {len(gated)} stopped by a blocking check"
            + (f"; failed checks: {', '.join(checks)}" if checks else "")
        )
        for r in failed:
            ok = False
            print(f"  FAILED {', '.join(r.keys)} {r.partition or ''}: {r.error}")
        for workload in workloads:
            try:
                for line in workload.summarize(ctx):
                    print(f"  [{workload.name}] {line}")
            except Exception as exc:  # noqa: BLE001
                ok = False
                print(f"  [{workload.name}] summary FAILED: {exc!r}")
    return ok
