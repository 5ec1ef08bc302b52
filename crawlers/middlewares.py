"""Downloader middlewares: target safety (``warehouse.urlsafety``, before and after DNS) and
RFC 9309 robots.txt.

``RobotsMiddleware`` replaces Scrapy's stock one, which parses the body whatever the status,
treats download errors as allow-all and caches for the whole crawl.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.httpobj import urlparse_cached

from crawlers.robots import MAX_CACHE_SECONDS, RobotsPolicy
from warehouse.urlsafety import (
    Policy,
    UnsafeURLError,
    check_addresses,
    check_literal,
    parse_networks,
    parse_url,
)


class UnsafeRequest(IgnoreRequest):
    """Refused before any byte is sent: bad scheme or a disallowed resolved address."""


class RobotsDisallowed(IgnoreRequest):
    """robots.txt (or its fetch outcome) forbids the URL."""


class SafetyMiddleware:
    """http/https only and no private targets; every redirect hop comes back through here.

    The URL is read as browsers read it (``warehouse.urlsafety``) and an IP-literal host is
    vetted before any DNS; then the host the download handler will connect to is resolved
    and every address it resolves to is vetted too (at fetch time, cached for a minute).
    """

    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.policy = Policy(
            allow_private=s.getbool("CRAWL_ALLOW_PRIVATE"),
            allowed_networks=parse_networks(s.getlist("CRAWL_ALLOWED_NETWORKS")),
            allow_unresolvable=s.getbool("CRAWL_ALLOW_UNRESOLVABLE"),
            max_length=None,
        )
        self._cache: dict[str, tuple[float, list[str]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafetyMiddleware:
        return cls(crawler)

    async def lookup(self, host: str) -> list[str]:
        """Every address of ``host`` (the system resolver; tests replace this)."""
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, proto=6)
        return sorted({str(i[4][0]) for i in infos})

    async def _addresses(self, host: str) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]  # an address literal needs no lookup
        except ValueError:
            pass
        hit = self._cache.get(host)
        if hit and time.monotonic() - hit[0] < 60:
            return hit[1]
        try:
            addrs = await self.lookup(host)
        except (OSError, UnicodeError) as exc:
            if self.policy.allow_unresolvable:
                return []
            raise UnsafeRequest(f"dns: cannot resolve {host}: {exc}") from exc
        self._cache[host] = (time.monotonic(), addrs)
        return addrs

    async def process_request(self, request: Request, spider: Any = None) -> None:
        try:
            check_literal(parse_url(request.url, max_length=None), self.policy)
        except UnsafeURLError as exc:
            raise UnsafeRequest(f"unsafe: {exc.detail}") from exc
        host = urlparse_cached(request).hostname  # what the download handler connects to
        if not host:
            raise UnsafeRequest("unsafe: no host")
        try:
            check_addresses(host, await self._addresses(host), self.policy)
        except UnsafeURLError as exc:
            raise UnsafeRequest(f"unsafe: {exc.detail}") from exc


class RobotsMiddleware:
    """Fetch, cache (at most 24 h) and obey robots.txt per host, RFC 9309 outcomes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.agent = crawler.settings.get("USER_AGENT")
        self.max_age = min(crawler.settings.getfloat("ROBOTS_CACHE_SECONDS"), MAX_CACHE_SECONDS)
        self._cache: dict[str, RobotsPolicy] = {}
        self._pending: dict[str, asyncio.Future[RobotsPolicy]] = {}
        self.fetches = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        policy = await self.policy_for(request.url)
        if not policy.allowed(request.url, self.agent):
            self.crawler.stats.inc_value("robotstxt/forbidden")
            raise RobotsDisallowed(f"robots: disallowed ({policy.reason})")

    async def policy_for(self, url: str) -> RobotsPolicy:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._cache.get(origin)
        if cached is not None and not cached.expired(self.max_age):
            return cached
        if origin in self._pending:
            return await asyncio.shield(self._pending[origin])
        future: asyncio.Future[RobotsPolicy] = asyncio.get_running_loop().create_future()
        self._pending[origin] = future
        try:
            policy = await self._fetch(origin)
            self._cache[origin] = policy
            future.set_result(policy)
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            del self._pending[origin]
        return policy

    async def _fetch(self, origin: str) -> RobotsPolicy:
        self.fetches += 1
        request = Request(
            f"{origin}/robots.txt",
            priority=1000,
            meta={"dont_obey_robotstxt": True},
            callback=NO_CALLBACK,
            dont_filter=True,
        )
        try:
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest as exc:
            if "max redirections" in str(exc).lower() or "redirect" in str(exc).lower():
                policy = RobotsPolicy.from_fetch(399)
            else:
                policy = RobotsPolicy.from_fetch(None)
                policy.reason = f"robots.txt not fetched ({exc}): disallow all"
        except Exception as exc:  # noqa: BLE001 - any transport failure means unreachable
            policy = RobotsPolicy.from_fetch(None)
            policy.reason = f"unreachable ({type(exc).__name__}): disallow all"
        else:
            policy = RobotsPolicy.from_fetch(response.status, response.body)
        self.crawler.stats.inc_value("robotstxt/fetches")
        politeness = self._politeness()
        if politeness is not None:
            key = urlsplit(origin).hostname or ""
            politeness.set_crawl_delay(key, policy.crawl_delay(self.agent))
        return policy

    def _politeness(self) -> Any:
        from crawlers.politeness import Politeness

        return self.crawler.get_extension(Politeness)
