"""Retrain the models every night on the lake's newest events (ingest first, then the chain).

The promotion gate is a blocking check inside the job, so a nightly run that does not beat
production, or that finds too little new data, leaves production where it is.
"""

import dagster as dg

models_retrain_job = dg.define_asset_job(
    "models_retrain_job",
    selection=dg.AssetSelection.groups("models"),
    description="Interactions -> candidates -> evaluation (blocking gate) -> promotion.",
)

models_nightly_schedule = dg.ScheduleDefinition(
    name="models_nightly_schedule",
    job=models_retrain_job,
    cron_schedule="30 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)

defs = dg.Definitions(jobs=[models_retrain_job], schedules=[models_nightly_schedule])
