import random

from pipelines.workload import WorkloadContext
from pipelines.workload.shortener import WORKLOAD


def test_workload_creates_clicks_and_survives_a_cache_node_outage(client, settings):
    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(1), scale=0.1, log=lambda _m: None
    )
    WORKLOAD.run(ctx)
    facts = ctx.facts["shortener"]
    assert facts["links"] == 30 and facts["rejected_bad_targets"] == 4
    assert facts["clicks"] == {302: 300} and facts["deleted_status"] == 404
    assert facts["cache_hit_ratio"] > 0.9
    lines = WORKLOAD.summarize(ctx)
    assert "links created: 30" in lines[0]
