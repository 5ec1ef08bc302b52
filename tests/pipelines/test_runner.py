"""The main job's stage runner: partitions, failures and blocking-check gates, and where
its output goes (progress on the console, the rest in the run's log file)."""

import logging
import os
import subprocess
import sys
import warnings

import dagster as dg
import pytest

from pipelines.runner import materialize_all, output_to_log, run_log_path
from warehouse.settings import Settings


@dg.asset
def upstream() -> int:
    return 1


@dg.asset_check(asset=upstream, blocking=True)
def upstream_gate() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, description="candidate did not beat production")


@dg.asset(deps=[upstream])
def downstream() -> int:
    return 2


@dg.asset
def broken() -> int:
    raise RuntimeError("boom")


DAYS = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_offset=1)


@dg.asset(partitions_def=DAYS)
def daily(context: dg.AssetExecutionContext) -> str:
    return context.partition_key


def test_blocking_check_is_reported_as_a_gate_not_an_error_and_errors_are_errors():
    defs = dg.Definitions(
        assets=[upstream, downstream, broken, daily], asset_checks=[upstream_gate]
    )
    lines: list[str] = []
    with dg.instance_for_test() as instance:
        results = materialize_all(defs, instance, log=lines.append)
    by_keys = {tuple(r.keys): r for r in results}
    gate = next(r for keys, r in by_keys.items() if "upstream" in keys)
    assert gate.gated and not gate.success
    assert gate.failed_checks == ["upstream:upstream_gate"]
    assert any("upstream_gate: candidate did not beat production" in line for line in lines)
    errored = next(r for keys, r in by_keys.items() if "broken" in keys)
    assert not errored.gated and "boom" in errored.error
    daily_run = next(r for keys, r in by_keys.items() if keys == ("daily",))
    assert daily_run.success and daily_run.partition == DAYS.get_last_partition_key()


VIDEOS = dg.DynamicPartitionsDefinition(name="test_videos")


@dg.asset(partitions_def=VIDEOS)
def per_video(context: dg.AssetExecutionContext) -> str:
    return context.partition_key


def test_dynamic_partitions_already_materialised_are_not_run_again():
    defs = dg.Definitions(assets=[per_video])
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("test_videos", ["a", "b"])
        first = materialize_all(defs, instance, log=lambda _msg: None)
        instance.add_dynamic_partitions("test_videos", ["c"])
        second = materialize_all(defs, instance, log=lambda _msg: None)
    assert sorted(r.partition for r in first) == ["a", "b"]
    assert [r.partition for r in second] == ["c"]


def test_run_output_goes_to_the_log_and_progress_stays_on_the_console(tmp_path, capfd):
    log = tmp_path / "logs" / "run.log"
    child = "import sys; sys.stderr.write('child stderr line\\n')"
    with output_to_log(log) as path, warnings.catch_warnings():
        warnings.simplefilter("always")
        assert path == log
        print("progress line", flush=True)
        subprocess.run([sys.executable, "-c", child], check=True, timeout=60)
        os.write(2, b"parent fd 2 line\n")
        logging.getLogger("some.library").warning("library warning line")
        warnings.warn("python warning line", UserWarning, stacklevel=1)
    os.write(2, b"after the run\n")
    text = log.read_text(encoding="utf-8")
    for line in ("child stderr line", "parent fd 2 line", "library warning line"):
        assert line in text
    assert "UserWarning: python warning line" in text
    assert "progress line" not in text
    out, err = capfd.readouterr()
    assert "progress line" in out
    assert "after the run" in err  # fd 2 is back where it was
    assert "child stderr line" not in err and "library warning line" not in err
    assert all(getattr(h, "baseFilename", None) != str(log) for h in logging.getLogger().handlers)


def test_stderr_is_restored_when_the_run_raises(tmp_path, capfd):
    log = tmp_path / "run.log"
    with pytest.raises(RuntimeError, match="stage crashed"), output_to_log(log):
        os.write(2, b"before the crash\n")
        raise RuntimeError("stage crashed")
    os.write(2, b"traceback goes to the console\n")
    _, err = capfd.readouterr()
    assert "traceback goes to the console" in err and "before the crash" not in err
    assert "before the crash" in log.read_text(encoding="utf-8")


def test_run_log_path_is_a_new_file_under_the_data_dir(tmp_path):
    path = run_log_path(Settings(data_dir=tmp_path))
    assert path.parent == tmp_path.resolve() / "runs"
    assert path.name.startswith("run-") and path.suffix == ".log"


@dg.asset(group_name="alpha")
def first_alpha() -> int:
    return 1


@dg.asset(group_name="beta")
def in_beta(first_alpha: int) -> int:
    return first_alpha + 1


@dg.asset(group_name="alpha")
def second_alpha(in_beta: int) -> int:
    return in_beta + 1


def test_each_stage_is_one_named_job_run_tagged_with_the_main_run():
    defs = dg.Definitions(assets=[first_alpha, in_beta, second_alpha])
    with dg.instance_for_test() as instance:
        results = materialize_all(defs, instance, log=lambda _msg: None, run_id="run-x")
        runs = instance.get_run_records(
            filters=dg.RunsFilter(tags={"blueprint/run": "run-x"}), ascending=True
        )
    assert all(r.success for r in results) and len(results) == 3
    assert [r.dagster_run.job_name for r in runs] == ["main_alpha", "main_beta", "main_alpha_2"]
    assert all(r.dagster_run.tags["blueprint/main_job"] == "true" for r in runs)


@dg.asset(group_name="later", deps=[upstream])
def promoted_later() -> int:
    return 3


@dg.asset(group_name="later")
def unrelated_later() -> int:
    return 4


def test_a_failed_gate_holds_across_stages_without_failing_the_run():
    # ``promoted_later`` is in another group, so in another stage (another run) than its gate.
    defs = dg.Definitions(
        assets=[upstream, promoted_later, unrelated_later], asset_checks=[upstream_gate]
    )
    lines: list[str] = []
    with dg.instance_for_test() as instance:
        results = materialize_all(defs, instance, log=lines.append)
        materialized = {
            k.to_user_string()
            for k in (dg.AssetKey("promoted_later"), dg.AssetKey("unrelated_later"))
            if instance.get_latest_materialization_event(k) is not None
        }
    assert materialized == {"unrelated_later"}
    assert all(r.success or r.gated for r in results), results
    assert any("promoted_later" in line and "blocking check" in line for line in lines)
