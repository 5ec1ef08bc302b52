"""The crawl asset runs Scrapy in a subprocess through Dagster Pipes; downstream assets follow.

Also: the automation that runs a requested crawl once and follows finished crawls, the sensor
that turns requests into partitions, and the ``blueprint crawl`` commands.
"""

from __future__ import annotations

import dagster as dg
import pytest
from click.testing import CliRunner

from assets.crawl import (
    INDEX_CHECK,
    PAGERANK_CHECK,
    PAGES_CHECK,
    RECRAWL_CHECK,
    crawl_pagerank,
    crawl_pagerank_is_a_distribution,
    crawl_pages,
    crawl_partitions,
    crawl_recrawl_schedule,
    crawl_recrawl_schedule_is_sane,
    crawl_search_index,
    crawl_search_index_finds_its_pages,
)
from assets.crawl import defs as crawl_defs
from assets.resources import SystemResource
from crawlers.testsite import Site
from pipelines.cli import main
from services.crawl.system import build

DOWNSTREAM = [crawl_pagerank, crawl_search_index, crawl_recrawl_schedule]
CHECKS = [
    crawl_pagerank_is_a_distribution,
    crawl_search_index_finds_its_pages,
    crawl_recrawl_schedule_is_sane,
]


@pytest.fixture
def crawl_svc(settings, emitter):
    return build(settings, emitter)


def _resources(svc) -> dict:
    return {"crawl": SystemResource.with_service("crawl", svc), **crawl_defs.resources}


def test_crawl_asset_checks_its_partition_and_is_safe_to_rerun(crawl_svc) -> None:
    instance = dg.DagsterInstance.ephemeral()
    with Site(hosts=["127.0.0.2", "127.0.0.5"]) as site:
        crawl_svc.request(
            site.seeds(),
            "c1",
            max_depth=1,
            download_delay=0.0,
            timeout=1.0,
            allowed_networks=["127.0.0.0/8"],
        )
        instance.add_dynamic_partitions(crawl_partitions.name, ["c1"])
        first = dg.materialize(
            [crawl_pages], instance=instance, partition_key="c1", resources=_resources(crawl_svc)
        )
        meta = first.asset_materializations_for_node("crawl_pages")[0].metadata
        assert meta["pages"].value == meta["dagster/row_count"].value == 19
        assert meta["errors"].value > 0 and meta["bytes"].value > 0
        [check] = first.get_asset_check_evaluations()
        assert check.check_name == PAGES_CHECK and check.passed
        assert check.metadata["partition"].value == "c1"
        assert check.metadata["reported_pages"].value == 19
        hits = sum(site.hits.values())
        again = dg.materialize(
            [crawl_pages], instance=instance, partition_key="c1", resources=_resources(crawl_svc)
        )
        assert again.success and sum(site.hits.values()) == hits  # resumed: nothing left
    assert crawl_svc.crawled_pages("c1").height == 19

    down = dg.materialize(
        [crawl_pages, *DOWNSTREAM, *CHECKS],
        selection=dg.AssetSelection.assets(*DOWNSTREAM),
        instance=instance,
        resources=_resources(crawl_svc),
    )
    assert down.success
    checks = {c.check_name: c for c in down.get_asset_check_evaluations()}
    assert set(checks) == {PAGERANK_CHECK, INDEX_CHECK, RECRAWL_CHECK}
    assert all(c.passed for c in checks.values())
    assert checks[INDEX_CHECK].metadata["sampled"].value > 5
    ranks = crawl_svc.published("crawl_pagerank")
    assert ranks.sort("pagerank", descending=True)["url"][0] == site.url("127.0.0.2", "/")
    top = down.asset_materializations_for_node("crawl_pagerank")[0].metadata["top_pages"]
    assert top.value.startswith("| rank | url | pagerank |") and site.url("127.0.0.2", "/") in (
        top.value
    )
    assert (crawl_svc.root / "priors.json").exists()
    assert crawl_svc.published("crawl_recrawl").height == 19
    hits = crawl_svc.search("sourdough starter", 1)
    assert hits and "/articles/2" in hits[0].url


def test_crawl_check_fails_when_the_lake_lost_the_partition(crawl_svc, monkeypatch) -> None:
    """The check compares the partition as published with the crawl's own report."""
    import polars as pl

    instance = dg.DagsterInstance.ephemeral()
    with Site(hosts=["127.0.0.2"]) as site:
        crawl_svc.request(
            site.seeds(),
            "c1",
            max_depth=0,
            download_delay=0.0,
            timeout=1.0,
            allowed_networks=["127.0.0.0/8"],
        )
        instance.add_dynamic_partitions(crawl_partitions.name, ["c1"])
        monkeypatch.setattr(
            crawl_svc, "crawled_pages", lambda _cid: pl.DataFrame(schema={"url": pl.String})
        )
        res = dg.materialize(
            [crawl_pages], instance=instance, partition_key="c1", resources=_resources(crawl_svc)
        )
    [check] = res.get_asset_check_evaluations()
    assert not check.passed and check.metadata["missing_rows"].value > 0


def _requested(result) -> set[str]:
    keys = [a.key for a in (crawl_pages, *DOWNSTREAM)]
    return {
        f"{key.to_user_string()}[{p}]" if p else key.to_user_string()
        for key in keys
        for p in result.get_requested_partitions(key)
    }


def test_a_requested_crawl_runs_once_and_downstream_follows_finished_crawls() -> None:
    resources = {"crawl": SystemResource(system="crawl"), **crawl_defs.resources}
    defs = dg.Definitions(assets=[crawl_pages, *DOWNSTREAM], resources=resources)
    instance = dg.DagsterInstance.ephemeral()
    res = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    assert _requested(res) == set()
    instance.add_dynamic_partitions(crawl_partitions.name, ["c1", "c2"])
    res = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=res.cursor)
    assert _requested(res) == {"crawl_pages[c1]", "crawl_pages[c2]"}
    res = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=res.cursor)
    assert _requested(res) == set()  # handled: not launched twice
    # c1 finishes; c2 failed and stays missing, which must not hold the others back.
    instance.report_runless_asset_event(dg.AssetMaterialization("crawl_pages", partition="c1"))
    res = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=res.cursor)
    assert _requested(res) == {"crawl_pagerank", "crawl_search_index", "crawl_recrawl_schedule"}


def test_request_sensor_adds_only_new_requests_as_partitions(crawl_svc) -> None:
    from pipelines.automation.crawl import crawl_request_sensor

    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(crawl_partitions.name, ["old"])
    for crawl_id in ("old", "new"):
        crawl_svc.request(["http://example.com/"], crawl_id)
    context = dg.build_sensor_context(
        instance=instance, resources={"crawl": SystemResource.with_service("crawl", crawl_svc)}
    )
    result = crawl_request_sensor(context)
    [add] = result.dynamic_partitions_requests
    assert add.partition_keys == ["new"] and not result.run_requests


def test_cli_run_then_search(settings) -> None:
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


def test_cli_refuses_a_bad_seed_and_searches_without_an_index_clearly(settings) -> None:
    runner = CliRunner()
    bad = runner.invoke(main, ["crawl", "request", "ftp://example.com/"])
    assert bad.exit_code != 0 and "bad seed URL" in bad.output
    none = runner.invoke(main, ["crawl", "search", "anything"])
    assert none.exit_code != 0 and "no search index yet" in none.output
