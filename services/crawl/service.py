"""The crawler's service: crawl requests and runs, what the crawl feeds, and search.

A crawl runs in a child process (``python -m crawlers.run CONFIG.json``): Scrapy's reactor
cannot restart inside one process. The service writes that config from the request and the
deployment's defaults; the Dagster asset launches it through Pipes, ``blueprint crawl run``
through :meth:`CrawlService.run`. PageRank, the BM25 index and the recrawl schedule are
rebuilt from the lake, and the index is served by :meth:`CrawlService.search`, which reloads
it when the ``crawl_search_index`` asset writes a new one.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from crawlers.downstream import (
    PAGERANK_TABLE,
    RECRAWL_TABLE,
    build_search_index,
    compute_pagerank,
    compute_recrawl,
    crawl_root,
    index_dir,
    merge_priors,
    table_file,
)
from crawlers.requests import new_crawl_id, pending_ids, read_request, write_request
from crawlers.robots import RobotsPolicy
from crawlers.run import CrawlConfig
from crawlers.search_index import Hit, SearchIndex
from crawlers.urls import InvalidURL, canonical_url
from services.crawl.settings import CrawlSettings
from services.crawl.store import IndexHolder
from services.errors import Invalid, NotFound, Unavailable
from warehouse.emitter import Emitter
from warehouse.lake import Lake
from warehouse.parquet_io import partition_dir
from warehouse.settings import Settings

# Scrapy settings only the deployment sets: what the crawler may reach and how much it reads.
GUARDED_SETTINGS = frozenset(
    {
        "CRAWL_ALLOW_PRIVATE",
        "CRAWL_ALLOWED_NETWORKS",
        "CRAWL_ALLOW_UNRESOLVABLE",
        "DOWNLOAD_MAXSIZE",
        "REDIRECT_MAX_TIMES",
    }
)

MAX_HITS = 50
# Fields of a crawl's config that belong to the service, never to a request.
OWNED_FIELDS = frozenset({"crawl_id", "crawl_dir", "lake_dir", "priors_path"})


class CrawlFailed(RuntimeError):
    """The crawl process failed or overran its time; the message says how."""


class CrawlService:
    """Owns the crawl folder (requests, runs, priors), the loaded search index and the clock."""

    def __init__(
        self,
        settings: Settings,
        emitter: Emitter,
        *,
        conf: CrawlSettings,
        python: str = sys.executable,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.emitter = emitter
        self.conf = conf
        self.python = python
        self.clock = clock
        self.root = crawl_root(settings)
        self.lake_dir = settings.lake_dir
        self.index = IndexHolder(index_dir(settings))

    def lake(self) -> Lake:
        return Lake(self.lake_dir)

    # -- search ------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 10, *, actor: str | None = None) -> list[Hit]:
        """BM25 over the newest index (title weighted, stemmed), snippets marking the words.

        Raises ``Invalid`` (422) for a query without words or a bad limit, ``Unavailable``
        (503) before the first index exists.
        """
        if not query.strip():
            raise Invalid("q must contain at least one word")
        if not 1 <= limit <= MAX_HITS:
            raise Invalid(f"limit must be between 1 and {MAX_HITS}")
        index = self.index.get()
        if index is None:
            raise Unavailable(
                "no search index yet: materialise crawl_search_index (or run `blueprint crawl run`)"
            )
        hits = index.search(query, limit=limit)
        self.emitter.emit(
            "crawl", "search", actor=actor, attrs={"q": query[:200], "hits": len(hits)}
        )
        return hits

    # -- robots.txt --------------------------------------------------------------------------
    def robots_check(
        self, robots: bytes | str, urls: Iterable[str], agent: str | None = None
    ) -> list[bool]:
        """Whether ``agent`` (the deployment's user agent by default) may fetch each URL under
        this robots.txt body, in order (RFC 9309, as the crawl itself decides)."""
        policy = RobotsPolicy.parse(robots)
        who = agent or self.conf.user_agent
        return [policy.allowed(url, who) for url in urls]

    # -- crawl requests and runs -------------------------------------------------------------
    def request(self, seeds: Sequence[str], crawl_id: str | None = None, **options: Any) -> str:
        """Record a crawl request (seeds plus ``CrawlConfig`` options); returns its crawl id.

        The ``crawl_runs`` sensor makes it a partition of ``crawl_pages``. Raises ``Invalid``
        for a bad id, no seeds, a seed that is not an absolute http(s) URL or an unknown
        option.
        """
        crawl_id = crawl_id or self.new_id()
        allowed = set(CrawlConfig.__dataclass_fields__) - OWNED_FIELDS - {"seeds"}
        unknown = sorted(set(options) - allowed)
        if unknown:
            raise Invalid(f"unknown crawl options: {', '.join(unknown)}")
        guarded = sorted(set(options.get("extra_settings", {})) & GUARDED_SETTINGS)
        if guarded:
            raise Invalid(
                f"a crawl request cannot set {', '.join(guarded)}: the deployment's "
                "BLUEPRINT_CRAWL_* settings decide them"
            )
        try:
            canonical = [canonical_url(seed) for seed in seeds]
        except InvalidURL as exc:
            raise Invalid(f"bad seed URL: {exc}") from exc
        for cidr in options.get("allowed_networks", []):
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as exc:
                raise Invalid(f"allowed network {cidr!r} is not a CIDR") from exc
        try:
            write_request(self.settings, crawl_id, list(seeds), **options)
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        self.emitter.emit(
            "crawl", "crawl_requested", entity=crawl_id, attrs={"seeds": canonical[:20]}
        )
        return crawl_id

    def new_id(self, prefix: str = "crawl") -> str:
        """A fresh crawl id from the clock, e.g. ``crawl-20250101T120000``."""
        return new_crawl_id(prefix, self.clock())

    def pending(self) -> list[str]:
        """Ids of every crawl requested so far (run or not), sorted."""
        return pending_ids(self.settings)

    def config(self, crawl_id: str) -> CrawlConfig:
        """The config of crawl ``crawl_id``: the deployment's defaults, then its request, with
        the priors of earlier crawls merged into the run's folder.

        A request may name extra networks it may reach (``allowed_networks``) and may switch
        private targets off, but not on when the deployment does not allow them.
        """
        try:
            request = read_request(self.settings, crawl_id)
        except FileNotFoundError as exc:
            raise NotFound(f"no crawl request {crawl_id!r}") from exc
        conf = self.conf
        fields: dict[str, Any] = {
            "max_pages": conf.max_pages,
            "max_depth": conf.max_depth,
            "download_delay": conf.download_delay,
            "timeout": conf.timeout,
            "concurrency": conf.concurrency,
            "per_host": conf.per_host,
            "processes": conf.processes,
            "allowed_networks": list(conf.allowed_networks),
        }
        known = set(CrawlConfig.__dataclass_fields__) - OWNED_FIELDS
        fields.update({k: v for k, v in request.items() if k in known})
        fields["allow_private"] = conf.allow_private_targets and bool(
            request.get("allow_private", True)
        )
        extras = request.get("extra_settings", {})
        # A request file may be written by hand: the deployment's safety settings still win.
        extras = {k: v for k, v in extras.items() if k not in GUARDED_SETTINGS}
        fields["extra_settings"] = {**extras, **conf.scrapy_overrides()}
        run_dir = self.run_dir(crawl_id)
        priors = merge_priors(
            [self.root / "priors.json", self.root / "freshness.json"], run_dir / "priors.json"
        )
        return CrawlConfig(
            **fields,
            crawl_id=crawl_id,
            crawl_dir=str(run_dir.resolve()),
            lake_dir=str(self.lake_dir.resolve()),
            priors_path=str(priors.resolve()) if priors else "",
        )

    def run_dir(self, crawl_id: str) -> Path:
        return self.root / "runs" / crawl_id

    def prepare(self, crawl_id: str) -> Path:
        """Write crawl ``crawl_id``'s config file; the same id again resumes that crawl."""
        config = self.config(crawl_id)
        return config.save(Path(config.crawl_dir) / "config.json").resolve()

    def command(self, config_path: Path) -> list[str]:
        """The command that runs one crawl in a fresh process."""
        return [self.python, "-m", "crawlers.run", str(config_path)]

    def run(self, crawl_id: str, *, timeout_s: float | None = None) -> dict[str, Any]:
        """Run crawl ``crawl_id`` to completion in a child process; returns its report.

        The crawl publishes its pages, links and errors to the lake itself. Raises
        ``CrawlFailed`` when the process fails or outlives ``timeout_s`` (the deployment's
        ``run_timeout_s`` by default); running the same id again resumes it.
        """
        timeout = self.conf.run_timeout_s if timeout_s is None else timeout_s
        command = self.command(self.prepare(crawl_id))
        try:
            proc = subprocess.run(
                command, check=False, timeout=timeout, capture_output=True, text=True
            )
        except subprocess.TimeoutExpired as exc:
            raise CrawlFailed(
                f"crawl {crawl_id} ran past {timeout:g}s; run it again with the same id to resume"
            ) from exc
        if proc.returncode != 0:
            raise CrawlFailed(f"crawl {crawl_id} failed:\n{proc.stderr[-2000:]}")
        report = json.loads(proc.stdout.strip().splitlines()[-1])
        self.finished(crawl_id, report)
        return report

    def finished(self, crawl_id: str, report: dict[str, Any]) -> None:
        """Record that a crawl ended (whoever ran it) as a ``crawl_finished`` event."""
        self.emitter.emit(
            "crawl",
            "crawl_finished",
            entity=crawl_id,
            attrs={k: report.get(k) for k in ("pages", "errors", "bytes", "pages_per_s")},
        )

    def crawled_pages(self, crawl_id: str) -> pl.DataFrame:
        """The ``crawl_pages`` partition of one crawl, as its run published it."""
        path = partition_dir(self.lake_dir, "crawl_pages", {"crawl_id": crawl_id}) / "part.parquet"
        if not path.exists():
            return pl.DataFrame(schema={"url": pl.String})
        return pl.read_parquet(path)

    def crawl_errors(self, crawl_id: str) -> pl.DataFrame:
        """The ``crawl_errors`` partition of one crawl: url, kind, reason, at."""
        path = partition_dir(self.lake_dir, "crawl_errors", {"crawl_id": crawl_id})
        path = path / "part.parquet"
        if not path.exists():
            return pl.DataFrame(schema={"url": pl.String, "kind": pl.String, "reason": pl.String})
        return pl.read_parquet(path)

    # -- what the crawl feeds ----------------------------------------------------------------
    def pagerank(self) -> pl.DataFrame:
        """PageRank of the newest link graph -> ``crawl_pagerank``; priors for the next crawl."""
        return compute_pagerank(self.lake(), self.lake_dir, self.root / "priors.json")

    def build_index(self) -> SearchIndex:
        """The BM25 index of indexable pages; :meth:`search` serves it from its next call."""
        return build_search_index(self.lake(), index_dir(self.settings))

    def recrawl(self) -> pl.DataFrame:
        """Next fetch time per URL from its change rate -> ``crawl_recrawl``; freshness
        bonuses for the next crawl."""
        return compute_recrawl(
            self.lake(), self.lake_dir, self.root / "freshness.json", now=self.clock()
        )

    def refresh(self) -> dict[str, int]:
        """Rebuild PageRank, the index and the recrawl schedule (what the assets do)."""
        ranks = self.pagerank()
        index = self.build_index()
        recrawl = self.recrawl()
        return {"ranked": ranks.height, "indexed": index.tf.shape[0], "scheduled": recrawl.height}

    def published(self, table: str) -> pl.DataFrame | None:
        """``crawl_pagerank`` or ``crawl_recrawl`` as last written (``None`` before that)."""
        if table not in (PAGERANK_TABLE, RECRAWL_TABLE):
            raise ValueError(f"not a crawl table: {table!r}")
        path = table_file(self.lake_dir, table)
        return pl.read_parquet(path) if path.exists() else None

    def saved_index(self) -> SearchIndex | None:
        """The index as last written to disk (what the API serves)."""
        return self.index.get()
