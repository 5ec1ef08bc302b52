"""The spool sensor: one cursor entry per source, so no source's new segments hide behind
another's, on real segments written by ``SpoolWriter``."""

import json

import dagster as dg
import pytest

from assets.resources import PlatformResource
from pipelines.automation.lake import read_cursor, spool_sensor
from warehouse.spool import SpoolWriter, sealed_segments


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def writers(data_dir):
    """Two live writers; ``a-...`` sorts before ``b-...``, as real sources may."""
    spool = data_dir / "spool"
    opened = [SpoolWriter(spool, "a"), SpoolWriter(spool, "b")]
    yield opened
    for w in opened:
        w.close()


def seal_segment(writer: SpoolWriter) -> None:
    writer.append([{"type": "test/event", "attrs": {}}])
    writer.seal()


def evaluate(data_dir, cursor: str | None):
    """One sensor tick: its result and the cursor it leaves."""
    ctx = dg.build_sensor_context(
        cursor=cursor, resources={"platform": PlatformResource(data_dir=str(data_dir))}
    )
    result = spool_sensor(ctx)
    return result, ctx.cursor


def test_empty_spool_skips_without_touching_the_cursor(data_dir):
    (data_dir / "spool").mkdir(parents=True)
    result, cursor = evaluate(data_dir, None)
    assert isinstance(result, dg.SkipReason)
    assert "empty" in result.skip_message
    assert cursor is None


def test_cursor_keeps_the_newest_segment_of_each_source(data_dir, writers):
    a, b = writers
    seal_segment(a)
    seal_segment(a)
    seal_segment(b)
    result, cursor = evaluate(data_dir, None)
    assert isinstance(result, dg.RunRequest)
    assert json.loads(cursor) == {a.source: 2, b.source: 1}
    again, same_cursor = evaluate(data_dir, cursor)
    assert isinstance(again, dg.SkipReason)
    assert same_cursor == cursor


def test_new_segment_of_a_source_that_sorts_first_is_not_hidden_by_another_source(
    data_dir, writers
):
    # The case a single "newest overall" cursor got wrong: its max was b's segment, so a's
    # next segment (a run failed, nothing was ingested) compared as "nothing new".
    a, b = writers
    seal_segment(a)
    seal_segment(b)
    _, cursor = evaluate(data_dir, None)
    seal_segment(a)
    result, new_cursor = evaluate(data_dir, cursor)
    assert isinstance(result, dg.RunRequest), result
    assert json.loads(new_cursor) == {a.source: 2, b.source: 1}


def test_run_key_follows_the_whole_state_so_each_new_state_gets_one_run(data_dir, writers):
    a, b = writers
    seal_segment(a)
    first, cursor1 = evaluate(data_dir, None)
    seal_segment(b)
    second, cursor2 = evaluate(data_dir, cursor1)
    assert isinstance(first, dg.RunRequest) and isinstance(second, dg.RunRequest)
    assert first.run_key != second.run_key
    # The same state evaluated afresh gives the same key: Dagster de-duplicates on it.
    replay, _ = evaluate(data_dir, cursor1)
    assert replay.run_key == second.run_key


def test_sources_whose_segments_were_ingested_leave_the_cursor_and_come_back(data_dir, writers):
    a, b = writers
    seal_segment(a)
    seal_segment(b)
    _, cursor = evaluate(data_dir, None)
    for segment in list(sealed_segments(data_dir / "spool")):
        if segment.source == a.source:
            segment.path.unlink()  # what ingestion does once the rows are published
    seal_segment(b)
    result, cursor = evaluate(data_dir, cursor)
    assert isinstance(result, dg.RunRequest)
    assert json.loads(cursor) == {b.source: 2}
    seal_segment(a)  # a's writer goes on with segment 2
    result, cursor = evaluate(data_dir, cursor)
    assert isinstance(result, dg.RunRequest)
    assert json.loads(cursor) == {a.source: 2, b.source: 2}


def test_the_former_single_cursor_is_read_per_source(data_dir, writers):
    a, b = writers
    seal_segment(a)
    seal_segment(b)
    legacy = f"{b.source}/{1:012d}"
    assert read_cursor(legacy) == {b.source: 1}
    result, cursor = evaluate(data_dir, legacy)
    assert isinstance(result, dg.RunRequest)  # a's segment was never recorded as seen
    assert json.loads(cursor) == {a.source: 1, b.source: 1}
    assert read_cursor("not a cursor") == {}


def test_the_spool_sensor_runs_by_default_so_the_ui_ingests_continuously() -> None:
    assert spool_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert spool_sensor.minimum_interval_seconds <= 15
