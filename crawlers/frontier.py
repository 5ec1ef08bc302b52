"""The frontier: priorities, per-host queues with a concurrency cap, budgets, persistence.

Priority = prior score (PageRank or recrawl urgency from earlier crawls) minus depth, so
shallow and important pages go first. Per host at most ``per_host_cap`` requests are handed
to the downloader at once, so one slow or delayed host never fills the downloader's queue;
the per-host delay itself is kept by the downloader slots (see ``crawlers.politeness``).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable

from crawlers.bloom import BloomFilter
from crawlers.shards import ShardLink
from crawlers.store import CrawlStore
from crawlers.urls import host_of

RECENT_CACHE = 50_000


class Frontier:
    """What to fetch next; backed by ``CrawlStore`` so it survives a kill."""

    def __init__(
        self,
        store: CrawlStore,
        *,
        max_depth: int = 5,
        max_pages: int = 10_000,
        per_host_cap: int = 2,
        bloom_capacity: int = 1_000_000,
        bloom_fpr: float = 0.001,
        priors: dict[str, float] | None = None,
        allowed_hosts: Iterable[str] = (),
        shards: ShardLink | None = None,
    ) -> None:
        self.store = store
        self.max_depth = max_depth
        self.max_pages = max_pages
        self.per_host_cap = per_host_cap
        self.priors = priors or {}
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self.shards = shards
        self.outgoing: list[tuple[int, str, str, int, float, str | None]] = []
        self.bloom = BloomFilter(bloom_capacity, bloom_fpr)
        self._queues: dict[str, list[tuple[float, int, str, int]]] = {}
        self._inflight: dict[str, int] = {}
        self._seq = itertools.count()
        self._settled: set[str] = set()
        self._recent: dict[str, None] = {}
        self._handed: set[str] = set()
        self.bloom_hits = 0
        self.bloom_false_positives = 0
        for url in store.known_urls():
            self.bloom.add(url)
        for url, host, depth, priority in store.queued():
            self._push(url, host, depth, priority)
        self._last_rowid = store.max_rowid()
        self.done = store.count("pages")

    def _push(self, url: str, host: str, depth: int, priority: float) -> None:
        heapq.heappush(self._queues.setdefault(host, []), (-priority, next(self._seq), url, depth))

    def priority(self, url: str, depth: int) -> float:
        return self.priors.get(url, 0.0) - depth

    def is_new(self, url: str) -> bool:
        """Bloom filter first (no false negatives), the SQLite seen-set to confirm a hit.

        Confirmed URLs stay in a bounded recently-seen cache: a site links to the same
        navigation pages from every page, and those would otherwise cost a query each.
        """
        if url not in self.bloom:
            return True
        self.bloom_hits += 1
        if url in self._recent:
            return False
        if self.store.is_known(url):
            self._remember(url)
            return False
        self.bloom_false_positives += 1
        return True

    def _remember(self, url: str) -> None:
        self._recent[url] = None
        if len(self._recent) > RECENT_CACHE:
            self._recent.pop(next(iter(self._recent)))

    def filter_new(
        self, urls: Iterable[str], depth: int, parent: str | None
    ) -> list[tuple[str, str, int, float, str | None]]:
        """The rows of URLs worth adding at ``depth``: within budget and never seen."""
        if depth > self.max_depth:
            return []
        rows = []
        for url in dict.fromkeys(urls):
            if self.allowed_hosts and not self._in_scope(url):
                continue
            if self.is_new(url):
                self.bloom.add(url)
                self._remember(url)
                row = (url, host_of(url), depth, self.priority(url, depth), parent)
                owner = self.shards.owner(row[1]) if self.shards else None
                if owner is None or owner == self.shards.index:
                    rows.append(row)
                else:
                    self.outgoing.append((owner, *row))
        return rows

    def take_outgoing(self) -> list[tuple[int, str, str, int, float, str | None]]:
        """URLs for other shards found since the last call (written to the outbox)."""
        out, self.outgoing = self.outgoing, []
        return out

    def poll_forwarded(self) -> int:
        """Pick up URLs other shards put into this shard's frontier."""
        rows = self.store.forwarded_since(self._last_rowid)
        for rowid, url, host, depth, priority in rows:
            self._last_rowid = max(self._last_rowid, rowid)
            if url not in self._settled:
                self.bloom.add(url)
                self._push(url, host, depth, priority)
        return len(rows)

    def _in_scope(self, url: str) -> bool:
        netloc = host_of(url)
        return netloc in self.allowed_hosts or netloc.rsplit(":", 1)[0] in self.allowed_hosts

    def accept(self, rows: list[tuple[str, str, int, float, str | None]]) -> None:
        """Make committed rows fetchable."""
        for url, host, depth, priority, _parent in rows:
            self._push(url, host, depth, priority)

    def add_seeds(self, urls: Iterable[str]) -> int:
        rows = self.filter_new(urls, 0, None)
        self.outgoing.clear()  # every shard reads the seeds and keeps only its own
        self.store.add_urls(rows)
        self.accept(rows)
        return len(rows)

    @property
    def inflight(self) -> int:
        return sum(self._inflight.values())

    def budget_left(self) -> bool:
        return self.done + self.inflight < self.max_pages

    def queued(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def has_work(self) -> bool:
        """URLs left to hand out within the page budget (in-flight ones not counted)."""
        return self.budget_left() and any(self._queues.values())

    def next(self) -> tuple[str, int] | None:
        """The highest-priority URL among hosts below their concurrency cap."""
        while self.budget_left():
            best_host, best = None, None
            for host, queue in self._queues.items():
                free = queue and self._inflight.get(host, 0) < self.per_host_cap
                if free and (best is None or queue[0] < best):
                    best_host, best = host, queue[0]
            if best_host is None:
                return None
            _, _, url, depth = heapq.heappop(self._queues[best_host])
            if url in self._settled or url in self._handed:  # a redirect target, or queued twice
                continue
            self._handed.add(url)
            self._inflight[best_host] = self._inflight.get(best_host, 0) + 1
            return url, depth
        return None

    def settle(self, url: str) -> None:
        """``url`` was fetched under another name (a redirect's final URL): skip it."""
        self._settled.add(url)

    def release(self, url: str, fetched: bool) -> None:
        """A URL handed out by ``next`` has finished (stored, or failed)."""
        host = host_of(url)
        if self._inflight.get(host, 0) > 0:
            self._inflight[host] -= 1
        if fetched:
            self.done += 1
