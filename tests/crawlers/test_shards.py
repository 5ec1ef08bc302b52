"""Host-sharded crawling over two processes finds the same pages as one process."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawlers.shards import pin_hosts, shard_dir, shard_of
from crawlers.testsite import Site
from tests.crawlers.conftest import run_crawl, test_config


@pytest.mark.slow
def test_two_shards_crawl_the_test_web_once_each_with_cross_shard_links(tmp_path: Path) -> None:
    with Site() as site:
        report = run_crawl(test_config(site, tmp_path, processes=2, lake_dir=str(tmp_path / "l")))
        hits = dict(site.hits)
        pinned = pin_hosts([site.url("127.0.0.2").split("/")[2]], 2)
    assert report["pages"] == 35 and report["lake_rows"]["crawl_pages"] == 35
    # Each process keeps its own robots.txt cache (a redirect may cross into another shard's
    # host), so only pages count here.
    loops = {"/loop/a", "/loop/b", "/robots.txt"}
    assert {k: n for k, n in hits.items() if n > 1 and k[1] not in loops} == {}
    forwarded = 0
    for k in range(2):
        with sqlite3.connect(shard_dir(tmp_path, k) / "crawl.sqlite") as con:
            hosts = {r[0] for r in con.execute("SELECT DISTINCT host FROM pages")}
            assert hosts and all(shard_of(h, 2, pinned) == k for h in hosts)
            forwarded += con.execute(
                "SELECT count(*) FROM frontier WHERE origin IS NOT NULL"
            ).fetchone()[0]
            assert con.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    assert forwarded > 0
