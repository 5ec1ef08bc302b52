"""The shortener's composition root: the only place its service is put together."""

from __future__ import annotations

import time
from collections.abc import Callable

from services.cache import build_cache
from services.cache.nodes import InProcessNode
from services.db import make_engine
from services.shortener.safety import Resolver, system_resolver
from services.shortener.service import ShortenerService
from services.shortener.settings import ShortenerSettings
from services.shortener.store import LinkStore
from warehouse.emitter import Emitter
from warehouse.settings import Settings


def build(
    settings: Settings,
    emitter: Emitter,
    *,
    conf: ShortenerSettings | None = None,
    resolver: Resolver = system_resolver,
    clock: Callable[[], float] = time.time,
    cache_clock: Callable[[], float] = time.monotonic,
) -> ShortenerService:
    """The shortener over its store and its own cache tier (Redis when scaled out).

    ``clock`` is wall time (expiry); ``cache_clock`` times cache entries. Tests pass one fake
    clock for both.
    """
    conf = conf or ShortenerSettings()
    cache = build_cache(settings, emitter, name="shortener", clock=cache_clock)
    local = all(isinstance(n, InProcessNode) for n in cache.nodes.values())
    return ShortenerService(
        LinkStore(make_engine(settings, "shortener")),
        cache,
        emitter,
        public_base_url=settings.public_base_url,
        conf=conf,
        max_ttl=conf.local_ttl_s if local else conf.link_ttl_s,
        local_cache=local,
        resolver=resolver,
        clock=clock,
    )
