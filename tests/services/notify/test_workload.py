"""The notifications workload runs end to end on loopback and reports per-channel figures."""

from __future__ import annotations

import random

import pytest


@pytest.mark.slow
def test_workload_delivers_everything_due_without_duplicates(client, settings):
    from pipelines.workload import WorkloadContext
    from pipelines.workload.notify import WORKLOAD

    logs: list[str] = []
    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(5), log=logs.append, scale=0.3
    )
    WORKLOAD.run(ctx)
    facts = ctx.facts["notify"]
    assert facts["dupes"] == 0
    assert facts["answers"].get(422, 0) >= 0 and facts["answers"].get(202, 0) > 0
    statuses = {status for _, status, _, _ in facts["by"]}
    assert "dead" not in statuses  # the DLQ was replayed and drained
    assert statuses & {"sent", "delivered"}
    lines = WORKLOAD.summarize(ctx)
    assert any(line.strip().startswith("email ") for line in lines)
    assert facts["emails"] > 0 and facts["callbacks"] > 0


def test_summary_says_what_delivered_means_on_each_channel():
    from pipelines.workload import WorkloadContext
    from pipelines.workload.notify import WORKLOAD

    ctx = WorkloadContext(client=None, settings=None, rng=random.Random(1))
    ctx.facts["notify"] = {
        "sends": 10,
        "answers": {202: 10},
        "by": [
            ("email", "sent", 140, 0),
            ("inbox", "sent", 144, 0),
            ("sms", "sent", 5, 2),
            ("sms", "delivered", 70, 0),
        ],
        "dead_before_replay": 0,
        "replayed": 0,
        "callbacks": 70,
        "dupes": 0,
        "inbox": {"messages": 144, "read": 12},
    }
    lines = {line.split()[0]: line for line in WORKLOAD.summarize(ctx)[2:]}
    assert "sent=140 delivered=n/a" in lines["email"] and "SMTP" in lines["email"]
    assert "sent=144 delivered=144" in lines["inbox"] and "read=12" in lines["inbox"]
    assert "sent=75 delivered=70" in lines["sms"] and "callback" in lines["sms"]
    assert "delivered=0" in lines["push"]
