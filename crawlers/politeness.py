"""Per-host politeness on Scrapy's downloader slots: base delay, Crawl-delay, adaptive delay.

AutoThrottle's rule (delay tends to latency / target concurrency, never shrinking on errors)
but with a per-host floor: the larger of the configured delay and robots.txt Crawl-delay,
which stock AutoThrottle would overwrite. A host listed in ``POLITENESS_HOST_DELAYS`` keeps
exactly that delay (used by the benchmark to set zero for its own loopback hosts).
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response


class Politeness:
    """Scrapy extension owning every host's delay."""

    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.base_delay = s.getfloat("DOWNLOAD_DELAY")
        self.max_delay = s.getfloat("POLITENESS_MAX_DELAY", 30.0)
        self.target = max(0.1, s.getfloat("POLITENESS_TARGET_CONCURRENCY", 1.0))
        self.fixed: dict[str, float] = dict(s.getdict("POLITENESS_HOST_DELAYS"))
        self.crawl_delays: dict[str, float] = {}
        crawler.signals.connect(self._reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(self._downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Politeness:
        return cls(crawler)

    def floor(self, key: str) -> float:
        """The smallest delay allowed for a host (downloader slot key)."""
        if key in self.fixed:
            return self.fixed[key]
        return max(self.base_delay, self.crawl_delays.get(key, 0.0))

    def set_crawl_delay(self, key: str, delay: float | None) -> None:
        if delay is None:
            return
        self.crawl_delays[key] = min(float(delay), self.max_delay)
        slot = self._slot(key)
        if slot is not None and key not in self.fixed:
            slot.delay = max(slot.delay, self.floor(key))

    def _slot(self, key: str) -> Any:
        engine = self.crawler.engine
        return engine.downloader.slots.get(key) if engine else None

    def _key(self, request: Request) -> str:
        return self.crawler.engine.downloader.get_slot_key(request)

    def _reached(self, request: Request, spider: Any = None) -> None:
        key = self._key(request)
        slot = self._slot(key)
        if slot is None:
            return
        if key in self.fixed:
            slot.delay = self.fixed[key]
        elif slot.delay < self.floor(key):
            slot.delay = self.floor(key)

    def _downloaded(self, response: Response, request: Request, spider: Any = None) -> None:
        key = self._key(request)
        slot = self._slot(key)
        latency = request.meta.get("download_latency")
        if slot is None or latency is None or key in self.fixed:
            return
        target = latency / self.target
        new = (slot.delay + target) / 2.0
        if response.status >= 400 and new < slot.delay:
            return  # errors never speed us up
        slot.delay = min(self.max_delay, max(self.floor(key), new))
