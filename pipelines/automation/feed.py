"""Retrain the feed's models by hand: the whole chain, gate included, in one run.

Nightly retraining needs no schedule: ``feed_interactions`` carries ``on_cron`` and the chain
below it follows eagerly (see ``assets.feed``). This job is for "retrain now", from the UI or
``dagster job launch -j feed_retrain_job``. The promotion gate is a blocking check inside the
run, so a run that does not beat production, or that finds too little new data, leaves
production where it is.
"""

import dagster as dg

feed_retrain_job = dg.define_asset_job(
    "feed_retrain_job",
    selection=dg.AssetSelection.groups("feed"),
    description="Interactions -> candidates -> evaluation (blocking gate) -> promotion.",
)

defs = dg.Definitions(jobs=[feed_retrain_job])
