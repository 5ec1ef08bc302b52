"""The crawl asset runs Scrapy in a subprocess through Dagster Pipes; downstream assets follow."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from click.testing import CliRunner

from assets.crawl import (
    crawl_pagerank,
    crawl_pagerank_is_a_distribution,
    crawl_pages,
    crawl_recrawl_schedule,
    crawl_search_index,
)
from assets.crawl import defs as crawl_defs
from assets.resources import PlatformResource
from crawlers.requests import write_request
from crawlers.testsite import Site
from pipelines.cli import main
from warehouse.lake import Lake

DOWNSTREAM = [crawl_pagerank, crawl_search_index, crawl_recrawl_schedule]


def test_crawl_asset_reports_metadata_and_is_safe_to_rerun(tmp_path: Path) -> None:
    platform = PlatformResource(data_dir=str(tmp_path))
    resources = {**crawl_defs.resources, "platform": platform}
    instance = dg.DagsterInstance.ephemeral()
    with Site(hosts=["127.0.0.2", "127.0.0.5"]) as site:
        write_request(
            platform.settings(),
            "c1",
            site.seeds(),
            max_depth=1,
            download_delay=0.0,
            timeout=1.0,
            allowed_networks=["127.0.0.0/8"],
        )
        instance.add_dynamic_partitions("crawl_runs", ["c1"])
        first = dg.materialize(
            [crawl_pages], instance=instance, partition_key="c1", resources=resources
        )
        meta = first.asset_materializations_for_node("crawl_pages")[0].metadata
        assert meta["pages"].value == meta["dagster/row_count"].value == 19
        assert meta["errors"].value > 0 and meta["bytes"].value > 0
        hits = sum(site.hits.values())
        again = dg.materialize(
            [crawl_pages], instance=instance, partition_key="c1", resources=resources
        )
        assert again.success and sum(site.hits.values()) == hits  # resumed: nothing left
    lake = Lake(platform.settings().lake_dir)
    assert lake.query("SELECT count(*) AS n FROM crawl_pages")["n"][0] == meta["pages"].value
    down = dg.materialize(
        [crawl_pages, *DOWNSTREAM, crawl_pagerank_is_a_distribution],
        selection=dg.AssetSelection.assets(*DOWNSTREAM),
        instance=instance,
        resources=resources,
    )
    assert down.success
    checks = down.get_asset_check_evaluations()
    assert [c.check_name for c in checks if c.passed] == ["crawl_pagerank_is_a_distribution"]
    top = lake.query("SELECT url FROM crawl_pagerank ORDER BY pagerank DESC LIMIT 1")["url"][0]
    assert top == site.url("127.0.0.2", "/")
    assert (tmp_path / "crawl" / "priors.json").exists()
    recrawl = lake.query("SELECT count(*) AS n FROM crawl_recrawl")["n"][0]
    assert recrawl == meta["pages"].value


def test_cli_run_then_search(tmp_path: Path, settings) -> None:  # noqa: ANN001 - fixture
    with Site(hosts=["127.0.0.2"]) as site:
        runner = CliRunner()
        args = [
            "crawl",
            "run",
            site.url("127.0.0.2"),
            "--max-depth",
            "1",
            "--delay",
            "0",
            "--allow-network",
            "127.0.0.0/8",
        ]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        assert "pages=" in result.output
    found = runner.invoke(main, ["crawl", "search", "sourdough starter", "--limit", "1"])
    assert found.exit_code == 0
    assert "/articles/2" in found.output and "<mark>" in found.output
