"""Web crawler assets (system 7): the crawl (a Scrapy subprocess through Dagster Pipes), then
PageRank, the BM25 search index and the recrawl schedule. Thin: the crawl service does the work.

A crawl request (``blueprint crawl request``, the workload, an operator's file) becomes a
partition of ``crawl_pages`` through the ``crawl_runs`` sensor, and ``on_missing`` runs it
once. The three downstream assets follow every finished crawl (``eager``).
"""

import dagster as dg
import polars as pl

from assets.metadata import md_table
from assets.resources import SystemResource
from crawlers.downstream import PAGERANK_TABLE, RECRAWL_TABLE
from crawlers.recrawl import HOUR, RecrawlPolicy
from crawlers.search_index import tokenize

GROUP = "crawl"
PAGES_CHECK = "crawl_pages_are_in_the_lake"
PAGERANK_CHECK = "crawl_pagerank_is_a_distribution"
INDEX_CHECK = "crawl_search_index_finds_its_pages"
RECRAWL_CHECK = "crawl_recrawl_schedule_is_sane"

SAMPLE_TITLES = 20
TOP_HITS = 50

crawl_partitions = dg.DynamicPartitionsDefinition(name="crawl_runs")

# Eager, except that a crawl partition that is missing (requested but not run yet, or a crawl
# that failed) does not hold back the downstream assets: they are rebuilt from every crawl
# in the lake, so they can follow the crawls that did finish.
FOLLOW_CRAWLS = dg.AutomationCondition.eager().without(~dg.AutomationCondition.any_deps_missing())


def pages_problems(pages: pl.DataFrame, reported: int) -> dict[str, int]:
    """Differences between one crawl's lake partition and what its process reported."""
    return {
        "missing_rows": abs(reported - pages.height),
        "duplicate_urls": pages.height - pages["url"].n_unique() if pages.height else 0,
    }


@dg.asset(
    group_name=GROUP,
    partitions_def=crawl_partitions,
    kinds={"scrapy", "parquet"},
    automation_condition=dg.AutomationCondition.on_missing(),
    check_specs=[dg.AssetCheckSpec(PAGES_CHECK, asset="crawl_pages")],
)
def crawl_pages(
    context: dg.AssetExecutionContext, crawl: SystemResource, crawl_pipes: dg.PipesSubprocessClient
) -> dg.MaterializeResult:
    """One crawl (partition = crawl id): pages, links and errors in the lake.

    Its check reads the partition this run published and compares it with the crawl's report.
    """
    svc = crawl.service()
    crawl_id = context.partition_key
    command = svc.command(svc.prepare(crawl_id))
    reported = crawl_pipes.run(command=command, context=context).get_materialize_result()
    metadata = dict(reported.metadata or {})
    pages = int(metadata["pages"].value) if "pages" in metadata else -1
    svc.finished(crawl_id, {k: v.value for k, v in metadata.items() if hasattr(v, "value")})
    problems = pages_problems(svc.crawled_pages(crawl_id), pages)
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(
                check_name=PAGES_CHECK,
                passed=pages >= 0 and not any(problems.values()),
                metadata={**problems, "reported_pages": pages, "partition": crawl_id},
            )
        ],
    )


@dg.asset(
    group_name=GROUP,
    deps=[crawl_pages],
    kinds={"scipy", "parquet"},
    automation_condition=FOLLOW_CRAWLS,
)
def crawl_pagerank(crawl: SystemResource) -> dg.MaterializeResult:
    """PageRank of the newest link graph (sparse power iteration); priors for the next crawl."""
    df = crawl.service().pagerank()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": df.height,
            "top_pages": md_table(df, ["rank", "url", "pagerank"]),
        }
    )


@dg.asset(
    group_name=GROUP,
    deps=[crawl_pages, crawl_pagerank],
    kinds={"scipy"},
    automation_condition=FOLLOW_CRAWLS,
)
def crawl_search_index(crawl: SystemResource) -> dg.MaterializeResult:
    """BM25 index of indexable pages, served at GET /search and `blueprint crawl search`."""
    svc = crawl.service()
    index = svc.build_index()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": index.tf.shape[0],
            "documents": index.tf.shape[0],
            "terms": len(index.vocab),
            "path": str(svc.index.folder),
        }
    )


