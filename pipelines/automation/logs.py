"""Logging jobs, for launching by hand from the UI or ``dagster job launch``.

Nothing here is scheduled: the assets keep themselves fresh through their automation
conditions (alert rules after each ingest, compaction and retention nightly at 03:17 UTC).
"""

import dagster as dg

logs_alerts_job = dg.define_asset_job(
    "logs_alerts_job",
    selection=dg.AssetSelection.assets("lake_ingest", "logs_alert_evaluations"),
    description="Ingest the spool, then evaluate the log alert rules.",
)
logs_maintenance_job = dg.define_asset_job(
    "logs_maintenance_job",
    selection=dg.AssetSelection.assets("logs_compaction", "lake_tables"),
    description="Compact small files, apply retention, refresh the lake's table views.",
)

defs = dg.Definitions(jobs=[logs_alerts_job, logs_maintenance_job])
