"""The feed workload end to end: events through the API, training, serving summary."""

import random

import dagster as dg
import pytest

from assets.feed import ASSETS, FeedTrainingConfig
from assets.resources import PlatformResource
from pipelines.workload import WorkloadContext
from pipelines.workload.feed import WORKLOAD
from warehouse.ingest import ingest_spool


@pytest.mark.slow
def test_workload_feeds_training_and_summary_shows_served_versions(settings, emitter, client):
    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(1), scale=0.3, log=lambda _m: None
    )
    WORKLOAD.run(ctx)
    assert ctx.facts["feed"]["generated"] > 1000
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    result = dg.materialize(
        ASSETS,
        resources={
            "platform": PlatformResource(data_dir=str(settings.data_dir)),
            "feed_training": FeedTrainingConfig(max_trials=3),
        },
        raise_on_error=False,
    )
    assert result.success, [e.description for e in result.get_asset_check_evaluations()]
    client.app.state.services["feed"].reload_models()
    lines = WORKLOAD.summarize(ctx)
    assert lines[0].startswith("serving recs=v0001 ranker=v0001")
    assert any("u0 video: model v0001 [als]" in line for line in lines)
    assert any("stranger video: model v0001 [popularity]" in line for line in lines)
    assert any("u2 feed: ranker v0001 [ranker]" in line for line in lines)
