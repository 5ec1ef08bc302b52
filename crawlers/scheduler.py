"""A Scrapy scheduler backed by the persistent frontier.

Seeds from ``start()`` and new links (added by the store pipeline) live in the frontier;
redirect hops and retries of a URL already handed out go to a small in-memory queue.
"""

from __future__ import annotations

import heapq
import itertools
from typing import Any

from scrapy import Request
from scrapy.core.scheduler import BaseScheduler
from scrapy.crawler import Crawler

from crawlers.urls import InvalidURL, canonical_url


class FrontierScheduler(BaseScheduler):
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.spider: Any = None
        self._transient: list[tuple[int, int, Request]] = []
        self._seq = itertools.count()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        return cls(crawler)

    def open(self, spider: Any) -> None:
        self.spider = spider

    def close(self, reason: str) -> None:
        return None

    @property
    def frontier(self) -> Any:
        return self.spider.frontier

    def has_pending_requests(self) -> bool:
        return bool(self._transient) or self.frontier.has_work()

    def enqueue_request(self, request: Request) -> bool:
        if "frontier_url" in request.meta:  # a redirect hop or a retry
            heapq.heappush(self._transient, (-request.priority, next(self._seq), request))
            return True
        try:
            url = canonical_url(request.url)
        except InvalidURL:
            self.spider.record_invalid_seed(request.url)
            return False
        return self.frontier.add_seeds([url]) > 0

    def next_request(self) -> Request | None:
        if self._transient:
            return heapq.heappop(self._transient)[2]
        nxt = self.frontier.next()
        if nxt is None:
            return None
        url, depth = nxt
        return Request(
            url,
            callback=self.spider.parse,
            errback=self.spider.on_error,
            meta={"frontier_url": url, "depth": depth},
            priority=-depth,
            dont_filter=True,
        )

    def __len__(self) -> int:
        return len(self._transient) + self.frontier.queued()
