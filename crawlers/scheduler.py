"""A Scrapy scheduler backed by the persistent frontier.

Seeds from ``start()`` and new links (added by the store pipeline) live in the frontier;
redirect hops and retries of a URL already handed out go to a small in-memory queue.
"""

from __future__ import annotations

import heapq
import itertools
import time
from typing import Any

from scrapy import Request
from scrapy.core.scheduler import BaseScheduler
from scrapy.crawler import Crawler

from crawlers.urls import InvalidURL, canonical_url

QUIET_SECONDS = 0.5


class FrontierScheduler(BaseScheduler):
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.spider: Any = None
        self._transient: list[tuple[int, int, Request]] = []
        self._seq = itertools.count()
        self._last_tick = 0.0
        self._quiet: tuple[float, int] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        return cls(crawler)

    def open(self, spider: Any) -> None:
        self.spider = spider
        # The same bound-method objects for every request: Scrapy caches its per-callback
        # source inspection in a weak-keyed cache, which a fresh bound method would miss.
        self._callback, self._errback = spider.parse, spider.on_error

    def close(self, reason: str) -> None:
        return None

    @property
    def frontier(self) -> Any:
        return self.spider.frontier

    def _tick(self, force: bool = False) -> None:
        """Sharded crawls: pump the outbox and pick up forwarded URLs, at most 5 times/s."""
        shards = self.spider.shards
        now = time.monotonic()
        if shards is None or (not force and now - self._last_tick < 0.2):
            return
        self._last_tick = now
        shards.pump(self.spider.store)
        self.frontier.poll_forwarded()

    def has_pending_requests(self) -> bool:
        if self._transient or self.frontier.has_work():
            return True
        shards = self.spider.shards
        if shards is None:
            return False
        self._tick()
        if self.frontier.has_work():
            shards.set_idle(False)
            return True
        if self.frontier.inflight:
            return True  # pages in flight may still forward links
        self._tick(force=True)  # empty the outbox
        shards.set_idle(True)  # then say idle, then look for work that came meanwhile
        self._tick(force=True)
        if self.frontier.has_work():
            shards.set_idle(False)
            self._quiet = None
            return True
        # Stop only when all shards stayed idle, with no busy flip, for QUIET_SECONDS.
        all_idle, gen = shards.snapshot()
        now = time.monotonic()
        if not all_idle or self._quiet is None or self._quiet[1] != gen:
            self._quiet = (now, gen) if all_idle else None
            return True
        return now - self._quiet[0] < QUIET_SECONDS

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
        self._tick()
        nxt = self.frontier.next()
        if nxt is None:
            return None
        url, depth = nxt
        return Request(
            url,
            callback=self._callback,
            errback=self._errback,
            meta={"frontier_url": url, "depth": depth},
            priority=-depth,
            dont_filter=True,
        )

    def __len__(self) -> int:
        return len(self._transient) + self.frontier.queued()
