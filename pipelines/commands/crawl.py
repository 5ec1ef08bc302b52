"""``blueprint crawl``: run a crawl, search its index, check URLs against a robots.txt."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click

from warehouse.settings import get_settings


@click.group("crawl")
def cli() -> None:
    """Web crawler (system 7): polite, safe Scrapy crawls, PageRank and search."""


@cli.command("run")
@click.argument("seeds", nargs=-1, required=True)
@click.option("--crawl-id", default=None, help="Reuse an id to resume that crawl.")
@click.option("--max-pages", default=200, show_default=True, type=click.IntRange(1))
@click.option("--max-depth", default=3, show_default=True, type=click.IntRange(0))
@click.option("--delay", default=1.0, show_default=True, help="Base per-host delay (s).")
@click.option("--allow-network", multiple=True, help="CIDR allowed despite being private.")
@click.option("--timeout", default=600, show_default=True, help="Wall-clock limit (s).")
def run_cmd(
    seeds: tuple[str, ...],
    crawl_id: str | None,
    max_pages: int,
    max_depth: int,
    delay: float,
    allow_network: tuple[str, ...],
    timeout: int,
) -> None:
    """Crawl from SEEDS in a subprocess, publish to the lake, rebuild PageRank and the index."""
    from crawlers.downstream import (
        build_search_index,
        compute_pagerank,
        compute_recrawl,
        crawl_root,
        index_dir,
        merge_priors,
    )
    from crawlers.requests import new_crawl_id, write_request
    from crawlers.run import CrawlConfig
    from warehouse.lake import Lake

    settings = get_settings()
    crawl_id = crawl_id or new_crawl_id()
    options = {
        "max_pages": max_pages,
        "max_depth": max_depth,
        "download_delay": delay,
        "allowed_networks": list(allow_network),
        "allow_private": settings.allow_private_targets,
    }
    try:
        write_request(settings, crawl_id, list(seeds), **options)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    root = crawl_root(settings)
    priors = merge_priors(
        [root / "priors.json", root / "freshness.json"], root / "runs" / crawl_id / "priors.json"
    )
    options["priors_path"] = str(priors) if priors else ""
    config = CrawlConfig(
        crawl_id=crawl_id,
        seeds=list(seeds),
        crawl_dir=str((root / "runs" / crawl_id).resolve()),
        lake_dir=str(settings.lake_dir.resolve()),
        **options,
    )
    path = config.save(root / "runs" / crawl_id / "config.json")
    proc = subprocess.run(
        [sys.executable, "-m", "crawlers.run", str(path)],
        check=False,
        timeout=timeout,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise click.ClickException(f"crawl failed:\n{proc.stderr[-2000:]}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    lake = Lake(settings.lake_dir)
    ranks = compute_pagerank(lake, settings.lake_dir, root / "priors.json")
    index = build_search_index(lake, index_dir(settings))
    compute_recrawl(lake, settings.lake_dir, root / "freshness.json")
    click.echo(
        f"crawl {crawl_id}: pages={report['pages']} errors={report['errors']} "
        f"bytes={report['bytes']} in {report['seconds']}s; "
        f"pagerank over {ranks.height} pages; index of {index.tf.shape[0]} docs"
    )


@cli.command("search")
@click.argument("query")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50))
def search_cmd(query: str, limit: int) -> None:
    """Search the crawl index (BM25) and print url, score, title and snippet."""
    from crawlers.downstream import index_dir
    from crawlers.search_index import SearchIndex

    folder = index_dir(get_settings())
    if not (folder / "docs.parquet").exists():
        raise click.ClickException("no search index yet: run `blueprint crawl run` or `make run`")
    hits = SearchIndex.load(folder).search(query, limit=limit)
    if not hits:
        click.echo("no results")
    for i, hit in enumerate(hits, 1):
        click.echo(f"{i}. {hit.url}  ({hit.score:.2f})  {hit.title}")
        click.echo(f"   {hit.snippet}")


@cli.command("robots-check")
@click.option(
    "--robots",
    "robots_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A robots.txt file.",
)
@click.option("--agent", required=True, help="User agent, e.g. 'BlueprintBot/1.0'.")
@click.argument("urls", nargs=-1, required=True)
def robots_check(robots_file: Path, agent: str, urls: tuple[str, ...]) -> None:
    """Print `allowed` or `disallowed` for each URL, one per line, in order (RFC 9309)."""
    from crawlers.robots import RobotsPolicy

    policy = RobotsPolicy.parse(robots_file.read_bytes())
    for url in urls:
        click.echo("allowed" if policy.allowed(url, agent) else "disallowed")
