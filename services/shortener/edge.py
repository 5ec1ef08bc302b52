"""A redirect-only edge server: ``GET /s/{code}`` and ``/healthz``, nothing else.

The platform app serves redirects too (the same ``redirect_app``), but every request there
pays for the whole FastAPI stack and the platform middleware (about 150 us on these
machines). Redirects are the traffic that dwarfs everything else, so like Shlink or Bitly's
redirect tier they can run as their own lean process in front of the same cache tier and
database: per-address token-bucket rate limiting (429 + Retry-After) and click events are
kept, everything else is left to the platform app. Scaled out, the edge and the app share
the Redis cache tier, so a delete takes effect at once; with embedded in-process nodes each
process has its own cache, so the edge keeps entries only ``LOCAL_EDGE_TTL_S`` seconds.

Run: ``uvicorn --factory services.shortener.edge:create_edge_app`` (or ``blueprint shortener
edge``).
"""

from __future__ import annotations

import math
import os
from types import SimpleNamespace

import orjson

from services.cache import build_cache
from services.cache.nodes import InProcessNode
from services.db import make_engine
from services.ratelimit import TokenBucketLimiter
from services.shortener.clicks import ClickRecorder
from services.shortener.redirect import _problem, redirect_app
from services.shortener.service import LINK_TTL_S, ShortenerService
from services.shortener.store import LinkStore
from warehouse.emitter import Emitter, make_transport
from warehouse.settings import Settings, get_settings

LOCAL_EDGE_TTL_S = 30.0


class EdgeApp:
    """Raw ASGI; ``scope['app']`` is set to this object so ``redirect_app`` finds its state."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state = SimpleNamespace(settings=settings)
        self.limiter = TokenBucketLimiter(settings.rate_limit_per_minute, 60.0)
        self.served = 0

    def _start(self) -> None:
        st = self.state
        # Its own spool source: several edge processes and the platform app may run at once.
        st.emitter = Emitter(make_transport(self.settings, f"shortener-edge-{os.getpid()}"))
        st.cache = build_cache(self.settings, st.emitter)
        store = LinkStore(make_engine(self.settings, "shortener"))
        local = all(isinstance(n, InProcessNode) for n in st.cache.nodes.values())
        # In-process nodes are private to this process: deletes made through the platform app
        # cannot reach them, so entries live briefly. With Redis the tier is shared.
        st.shortener = ShortenerService(
            store,
            st.cache,
            st.emitter,
            self.settings,
            max_ttl=LOCAL_EDGE_TTL_S if local else LINK_TTL_S,
        )
        st.shortener_local_cache = local
        st.shortener_clicks = ClickRecorder(st.emitter)

    def _stop(self) -> None:
        self.state.shortener_clicks.close()
        self.state.cache.close()
        self.state.emitter.close()

    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self._start()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self._stop()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if kind != "http":
            return
        path = scope["path"]
        if path == "/healthz":
            body = orjson.dumps({"status": "ok", "served": self.served})
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if not path.startswith("/s/"):
            await _problem(send, 404, "Not Found", "this edge serves /s/<code> only")
            return
        wait = self.limiter.acquire(str((scope.get("client") or ("?",))[0]))
        if wait > 0:
            retry = str(max(1, math.ceil(wait))).encode()
            await _problem(
                send, 429, "Too Many Requests", "rate limit exceeded", [(b"retry-after", retry)]
            )
            return
        self.served += 1
        scope["app"] = self
        await redirect_app(scope, receive, send)


def create_edge_app(settings: Settings | None = None) -> EdgeApp:
    return EdgeApp(settings or get_settings())
