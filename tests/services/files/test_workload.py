"""The file workload runs end to end: sync, edit by delta, dedup across users, a conflict
copy, and a share link read through a CDN edge."""

from __future__ import annotations

import random
from pathlib import Path

import pytest


def write_pages(root: Path, rng: random.Random) -> None:
    """A tree of HTML pages of 100 to 250 KB, each spanning several chunks, so the test does
    not depend on which documentation this machine has installed."""
    words = ["cache", "chunk", "delta", "<p>", "</p>", "sync", "version", "share", "\n"]
    for i in range(12):
        page = root / f"part{i % 3}" / f"page{i}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        size = rng.randrange(100_000, 250_000)
        text = " ".join(rng.choice(words) + str(rng.randrange(10_000)) for _ in range(size // 8))
        page.write_text(text)


@pytest.mark.slow
def test_workload_syncs_by_delta_and_reads_a_share_through_the_cdn(
    client, settings, tmp_path, monkeypatch
):
    from pipelines.workload import WorkloadContext
    from pipelines.workload import files as files_workload
    from pipelines.workload.files import WORKLOAD

    write_pages(tmp_path / "docs", random.Random(1))
    monkeypatch.setattr(files_workload, "DOCS", tmp_path / "docs")

    logs: list[str] = []
    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(5), log=logs.append, scale=0.1
    )
    WORKLOAD.run(ctx)
    facts = ctx.facts["files"]
    assert facts["first_sync"]["uploaded"] == facts["files"] > 0
    edit = facts["edit_sync"]
    assert edit["uploaded"] == 5
    assert 1 <= edit["chunks_sent"] <= 2 * edit["uploaded"]  # an insertion touches <= 2
    assert edit["bytes_sent"] < edit["bytes_total"]
    assert len(facts["conflicts"]) == 1
    assert facts["share"].startswith("200 MISS") and ", 200 HIT" in facts["share"]
    lines = WORKLOAD.summarize(ctx)
    assert any(line.startswith("dedup ratio ") for line in lines)


@pytest.mark.slow
def test_workload_edits_its_synced_files_not_the_clients_state_beside_them(
    client, settings, tmp_path, monkeypatch
):
    # pages smaller than the sync client's state file, which lies among them
    from pipelines.workload import WorkloadContext
    from pipelines.workload import files as files_workload
    from pipelines.workload.files import WORKLOAD

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(40):
        (docs / f"a-page-with-a-long-descriptive-name-{i:03d}.html").write_text(f"<p>{i}</p>" * 40)
    monkeypatch.setattr(files_workload, "DOCS", docs)
    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(5), log=[].append, scale=0.1
    )
    WORKLOAD.run(ctx)
    facts = ctx.facts["files"]
    assert facts["edit_sync"]["uploaded"] == 5 and len(facts["conflicts"]) == 1
