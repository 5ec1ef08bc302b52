"""The crawl workload requests a crawl of the loopback test web through the service."""

from __future__ import annotations

import random

from pipelines.workload import WorkloadContext
from pipelines.workload.crawl import WORKLOAD


def test_workload_requests_a_loopback_crawl_as_a_partition(client, settings, monkeypatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(settings.data_dir / "dagster"))  # restored after
    ctx = WorkloadContext(client=client, settings=settings, rng=random.Random(1), log=print)
    WORKLOAD.run(ctx)
    crawl_id = ctx.facts["crawl"]["crawl_id"]
    svc = client.app.state.services["crawl"]
    assert svc.pending() == [crawl_id] and crawl_id.startswith("testweb-")
    config = svc.config(crawl_id)
    assert config.allowed_networks == ["127.0.0.0/8"] and not config.allow_private
    assert all(s.startswith("http://127.0.0.") for s in config.seeds)

    from pipelines.instance import get_instance

    assert get_instance(settings).get_dynamic_partitions("crawl_runs") == [crawl_id]
    assert WORKLOAD.summarize(ctx) == [f"crawl {crawl_id}: no pages in the lake"]
    assert WORKLOAD.site is None  # the test web is stopped after the summary
