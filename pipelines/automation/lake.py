"""Ingest the spool when there is something to ingest: the sensor is on by default, so the
Dagster UI ingests continuously (turn it off in the UI's Automation tab)."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from assets.resources import PlatformResource
from warehouse.spool import sealed_segments

ingest_job = dg.define_asset_job("ingest_job", selection=dg.AssetSelection.groups("lake"))


def read_cursor(cursor: str | None) -> dict[str, int]:
    """The newest segment index seen per source. Also reads the single ``source/index``
    cursor this sensor kept before, so an upgrade neither loses nor repeats work."""
    if not cursor:
        return {}
    try:
        state = json.loads(cursor)
    except ValueError:
        source, _, index = cursor.rpartition("/")
        return {source: int(index)} if source and index.isdigit() else {}
    if not isinstance(state, dict):
        return {}
    return {str(k): int(v) for k, v in state.items() if isinstance(v, int)}


def newest_segments(spool_dir: Path) -> dict[str, int]:
    """The newest sealed segment index of every source in the spool."""
    newest: dict[str, int] = {}
    for segment in sealed_segments(spool_dir):
        newest[segment.source] = max(segment.index, newest.get(segment.source, -1))
    return newest


@dg.sensor(
    job=ingest_job,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def spool_sensor(context: dg.SensorEvaluationContext, platform: PlatformResource):
    """Request an ingest run when any source has a sealed segment newer than it had before.

    The cursor keeps one entry per source: with a single "newest overall" mark, the newest
    segment of one source would hide new segments of every source that sorts before it.
    Sources that left the spool (all ingested, writer gone) are dropped from the cursor, so it
    stays as small as the spool. The run key is a digest of the whole new state: one run per
    state, never two for the same segments.
    """
    newest = newest_segments(platform.settings().spool_dir)
    if not newest:
        return dg.SkipReason("spool is empty")
    seen = read_cursor(context.cursor)
    fresh = sorted(source for source, index in newest.items() if index > seen.get(source, -1))
    if not fresh:
        return dg.SkipReason("no new segments since the last run")
    state = {source: max(index, seen.get(source, -1)) for source, index in newest.items()}
    cursor = json.dumps(state, sort_keys=True, separators=(",", ":"))
    context.update_cursor(cursor)
    context.log.info(f"new sealed segments from {', '.join(fresh)}")
    return dg.RunRequest(run_key=hashlib.sha256(cursor.encode("utf-8")).hexdigest()[:32])


defs = dg.Definitions(jobs=[ingest_job], sensors=[spool_sensor])
