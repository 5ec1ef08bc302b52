"""The store pipeline: near-duplicate check, then page + links + new frontier URLs, atomically."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawlers.items import ErrorItem, PageItem
from crawlers.simhash import SimHashIndex, from_signed, to_signed
from crawlers.urls import host_of


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.simhashes = SimHashIndex(max_distance=3)
        self._loaded = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def _spider(self) -> Any:
        spider = self.crawler.spider
        if not self._loaded:
            for h, url in spider.store.simhashes():
                self.simhashes.add(from_signed(h), url)
            self._loaded = True
        return spider

    @staticmethod
    def _final(item: PageItem) -> list[str]:
        """A redirect's final URL counts as seen, so it is not fetched a second time."""
        from crawlers.urls import InvalidURL, canonical_url

        try:
            final = canonical_url(item.final_url)
        except InvalidURL:
            return []
        return [final] if final != item.url else []

    def process_item(self, item: Any, spider: Any = None) -> Any:
        spider = self._spider()
        if isinstance(item, ErrorItem):
            spider.store.record_error(item.url, item.kind, item.reason, final=item.final)
            if item.final:
                spider.frontier.release(item.url, fetched=False)
            self.crawler.stats.inc_value(f"blueprint/errors/{item.kind}")
            return item
        if not isinstance(item, PageItem):
            return item
        frontier = spider.frontier
        near = self.simhashes.near(item.simhash) if len(item.text) >= 50 else None
        if near == item.url:
            near = None
        follow = [] if item.nofollow else [to for to, _a, nf in item.links if not nf]
        same_host = item.canonical and host_of(item.canonical) == host_of(item.url)
        if same_host and item.canonical != item.url and not item.nofollow:
            follow.append(item.canonical)
        new_rows = frontier.filter_new(follow, item.depth + 1, item.url)
        finals = self._final(item)
        aliases = [(u, host_of(u), item.depth, 0.0, item.url) for u in finals]
        page = {
            "url": item.url,
            "final_url": item.final_url,
            "status": item.status,
            "fetched_at": item.fetched_at,
            "content_type": item.content_type,
            "bytes": item.bytes,
            "content_hash": item.content_hash,
            "simhash": to_signed(item.simhash),
            "near_dup_of": near,
            "title": item.title,
            "text": item.text,
            "lang": item.lang,
            "canonical": item.canonical,
            "noindex": int(item.noindex),
            "nofollow": int(item.nofollow),
            "outlinks": len(item.links),
            "depth": item.depth,
            "host": host_of(item.url),
        }
        links = [(item.url, to, anchor, int(nf)) for to, anchor, nf in item.links]
        spider.store.record_page(page, links, new_rows, aliases, frontier.take_outgoing())
        frontier.accept(new_rows)
        for final in finals:
            frontier.bloom.add(final)
            frontier.settle(final)
        frontier.release(item.url, fetched=True)
        if near is None and len(item.text) >= 50:
            self.simhashes.add(item.simhash, item.url)
        stats = self.crawler.stats
        stats.inc_value("blueprint/pages")
        stats.inc_value("blueprint/bytes", item.bytes)
        return item
