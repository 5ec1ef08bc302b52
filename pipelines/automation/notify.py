"""Refresh notification analytics hourly (after ingesting the spool)."""

import dagster as dg

notify_analytics_job = dg.define_asset_job(
    "notify_analytics_job",
    selection=dg.AssetSelection.assets("lake_ingest", "notify_channel_stats"),
)

notify_analytics_schedule = dg.ScheduleDefinition(
    job=notify_analytics_job, cron_schedule="17 * * * *", name="notify_analytics_hourly"
)

defs = dg.Definitions(jobs=[notify_analytics_job], schedules=[notify_analytics_schedule])
