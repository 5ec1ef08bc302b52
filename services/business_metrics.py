"""A few figures per system beside the HTTP ones in ``/metrics``, read from the services when
Prometheus scrapes (nothing is counted twice, nothing runs between scrapes):

- ``blueprint_shortener_redirects_total``: redirects served, from the HTTP counter of the
  ``/s/...`` route;
- ``blueprint_cache_hits_total``, ``..._misses_total`` and ``blueprint_cache_hit_ratio`` of
  the serving app's cache tier;
- ``blueprint_notifications`` by delivery status (``sent``, ``pending``, ``dead``, ...).

A system that is not mounted, or whose figures cannot be read right now, is left out of that
scrape rather than failing it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from services.middleware import REQUESTS

log = logging.getLogger(__name__)
REDIRECTS = {"301", "302", "303", "307", "308"}


class BusinessMetrics(Collector):
    """Collects the figures above from the app's services."""

    def __init__(self, services: dict[str, Any]) -> None:
        self.services = services

    def collect(self) -> Iterator[Any]:
        for part in (self._redirects, self._cache, self._notify):
            try:
                yield from part()
            except Exception:  # a store that is busy or gone: skip it this scrape
                log.warning("business metrics: %s skipped", part.__name__, exc_info=True)

    def _redirects(self) -> Iterator[Any]:
        if "shortener" not in self.services:
            return
        total = 0.0
        for metric in REQUESTS.collect():
            for sample in metric.samples:
                labels = sample.labels
                if (
                    sample.name.endswith("_total")
                    and labels.get("route", "").startswith("/s/")
                    and labels.get("status") in REDIRECTS
                ):
                    total += sample.value
        yield CounterMetricFamily(
            "blueprint_shortener_redirects", "Short links followed (3xx answers)", value=total
        )

    def _cache(self) -> Iterator[Any]:
        cache = self.services.get("cache")
        if cache is None:
            return
        stats = cache.stats()
        yield CounterMetricFamily(
            "blueprint_cache_hits", "Cache tier hits", value=stats.get("hits", 0)
        )
        yield CounterMetricFamily(
            "blueprint_cache_misses", "Cache tier misses", value=stats.get("misses", 0)
        )
        if stats.get("hit_ratio") is not None:
            yield GaugeMetricFamily(
                "blueprint_cache_hit_ratio",
                "Cache tier hits / lookups (0 to 1)",
                value=stats["hit_ratio"],
            )

    def _notify(self) -> Iterator[Any]:
        notify = self.services.get("notify")
        if notify is None:
            return
        family = GaugeMetricFamily(
            "blueprint_notifications", "Notification deliveries by status", labels=["status"]
        )
        for status, count in sorted(notify.stats().items()):
            family.add_metric([status], count)
        yield family
