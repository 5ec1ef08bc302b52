"""The main job's stage runner: partitions, failures and blocking-check gates."""

import dagster as dg

from pipelines.runner import materialize_all


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
