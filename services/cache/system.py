"""The cache system's composition root: the only place its service is put together."""

from __future__ import annotations

import time
from collections.abc import Callable

from services.cache import build_cache
from services.cache.service import NAME, CacheService
from services.cache.settings import CacheSettings
from warehouse.emitter import Emitter
from warehouse.settings import Settings


def build(
    settings: Settings,
    emitter: Emitter,
    *,
    conf: CacheSettings | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> CacheService:
    """The cache system over its own tier (Redis servers when scaled out).

    ``clock`` times cache entries (TTL, near-cache, down-node retries); tests pass a fake one.
    """
    conf = conf or CacheSettings()
    client = build_cache(settings, emitter, name=NAME, clock=clock, conf=conf)
    return CacheService(client, emitter, conf=conf, clock=clock)
