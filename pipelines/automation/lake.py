"""Ingest the spool every minute when there is something to ingest."""

import dagster as dg

from assets.resources import PlatformResource
from warehouse.spool import sealed_segments

ingest_job = dg.define_asset_job("ingest_job", selection=dg.AssetSelection.groups("lake"))


@dg.sensor(job=ingest_job, minimum_interval_seconds=60)
def spool_sensor(context: dg.SensorEvaluationContext, platform: PlatformResource):
    """Request an ingest run when sealed segments wait; the cursor is the newest segment seen."""
    segments = list(sealed_segments(platform.settings().spool_dir))
    if not segments:
        return dg.SkipReason("spool is empty")
    newest = max(f"{s.source}/{s.index:012d}" for s in segments)
    if newest == context.cursor:
        return dg.SkipReason("no new segments since the last run")
    context.update_cursor(newest)
    return dg.RunRequest(run_key=newest)


defs = dg.Definitions(jobs=[ingest_job], sensors=[spool_sensor])
