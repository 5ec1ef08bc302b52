"""Logging automation: alert rules every five minutes, compaction and retention nightly."""

import dagster as dg

logs_alerts_job = dg.define_asset_job(
    "logs_alerts_job",
    selection=dg.AssetSelection.assets("lake_ingest", "logs_alert_evaluations"),
    description="Ingest the spool, then evaluate the log alert rules.",
)
logs_maintenance_job = dg.define_asset_job(
    "logs_maintenance_job",
    selection=dg.AssetSelection.assets("logs_compaction", "lake_views"),
    description="Compact small files, apply retention, refresh the lake's table views.",
)

logs_alerts_schedule = dg.ScheduleDefinition(
    job=logs_alerts_job,
    cron_schedule="*/5 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
logs_maintenance_schedule = dg.ScheduleDefinition(
    job=logs_maintenance_job, cron_schedule="17 3 * * *"
)

defs = dg.Definitions(
    jobs=[logs_alerts_job, logs_maintenance_job],
    schedules=[logs_alerts_schedule, logs_maintenance_schedule],
)
