"""A redirect-only edge server: ``GET /s/{code}`` and ``/healthz``, nothing else.

The platform app serves redirects too (the same ``redirect_app``), but every request there
pays for the whole FastAPI stack and the platform middleware (about 150 us on these
machines). Redirects are the traffic that dwarfs everything else, so like Shlink or Bitly's
redirect tier they can run as their own lean process in front of the same cache tier and
database: per-address token-bucket rate limiting (429 + Retry-After) and click events are
kept, everything else is left to the platform app. Scaled out, the edge and the app share
the Redis cache tier, so a delete takes effect at once; with embedded in-process nodes each
process has its own cache, so it keeps entries only ``BLUEPRINT_SHORTENER_LOCAL_TTL_S``
seconds (30 by default).

Run: ``uvicorn --factory services.shortener.edge:create_edge_app`` (or ``blueprint shortener
edge``).
"""

from __future__ import annotations

import math
import os
from types import SimpleNamespace

import orjson

from services.ratelimit import TokenBucketLimiter
from services.shortener.redirect import _problem, redirect_app
from services.shortener.system import build
from warehouse.emitter import Emitter, make_transport
from warehouse.settings import Settings, get_settings


class EdgeApp:
    """Raw ASGI; ``scope['app']`` is set to this object so ``redirect_app`` finds the service."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state = SimpleNamespace(settings=settings, services={})
        self.limiter = TokenBucketLimiter(settings.rate_limit_per_minute, 60.0)
        self.served = 0

    def _start(self) -> None:
        # Its own spool source: several edge processes and the platform app may run at once.
        self.emitter = Emitter(make_transport(self.settings, f"shortener-edge-{os.getpid()}"))
        self.state.services["shortener"] = build(self.settings, self.emitter)

    def _stop(self) -> None:
        self.state.services.pop("shortener").close()
        self.emitter.close()

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
