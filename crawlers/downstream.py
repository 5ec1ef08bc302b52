"""What the crawl feeds: PageRank, the search index and the recrawl schedule (plain functions
over the lake, called by the Dagster assets and the CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from crawlers.graph import pagerank
from crawlers.recrawl import schedule
from crawlers.search_index import SearchIndex
from warehouse.lake import Lake
from warehouse.parquet_io import publish_parquet
from warehouse.settings import Settings

LATEST_PAGES = """
SELECT * FROM crawl_pages
QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC, crawl_id DESC) = 1
"""


def crawl_root(settings: Settings) -> Path:
    return settings.data_dir / "crawl"


def index_dir(settings: Settings) -> Path:
    return crawl_root(settings) / "index"


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
    publish_parquet(df, lake_dir / "crawl_pagerank" / "part.parquet")
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
        pages = pl.DataFrame(schema={"url": pl.String, "title": pl.String, "text": pl.String,
                                     "lang": pl.String, "content_type": pl.String,
                                     "noindex": pl.Int64, "near_dup_of": pl.String,
                                     "canonical": pl.String})  # fmt: skip
    docs = pages.filter(
        (pl.col("noindex") == 0)
        & pl.col("near_dup_of").is_null()
        & (pl.col("canonical").is_null() | (pl.col("canonical") == pl.col("url")))
    ).select("url", "title", "text", "lang", "content_type")
    index = SearchIndex.build(docs)
    index.save(folder)
    return index


def compute_recrawl(lake: Lake, lake_dir: Path) -> pl.DataFrame:
    """Every fetch of every URL over all crawls -> next fetch times -> ``crawl_recrawl``."""
    if "crawl_pages" not in lake.tables():
        return pl.DataFrame()
    fetches = lake.query(
        "SELECT url, epoch(fetched_at) AS fetched_at, content_hash FROM crawl_pages"
    )
    df = schedule(fetches)
    publish_parquet(df, lake_dir / "crawl_recrawl" / "part.parquet")
    return df
