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

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.cache import CacheClient
from services.ratelimit import TokenBucketLimiter
from services.shortener.codes import check_alias, code_for
from services.shortener.safety import Resolver, check_target, system_resolver
from services.shortener.store import CodeTaken, Link, LinkStore
from warehouse.emitter import Emitter
from warehouse.settings import Settings

MAX_ATTEMPTS = 8
LINK_TTL_S = 3600.0
NEGATIVE_TTL_S = 30.0


class ShortenerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_SHORTENER_", extra="ignore")

    create_per_minute: float = 120.0
    create_burst: float = 30.0
    redirect_status: int = 302

    @field_validator("redirect_status")
    @classmethod
    def _redirect(cls, v: int) -> int:
        if v not in (301, 302, 307, 308):
            raise ValueError("redirect_status must be 301, 302, 307 or 308")
        return v


class Gone(Exception):
    """The link expired (410)."""


class NotFound(Exception):
    """No such link, or deleted (404)."""


class Forbidden(Exception):
    """Not the owner."""


@dataclass(frozen=True)
class Resolved:
    url: str
    cache: str  # "hit" or "miss"


def cache_key(code: str) -> str:
    return f"shortener:link:{code}"


class ShortenerService:
    def __init__(
        self,
        store: LinkStore,
        cache: CacheClient,
        emitter: Emitter,
        settings: Settings,
        *,
        conf: ShortenerSettings | None = None,
        resolver: Resolver = system_resolver,
        clock: Callable[[], float] = time.time,
        max_ttl: float = LINK_TTL_S,
    ) -> None:
        self.store = store
        self.cache = cache
        self.emitter = emitter
        self.settings = settings
        self.conf = conf or ShortenerSettings()
        self.resolver = resolver
        self.clock = clock
        self.max_ttl = max_ttl
        self.create_limiter = TokenBucketLimiter(
            self.conf.create_per_minute, 60.0, burst=self.conf.create_burst
        )

    # -- create ------------------------------------------------------------------------------
    def create(
        self, owner: str, url: str, alias: str | None = None, expires_at: float | None = None
    ) -> Link:
        """Validate and store a link; raises ValueError subclasses on bad input, CodeTaken."""
        url = check_target(
            url,
            public_base_url=self.settings.public_base_url,
            allow_private=self.settings.allow_private_targets,
            resolver=self.resolver,
        )
        now = self.clock()
        if expires_at is not None and expires_at <= now:
            raise ValueError("expiry must be in the future")
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

        def ttl_for(entry: dict[str, Any]) -> float:
            if "gone" in entry:
                return NEGATIVE_TTL_S
            e = entry.get("e")
            return (
                LINK_TTL_S
                if e is None
                else max(NEGATIVE_TTL_S, min(LINK_TTL_S, e - self.clock() + 60))
            )

        return self.cache.get_or_load(cache_key(code), loader, ttl_for=ttl_for)

    def target(self, entry: dict[str, Any]) -> str:
        """The redirect URL of a cache entry, or raise NotFound / Gone."""
        if "gone" in entry:
            raise NotFound(entry["gone"])
        e = entry.get("e")
        if e is not None and e <= self.clock():
            raise Gone()
        return entry["u"]

    def resolve(self, code: str) -> Resolved:
        entry = self.cached(code)
        if entry is not None:
            return Resolved(self.target(entry), "hit")
        return Resolved(self.target(self.load(code)), "miss")

    # -- manage ------------------------------------------------------------------------------
    def delete(self, code: str, owner: str, is_admin: bool = False) -> None:
        link = self.store.get(code)
        if link is None or link.deleted_at is not None:
            raise NotFound(code)
        if link.owner != owner and not is_admin:
            raise Forbidden(code)
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
