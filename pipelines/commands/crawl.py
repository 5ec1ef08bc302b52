"""``blueprint crawl``: run or request a crawl, search its index, check URLs against a robots.txt.

Every command goes through the crawl service (``services/crawl/system.py``); budgets left
out come from the deployment's ``BLUEPRINT_CRAWL_*`` settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from pipelines.commands import system_service


@click.group("crawl")
def cli() -> None:
    """Web crawler (system 7): polite, safe Scrapy crawls, PageRank and search."""


@contextmanager
def crawl_service() -> Iterator[Any]:
    """The crawl service for one command, closed after; its errors become click errors."""
    from services.crawl.service import CrawlFailed

    with system_service("crawl") as svc:
        try:
            yield svc
        except CrawlFailed as exc:
            raise click.ClickException(str(exc)) from exc


def crawl_options(command):
    """The options ``run`` and ``request`` share: seeds, id and budgets."""
    options = [
        click.argument("seeds", nargs=-1, required=True),
        click.option("--crawl-id", default=None, help="Reuse an id to resume that crawl."),
        click.option(
            "--max-pages", type=click.IntRange(1), help="[default: BLUEPRINT_CRAWL_MAX_PAGES]"
        ),
        click.option(
            "--max-depth",
            type=click.IntRange(0),
            help="Link hops from a seed. [default: BLUEPRINT_CRAWL_MAX_DEPTH]",
        ),
        click.option(
            "--delay",
            type=click.FloatRange(0),
            help="Base per-host delay (s). [default: BLUEPRINT_CRAWL_DOWNLOAD_DELAY]",
        ),
        click.option("--allow-network", multiple=True, help="CIDR allowed despite being private."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _options(
    max_pages: int | None, max_depth: int | None, delay: float | None, networks: tuple[str, ...]
) -> dict[str, Any]:
    given = {"max_pages": max_pages, "max_depth": max_depth, "download_delay": delay}
    options: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if networks:
        options["allowed_networks"] = list(networks)
    return options


@cli.command("run")
@crawl_options
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    help="Wall-clock limit (s). [default: BLUEPRINT_CRAWL_RUN_TIMEOUT_S]",
)
def run_cmd(
    seeds: tuple[str, ...],
    crawl_id: str | None,
    max_pages: int | None,
    max_depth: int | None,
    delay: float | None,
    allow_network: tuple[str, ...],
    timeout: float | None,
) -> None:
    """Crawl from SEEDS in a subprocess, publish to the lake, rebuild PageRank and the index.

    Exits 1 with the reasons when the crawl fetched no page at all (every seed failed)."""
    with crawl_service() as svc:
        options = _options(max_pages, max_depth, delay, allow_network)
        crawl_id = svc.request(list(seeds), crawl_id, **options)
        report = svc.run(crawl_id, timeout_s=timeout)
        if not report["pages"] and report["errors"]:
            raise click.ClickException(_failed(crawl_id, svc.crawl_errors(crawl_id)))
        built = svc.refresh()
    click.echo(
        f"crawl {crawl_id}: pages={report['pages']} errors={report['errors']} "
        f"bytes={report['bytes']} in {report['seconds']}s; "
        f"pagerank over {built['ranked']} pages; index of {built['indexed']} docs"
    )


def _failed(crawl_id: str, errors: Any) -> str:
    """One line saying why a crawl got nothing, from its errors in the lake."""
    reasons = [f"{row['url']}: {row['reason']}" for row in errors.head(3).to_dicts()]
    more = f" (and {errors.height - 3} more)" if errors.height > 3 else ""
    return (
        f"crawl {crawl_id} fetched no page: " + "; ".join(reasons or ["no reason recorded"]) + more
    )


@cli.command("request")
@crawl_options
def request_cmd(
    seeds: tuple[str, ...],
    crawl_id: str | None,
    max_pages: int | None,
    max_depth: int | None,
    delay: float | None,
    allow_network: tuple[str, ...],
) -> None:
    """Queue a crawl for Dagster: the crawl_runs sensor makes it a partition, then it runs."""
    with crawl_service() as svc:
        crawl_id = svc.request(
            list(seeds), crawl_id, **_options(max_pages, max_depth, delay, allow_network)
        )
    click.echo(crawl_id)


@cli.command("search")
@click.argument("query")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50))
def search_cmd(query: str, limit: int) -> None:
    """Search the crawl index (BM25) and print url, score, title and snippet."""
    with crawl_service() as svc:
        hits = svc.search(query, limit)
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
@click.option("--agent", default=None, help="User agent (default: the crawler's own).")
@click.argument("urls", nargs=-1, required=True)
def robots_check(robots_file: Path, agent: str | None, urls: tuple[str, ...]) -> None:
    """Print `allowed` or `disallowed` for each URL, one per line, in order (RFC 9309)."""
    with crawl_service() as svc:
        verdicts = svc.robots_check(robots_file.read_bytes(), urls, agent)
    for allowed in verdicts:
        click.echo("allowed" if allowed else "disallowed")
