"""The general-purpose spider: fetch what the frontier hands out, extract, report errors."""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from crawlers.content import ContentError, extract, media_type
from crawlers.frontier import Frontier
from crawlers.items import ErrorItem, PageItem
from crawlers.middlewares import RobotsDisallowed, UnsafeRequest
from crawlers.shards import ShardLink, shard_dir
from crawlers.simhash import simhash
from crawlers.store import CrawlStore
from crawlers.urls import InvalidURL, canonical_links, canonical_url, host_of

_OTHER_SCHEME = re.compile(r"^\s*(?!https?:)[a-zA-Z][a-zA-Z0-9+.-]*:")


def classify_failure(failure: Failure) -> tuple[str, str]:
    """``(kind, reason)`` of a failed request, for the errors table."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        location = exc.response.headers.get("Location", b"").decode("latin-1")
        if 300 <= status < 400 and location:
            return "redirect", f"redirect refused ({status} to {location[:200]})"
        return "http", f"http status {status}"
    if isinstance(exc, RobotsDisallowed):
        return "robots", str(exc)
    if isinstance(exc, UnsafeRequest):
        return "unsafe", str(exc)
    if isinstance(exc, (TimeoutError, TCPTimedOutError, DownloadTimeoutError)):
        return "timeout", f"timeout: {exc}"
    if isinstance(exc, (DNSLookupError, CannotResolveHostError)):
        return "dns", f"dns: {exc}"
    if isinstance(exc, ResponseDataLossError):
        return "truncated", "truncated body (data loss)"
    if isinstance(exc, DownloadConnectionRefusedError):
        return "network", "connection refused"
    if isinstance(exc, ResponseFailed):
        inner = " ".join(type(r.value).__name__ for r in exc.reasons if hasattr(r, "value"))
        if "DataLoss" in inner or "PotentialDataLoss" in inner:
            return "truncated", "truncated body (data loss)"
        return "network", f"response failed: {inner or exc}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "DOWNLOAD_MAXSIZE" in text or "maxsize" in text.lower():
            return "size", f"size cap: {text}"
        if "redirect" in text.lower():
            return "redirect", text
        return "ignored", text or "ignored"
    return "network", f"{type(exc).__name__}: {exc}"[:300]


class SiteSpider(scrapy.Spider):
    """Crawls from ``CRAWL_SEEDS``; the frontier decides order, budgets and de-duplication."""

    name = "site"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        crawl_dir = Path(s.get("CRAWL_DIR") or ".")
        spider.shards = None
        if s.getint("CRAWL_SHARDS") > 1:
            seed_hosts = []
            for seed in s.getlist("CRAWL_SEEDS"):
                with contextlib.suppress(InvalidURL):
                    seed_hosts.append(host_of(canonical_url(seed)))
            spider.shards = ShardLink(
                crawl_dir, s.getint("CRAWL_SHARD"), s.getint("CRAWL_SHARDS"), seed_hosts
            )
            crawl_dir = shard_dir(crawl_dir, spider.shards.index)
        spider.store = CrawlStore(crawl_dir / "crawl.sqlite")
        priors: dict[str, float] = {}
        if s.get("CRAWL_PRIORS_PATH") and Path(s.get("CRAWL_PRIORS_PATH")).exists():
            priors = json.loads(Path(s.get("CRAWL_PRIORS_PATH")).read_text(encoding="utf-8"))
        spider.frontier = Frontier(
            spider.store,
            max_depth=s.getint("CRAWL_MAX_DEPTH"),
            max_pages=s.getint("CRAWL_MAX_PAGES"),
            per_host_cap=s.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            bloom_capacity=s.getint("CRAWL_BLOOM_CAPACITY"),
            bloom_fpr=s.getfloat("CRAWL_BLOOM_FPR"),
            priors=priors,
            allowed_hosts=s.getlist("CRAWL_ALLOWED_HOSTS"),
            shards=spider.shards,
        )
        spider.seeds = list(s.getlist("CRAWL_SEEDS"))
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.seeds:
            if self.shards is not None:
                try:
                    if self.shards.owner(host_of(canonical_url(url))) != self.shards.index:
                        continue  # another shard's seed
                except InvalidURL:
                    pass
            yield scrapy.Request(url, dont_filter=True)

    def record_invalid_seed(self, url: str) -> None:
        self.store.record_error(url, "url", f"invalid seed URL {url!r}", final=False)

    def parse(self, response: Response) -> Iterator[PageItem | ErrorItem]:
        url = response.meta["frontier_url"]
        ctype = response.headers.get("Content-Type", b"").decode("latin-1")
        encoding = getattr(response, "encoding", None)
        try:
            ex = extract(response.body, ctype, encoding)
        except ContentError as exc:
            yield ErrorItem(url, "content", str(exc))
            return
        # Same-page anchors and mailto:/javascript:/tel: links are neither fetchable nor errors.
        wanted = [
            (h, a, nf)
            for h, a, nf in ex.links
            if not h.startswith("#") and not (":" in h and _OTHER_SCHEME.match(h))
        ]
        links: list[tuple[str, str, bool]] = []
        seen: set[str] = set()
        resolved = canonical_links([h for h, _, _ in wanted], response.url)
        for (_href, anchor, nofollow), target in zip(wanted, resolved, strict=True):
            if isinstance(target, InvalidURL):
                yield ErrorItem(url, "url", f"invalid link: {target}", final=False)
            elif target not in seen:  # one row per target page: the first anchor wins
                seen.add(target)
                links.append((target, anchor, nofollow))
        canonical = None
        if ex.canonical and not _OTHER_SCHEME.match(ex.canonical):
            try:
                canonical = canonical_url(ex.canonical, base=response.url)
            except InvalidURL as exc:
                yield ErrorItem(url, "url", f"invalid canonical: {exc}", final=False)
        yield PageItem(
            url=url,
            final_url=response.url,
            status=response.status,
            fetched_at=time.time(),
            content_type=media_type(ctype),
            bytes=len(response.body),
            depth=response.meta.get("depth", 0),
            kind=ex.kind,
            title=ex.title,
            text=ex.text,
            lang=ex.lang,
            content_hash=ex.content_hash,
            simhash=simhash(ex.text),
            canonical=canonical,
            noindex=ex.noindex,
            nofollow=ex.nofollow,
            links=links,
        )

    def on_error(self, failure: Failure) -> Iterator[ErrorItem]:
        url = failure.request.meta.get("frontier_url", failure.request.url)
        kind, reason = classify_failure(failure)
        yield ErrorItem(url, kind, reason)

    def closed(self, reason: str) -> None:
        if self.shards is not None:
            self.shards.pump(self.store)
            self.shards.close()
        self.store.close()
