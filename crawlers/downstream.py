"""What the crawl feeds: PageRank, the search index and the recrawl schedule (plain functions
over the lake, called by the crawl service for the Dagster assets and the CLI)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import polars as pl

from crawlers.graph import pagerank
from crawlers.recrawl import schedule
from crawlers.search_index import SearchIndex
from warehouse.lake import Lake
from warehouse.parquet_io import publish_parquet
from warehouse.settings import Settings

PAGERANK_TABLE = "crawl_pagerank"
RECRAWL_TABLE = "crawl_recrawl"

LATEST_PAGES = """
SELECT * FROM crawl_pages
QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC, crawl_id DESC) = 1
"""


def crawl_root(settings: Settings) -> Path:
    return settings.data_dir / "crawl"


def index_dir(settings: Settings) -> Path:
    return crawl_root(settings) / "index"


def table_file(lake_dir: Path, table: str) -> Path:
    """The one Parquet file of an unpartitioned crawl table (``crawl_pagerank``, ...)."""
    return lake_dir / table / "part.parquet"


def latest_pages(lake: Lake) -> pl.DataFrame:
    """The newest fetch of every URL over all crawls."""
    if "crawl_pages" not in lake.tables():
        return pl.DataFrame()
    return lake.query(LATEST_PAGES)


def link_edges(lake: Lake) -> pl.DataFrame:
    """Followable links of each page's newest fetch, between fetched pages."""
    if "crawl_links" not in lake.tables():
        return pl.DataFrame(schema={"from_url": pl.String, "to_url": pl.String})
    return lake.query(
        f"WITH p AS ({LATEST_PAGES}) SELECT DISTINCT l.from_url, l.to_url FROM crawl_links l "
        "JOIN p ON l.from_url = p.url AND l.crawl_id = p.crawl_id "
        "WHERE l.nofollow = 0 AND l.to_url IN (SELECT url FROM p)"
    )


def compute_pagerank(lake: Lake, lake_dir: Path, priors_path: Path | None = None) -> pl.DataFrame:
    """PageRank over the newest link graph -> ``crawl_pagerank`` (overwritten) and priors."""
    pages = latest_pages(lake)
    edges = link_edges(lake)
    nodes = pages["url"].to_list() if pages.height else []
    ranks = pagerank(edges.iter_rows(), nodes=nodes)
    df = pl.DataFrame(
        {"url": list(ranks), "pagerank": list(ranks.values())},
        schema={"url": pl.String, "pagerank": pl.Float64},
    ).sort("pagerank", descending=True)
    df = df.with_columns(pl.int_range(1, df.height + 1).alias("rank"))
    publish_parquet(df, table_file(lake_dir, PAGERANK_TABLE))
    if priors_path is not None and df.height:
        # Frontier priority bonus for the next crawl: PageRank relative to uniform, capped.
        n = df.height
        priors = {u: min(3.0, r * n) for u, r in df.select("url", "pagerank").iter_rows()}
        priors_path.parent.mkdir(parents=True, exist_ok=True)
        priors_path.write_text(json.dumps(priors), encoding="utf-8")
    return df


def build_search_index(lake: Lake, folder: Path) -> SearchIndex:
    """Index pages that are indexable: not noindex, not a near-duplicate, not a canonical copy."""
    pages = latest_pages(lake)
    if not pages.height:
        pages = pl.DataFrame(
            schema={
                "url": pl.String,
                "title": pl.String,
                "text": pl.String,
                "lang": pl.String,
                "content_type": pl.String,
                "noindex": pl.Int64,
                "near_dup_of": pl.String,
                "canonical": pl.String,
            }
        )
    fetched = set(pages["url"].to_list())
    # A page whose <link rel=canonical> names another page we hold is that page's copy.
    copy = pl.col("canonical").is_in(list(fetched)) & (pl.col("canonical") != pl.col("url"))
    docs = pages.filter(
        (pl.col("noindex") == 0) & pl.col("near_dup_of").is_null() & ~copy.fill_null(False)
    ).select("url", "title", "text", "lang", "content_type")
    index = SearchIndex.build(docs)
    index.save(folder)
    return index


def compute_recrawl(
    lake: Lake, lake_dir: Path, freshness_path: Path | None = None, now: float | None = None
) -> pl.DataFrame:
    """Every fetch of every URL over all crawls -> next fetch times -> ``crawl_recrawl``.

    ``freshness_path`` gets a frontier bonus per URL: how overdue it is, in intervals (<= 2).
    """
    if "crawl_pages" not in lake.tables():
        return pl.DataFrame()
    fetches = lake.query(
        "SELECT url, epoch(fetched_at) AS fetched_at, content_hash FROM crawl_pages"
    )
    df = schedule(fetches)
    publish_parquet(df, table_file(lake_dir, RECRAWL_TABLE))
    if freshness_path is not None:
        now = time.time() if now is None else now
        bonus = {
            url: min(2.0, (now - nxt) / (hours * 3600) + 1.0)
            for url, nxt, hours in df.select("url", "next_fetch", "interval_hours").iter_rows()
            if now >= nxt
        }
        freshness_path.parent.mkdir(parents=True, exist_ok=True)
        freshness_path.write_text(json.dumps(bonus), encoding="utf-8")
    return df


def merge_priors(paths: list[Path], target: Path) -> Path | None:
    """Sum the PageRank and freshness bonuses into one priors file for a crawl."""
    merged: dict[str, float] = {}
    for path in paths:
        if path.exists():
            for url, value in json.loads(path.read_text(encoding="utf-8")).items():
                merged[url] = merged.get(url, 0.0) + float(value)
    if not merged:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(merged), encoding="utf-8")
    return target
