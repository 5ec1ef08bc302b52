import random

from pipelines.workload import WorkloadContext
from pipelines.workload.social import ROUNDS, WORKLOAD


def test_workload_drives_every_social_feature_through_the_api(client, settings):
    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(3), scale=0.1, log=lambda _m: None
    )
    WORKLOAD.run(ctx)
    facts = ctx.facts["social"]
    assert WORKLOAD.name == "social"
    assert facts["users"] == 30 and facts["follows"] > 30 and facts["posts"] == 15 * ROUNDS
    assert facts["replies"] > 0 and facts["unfollows"] > 0 and facts["unlikes"] > 0
    assert sum(facts["search_hits"].values()) > 0
    assert facts["media_posts"] == 3 and facts["media_open"] == 3
    svc = client.app.state.services["social"]
    assert facts["pulled_accounts"] == sum(
        svc.get_user(f"user{i:04d}").followers >= svc.conf.fanout_threshold for i in range(30)
    )
    lines = WORKLOAD.summarize(ctx)
    assert "30 users" in lines[0] and any(line.startswith("top trends") for line in lines)
    assert "3 posts attach a file; 3 of their share links open without a key" in lines
    feed = [line for line in lines if "'s feed, ranked by" in line]
    assert feed and "ALS out-of-network" in feed[0] and "most by one author" in feed[0]
    assert any(line.strip().startswith("why: ") for line in lines)
