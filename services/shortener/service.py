"""The shortener's domain logic: create, resolve through the cache, delete, purge.

Redirects read the cache tier first (key ``shortener:link:<code>``); only a miss reads the
database, once for all concurrent misses (single-flight), and caches the answer, including
"unknown" and "deleted" answers for a short while so scans of random codes do not reach the
database either. Expiry is checked on the cached copy, so an expired link answers 410 from
the cache too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.cache import CacheClient
from services.errors import Forbidden, Gone, Invalid, NotFound, RateLimited
from services.ratelimit import TokenBucketLimiter
from services.shortener.clicks import ClickRecorder
from services.shortener.codes import check_alias, code_for
from services.shortener.safety import Resolver, check_target, system_resolver
from services.shortener.settings import ShortenerSettings
from services.shortener.store import CodeTaken, Link, LinkStore
from warehouse.emitter import Emitter

MAX_ATTEMPTS = 8
NEGATIVE_TTL_S = 30.0


@dataclass(frozen=True)
class Resolved:
    url: str
    cache: str  # "hit" or "miss"


def cache_key(code: str) -> str:
    return f"shortener:link:{code}"


class ShortenerService:
    """Owns the link store, its cache tier, the click recorder and the clock.

    ``max_ttl`` bounds how long the cache keeps a link: a process-local cache cannot hear of
    a delete made by another process (the app, the redirect edge, the purge job), so there it
    is short; a shared tier hears of every delete at once.
    """

    def __init__(
        self,
        store: LinkStore,
        cache: CacheClient,
        emitter: Emitter,
        *,
        public_base_url: str,
        conf: ShortenerSettings,
        max_ttl: float,
        local_cache: bool,
        resolver: Resolver = system_resolver,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.cache = cache
        self.emitter = emitter
        self.public_base_url = public_base_url.rstrip("/")
        self.conf = conf
        self.max_ttl = max_ttl
        self.local_cache = local_cache
        self.resolver = resolver
        self.clock = clock
        self.clicks = ClickRecorder(emitter)
        self.create_limiter = TokenBucketLimiter(
            self.conf.create_per_minute, 60.0, burst=self.conf.create_burst
        )

    def close(self) -> None:
        """Hand the last clicks to the emitter and release the cache tier."""
        self.clicks.close()
        self.cache.close()

    def short_url(self, code: str) -> str:
        return f"{self.public_base_url}/s/{code}"

    # -- create ------------------------------------------------------------------------------
    def create(
        self,
        owner: str,
        url: str,
        alias: str | None = None,
        expires_at: float | None = None,
        *,
        ttl_seconds: float | None = None,
        rate_key: str | None = None,
    ) -> Link:
        """Validate and store a link.

        ``rate_key`` (the caller's API key id) is charged against the per-key creation limit.
        Raises ``Invalid`` (422), ``Conflict`` (409, alias taken) or ``RateLimited`` (429).
        """
        if rate_key is not None:
            wait = self.create_limiter.acquire(rate_key)
            if wait > 0:
                raise RateLimited(
                    "link creation rate limit for this API key exceeded; retry later", wait
                )
        if expires_at is not None and ttl_seconds is not None:
            raise Invalid("give expires_at or ttl_seconds, not both")
        url = check_target(
            url,
            public_base_url=self.public_base_url,
            allow_private=self.conf.allow_private_targets,
            allow_unresolvable=self.conf.allow_unresolvable_targets,
            resolver=self.resolver,
        )
        now = self.clock()
        if ttl_seconds is not None:
            expires_at = now + ttl_seconds
        if expires_at is not None and expires_at <= now:
            raise Invalid("expiry must be in the future")
        if alias is not None:
            link = Link(check_alias(alias), url, owner, True, now, expires_at, None)
            self.store.insert(link)  # CodeTaken -> 409
        else:
            for attempt in range(MAX_ATTEMPTS):
                link = Link(code_for(url, owner, attempt), url, owner, False, now, expires_at, None)
                try:
                    self.store.insert(link)
                    break
                except CodeTaken:
                    continue
            else:  # pragma: no cover - 8 collisions in a row would need ~1e12 links
                raise CodeTaken("no free code after salted retries")
        self.cache.set(cache_key(link.code), self._entry(link), self._ttl(link))
        self.emitter.emit(
            "shortener",
            "link_created",
            actor=owner,
            entity=link.code,
            attrs={"url": url, "custom": link.custom, "expires_at": expires_at},
        )
        return link

    # -- resolve -----------------------------------------------------------------------------
    @staticmethod
    def _entry(link: Link | None) -> dict[str, Any]:
        if link is None:
            return {"gone": "unknown"}
        if link.deleted_at is not None:
            return {"gone": "deleted"}
        return {"u": link.url, "e": link.expires_at}

    def _ttl(self, link: Link | None) -> float:
        return self._entry_ttl(self._entry(link))

    def _entry_ttl(self, entry: dict[str, Any]) -> float:
        if "gone" in entry:
            return min(NEGATIVE_TTL_S, self.max_ttl)
        e = entry.get("e")
        if e is None:
            return self.max_ttl
        # Keep an expired link cached a little so its 410 also comes from the cache.
        return max(NEGATIVE_TTL_S, min(self.max_ttl, e - self.clock() + 60))

    def cached(self, code: str) -> dict[str, Any] | None:
        """The cache's answer for ``code`` (never touches the database)."""
        return self.cache.get(cache_key(code))

    def load(self, code: str) -> dict[str, Any]:
        """Read-through: the database on a miss, once for concurrent callers."""

        def loader() -> dict[str, Any]:
            return self._entry(self.store.get(code))

        return self.cache.get_or_load(cache_key(code), loader, ttl_for=self._entry_ttl)

    def target(self, entry: dict[str, Any]) -> str:
        """The redirect URL of a cache entry, or raise NotFound / Gone."""
        if "gone" in entry:
            raise NotFound(f"no such short link ({entry['gone']})")
        e = entry.get("e")
        if e is not None and e <= self.clock():
            raise Gone("this short link has expired")
        return entry["u"]

    def resolve(self, code: str) -> Resolved:
        entry = self.cached(code)
        if entry is not None:
            return Resolved(self.target(entry), "hit")
        return Resolved(self.target(self.load(code)), "miss")

    # -- manage ------------------------------------------------------------------------------
    def get(self, code: str, owner: str, is_admin: bool = False) -> Link:
        """A live link of ``owner``'s (any link for an admin)."""
        link = self.store.get(code)
        if link is None or link.deleted_at is not None:
            raise NotFound(f"no link {code!r}")
        if link.owner != owner and not is_admin:
            raise Forbidden("this link belongs to another user")
        return link

    def links_of(self, owner: str, limit: int) -> list[Link]:
        """``owner``'s live links, newest first."""
        return self.store.by_owner(owner, limit)

    def delete(self, code: str, owner: str, is_admin: bool = False) -> None:
        self.get(code, owner, is_admin)
        self.store.mark_deleted(code, self.clock())
        self.cache.set(cache_key(code), {"gone": "deleted"}, NEGATIVE_TTL_S)
        self.emitter.emit("shortener", "link_deleted", actor=owner, entity=code)

    def purge_expired(self, grace_s: float = 0.0) -> int:
        """Delete links that expired more than ``grace_s`` ago; returns how many."""
        codes = self.store.expired_codes(self.clock() - grace_s)
        n = self.store.purge(codes)
        for code in codes:
            self.cache.set(cache_key(code), {"gone": "unknown"}, NEGATIVE_TTL_S)
        if n:
            self.emitter.emit("shortener", "links_purged", attrs={"count": n})
        return n
