"""Web crawler assets (system 7): the crawl (a Scrapy subprocess through Dagster Pipes), then
PageRank, the BM25 search index and the recrawl schedule. Thin: logic lives in ``crawlers``."""

import sys

import dagster as dg

from assets.resources import PlatformResource
from crawlers.downstream import (
    build_search_index,
    compute_pagerank,
    compute_recrawl,
    crawl_root,
    index_dir,
    merge_priors,
)
from crawlers.requests import read_request
from crawlers.run import CrawlConfig

crawl_partitions = dg.DynamicPartitionsDefinition(name="crawl_runs")


class CrawlDefaults(dg.ConfigurableResource):
    """Defaults a crawl request may override; the allow-list is empty (public targets only)."""

    max_pages: int = 500
    max_depth: int = 5
    download_delay: float = 1.0
    timeout: float = 15.0
    concurrency: int = 16
    per_host: int = 2
    allow_private: bool = False
    allowed_networks: list[str] = []


@dg.asset(
    group_name="crawler",
    partitions_def=crawl_partitions,
    kinds={"scrapy", "parquet"},
    description="One crawl (partition = crawl id): pages, links, errors in the lake.",
)
def crawl_pages(
    context: dg.AssetExecutionContext,
    platform: PlatformResource,
    crawl_defaults: CrawlDefaults,
    crawl_pipes: dg.PipesSubprocessClient,
) -> dg.MaterializeResult:
    settings = platform.settings()
    crawl_id = context.partition_key
    request = read_request(settings, crawl_id)
    root = crawl_root(settings)
    fields = {
        "max_pages": crawl_defaults.max_pages,
        "max_depth": crawl_defaults.max_depth,
        "download_delay": crawl_defaults.download_delay,
        "timeout": crawl_defaults.timeout,
        "concurrency": crawl_defaults.concurrency,
        "per_host": crawl_defaults.per_host,
        "allow_private": crawl_defaults.allow_private or settings.allow_private_targets,
        "allowed_networks": list(crawl_defaults.allowed_networks),
    }
    fields.update({k: v for k, v in request.items() if k in CrawlConfig.__dataclass_fields__})
    priors = merge_priors(
        [root / "priors.json", root / "freshness.json"], root / "runs" / crawl_id / "priors.json"
    )
    config = CrawlConfig(
        **{**fields, "crawl_id": crawl_id},
        crawl_dir=str((root / "runs" / crawl_id).resolve()),
        lake_dir=str(settings.lake_dir.resolve()),
        priors_path=str(priors.resolve()) if priors else "",
    )
    path = config.save(root / "runs" / crawl_id / "config.json")
    return crawl_pipes.run(
        command=[sys.executable, "-m", "crawlers.run", str(path.resolve())],
        context=context,
    ).get_materialize_result()


@dg.asset(group_name="crawler", deps=[crawl_pages], kinds={"scipy", "parquet"})
def crawl_pagerank(platform: PlatformResource) -> dg.MaterializeResult:
    """PageRank of the newest link graph (sparse power iteration); priors for the next crawl."""
    settings = platform.settings()
    df = compute_pagerank(platform.lake(), settings.lake_dir, crawl_root(settings) / "priors.json")
    top = "\n".join(f"| {u} | {r:.4f} |" for u, r in df.head(10).select("url", "pagerank").rows())
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": df.height,
            "top_pages": dg.MetadataValue.md("| url | pagerank |\n|---|---:|\n" + top),
        }
    )


@dg.asset(group_name="crawler", deps=[crawl_pages, crawl_pagerank], kinds={"scipy"})
def crawl_search_index(platform: PlatformResource) -> dg.MaterializeResult:
    """BM25 index of indexable pages, served at GET /search and `blueprint crawl search`."""
    settings = platform.settings()
    index = build_search_index(platform.lake(), index_dir(settings))
    return dg.MaterializeResult(
        metadata={
            "documents": index.tf.shape[0],
            "terms": len(index.vocab),
            "path": str(index_dir(settings)),
        }
    )


@dg.asset(group_name="crawler", deps=[crawl_pages], kinds={"parquet"})
def crawl_recrawl_schedule(platform: PlatformResource) -> dg.MaterializeResult:
    """Next fetch time per URL from its observed change rate over all crawls."""
    settings = platform.settings()
    df = compute_recrawl(
        platform.lake(), settings.lake_dir, crawl_root(settings) / "freshness.json"
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": df.height,
            "changed_urls": int((df["changes"] > 0).sum()) if df.height else 0,
        }
    )


@dg.asset_check(asset=crawl_pagerank, blocking=True)
def crawl_pagerank_is_a_distribution(platform: PlatformResource) -> dg.AssetCheckResult:
    """Ranks must be positive and sum to 1, or the power iteration went wrong."""
    lake = platform.lake()
    if "crawl_pagerank" not in lake.tables():
        return dg.AssetCheckResult(passed=True, metadata={"note": "no crawl yet"})
    row = lake.query(
        "SELECT sum(pagerank) AS s, min(pagerank) AS m, count(*) AS n FROM crawl_pagerank"
    ).row(0, named=True)
    ok = row["n"] == 0 or (abs(row["s"] - 1.0) < 1e-6 and row["m"] > 0)
    return dg.AssetCheckResult(passed=bool(ok), metadata={"sum": float(row["s"] or 0.0)})


defs = dg.Definitions(
    assets=[crawl_pages, crawl_pagerank, crawl_search_index, crawl_recrawl_schedule],
    asset_checks=[crawl_pagerank_is_a_distribution],
    resources={"crawl_defaults": CrawlDefaults(), "crawl_pipes": dg.PipesSubprocessClient()},
)