@dg.asset(
    group_name=GROUP,
    deps=[crawl_pages],
    kinds={"parquet"},
    automation_condition=FOLLOW_CRAWLS,
)
def crawl_recrawl_schedule(crawl: SystemResource) -> dg.MaterializeResult:
    """Next fetch time per URL from its observed change rate over all crawls."""
    df = crawl.service().recrawl()
    changed = df.filter(pl.col("changes") > 0) if df.height else df
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": df.height,
            "changed_urls": changed.height,
            "most_changing": md_table(
                changed.sort("change_rate_per_day", descending=True) if changed.height else changed,
                ["url", "fetches", "changes", "interval_hours"],
            ),
        }
    )


@dg.asset_check(asset=crawl_pagerank, name=PAGERANK_CHECK, blocking=True)
def crawl_pagerank_is_a_distribution(crawl: SystemResource) -> dg.AssetCheckResult:
    """Ranks must be positive and sum to 1, or the power iteration went wrong."""
    df = crawl.service().published(PAGERANK_TABLE)
    if df is None or df.is_empty():
        return dg.AssetCheckResult(passed=True, metadata={"note": "no pages ranked yet"})
    total = float(df["pagerank"].sum())
    ok = abs(total - 1.0) < 1e-6 and float(df["pagerank"].min()) > 0
    return dg.AssetCheckResult(passed=ok, metadata={"sum": total, "pages": df.height})


@dg.asset_check(asset=crawl_search_index, name=INDEX_CHECK)
def crawl_search_index_finds_its_pages(crawl: SystemResource) -> dg.AssetCheckResult:
    """The index on disk (what GET /search serves) finds pages by their own titles.

    Samples up to 20 pages whose title is theirs alone and has words to search for; each must
    be among the top hits for that title.
    """
    index = crawl.service().saved_index()
    if index is None:
        return dg.AssetCheckResult(passed=False, metadata={"note": "no index on disk"})
    titles = index.docs.select("url", "title").filter(
        pl.col("title").is_not_null() & pl.col("title").is_unique()
    )
    sample = [(u, t) for u, t in titles.iter_rows() if tokenize(t)][:SAMPLE_TITLES]
    lost = [u for u, t in sample if u not in {h.url for h in index.search(t, limit=TOP_HITS)}]
    return dg.AssetCheckResult(
        passed=not lost and index.tf.shape[0] == index.docs.height,
        metadata={
            "documents": index.docs.height,
            "sampled": len(sample),
            "not_found": len(lost),
            "first_not_found": ", ".join(lost[:3]),
        },
    )


@dg.asset_check(asset=crawl_recrawl_schedule, name=RECRAWL_CHECK)
def crawl_recrawl_schedule_is_sane(crawl: SystemResource) -> dg.AssetCheckResult:
    """One row per URL, each due after its last fetch within the policy's bounds."""
    df = crawl.service().published(RECRAWL_TABLE)
    if df is None or df.is_empty():
        return dg.AssetCheckResult(passed=True, metadata={"note": "nothing scheduled yet"})
    policy = RecrawlPolicy()
    lo, hi = policy.min_interval / HOUR, policy.max_interval / HOUR
    bad = df.filter(
        (pl.col("next_fetch") <= pl.col("last_fetch"))
        | ~pl.col("interval_hours").is_between(lo - 1e-9, hi + 1e-9)
    ).height
    duplicates = df.height - df["url"].n_unique()
    return dg.AssetCheckResult(
        passed=bad == 0 and duplicates == 0,
        metadata={"bad_rows": bad, "duplicate_urls": duplicates, "rows": df.height},
    )


defs = dg.Definitions(
    assets=[crawl_pages, crawl_pagerank, crawl_search_index, crawl_recrawl_schedule],
    asset_checks=[
        crawl_pagerank_is_a_distribution,
        crawl_search_index_finds_its_pages,
        crawl_recrawl_schedule_is_sane,
    ],
    resources={"crawl_pipes": dg.PipesSubprocessClient()},
)
