"""The one ASGI app that mounts every built system's router.

The systems come from the registry (``warehouse.systems``). Each provides
``services/<id>/api.py`` with a module-level ``router`` and, for HTTP-only wiring (extra raw
ASGI mounts, background tasks), optional ``async def startup(app)`` / ``async def
shutdown(app)``. Services themselves are built by ``services.compose`` through each system's
composition root and handed to routers by ``services.deps.system_service``. Each system can
also run alone: ``create_app(only=["shortener"])``.

``server_config`` is how the app is served (``blueprint serve``, and tests that need a real
server): the limits that only a server can enforce, on the raw connection, before the app
sees a request.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any, ClassVar

import h11
import uvicorn
from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from uvicorn.protocols.http.h11_impl import H11Protocol

from services.auth import KeyStore
from services.compose import build_services, close_services
from services.db import make_engine
from services.middleware import REGISTRY, PlatformMiddleware
from services.problems import install_problem_handlers
from services.ratelimit import TokenBucketLimiter
from warehouse.emitter import Emitter, get_emitter
from warehouse.settings import Settings, get_settings
from warehouse.systems import built, system

log = logging.getLogger(__name__)


def discover_systems(only: Iterable[str] | None = None) -> dict[str, ModuleType]:
    """The router module of every built system (or of ``only``), by system id.

    A built system without ``services/<id>/api.py`` or without a ``router`` in it is an
    error, not a silent skip.
    """
    ids = [s.id for s in built()] if only is None else [system(i).id for i in only]
    found: dict[str, ModuleType] = {}
    for system_id in ids:
        module = importlib.import_module(f"services.{system_id}.api")
        if not hasattr(module, "router"):
            raise RuntimeError(f"services.{system_id}.api defines no router")
        found[system_id] = module
    return found


class Health(BaseModel):
    status: str
    systems: list[str]


def create_app(
    settings: Settings | None = None,
    emitter: Emitter | None = None,
    *,
    only: Iterable[str] | None = None,
    services: dict[str, Any] | None = None,
) -> FastAPI:
    """The platform app. ``services`` hands in services already built (a test's fixture with
    a fake clock, say); the rest are built through their composition roots."""
    settings = settings or get_settings()
    systems = discover_systems(only)
    emitter = emitter or get_emitter(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for name, module in systems.items():
            if hasattr(module, "startup"):
                log.info("starting %s", name)
                await module.startup(app)
        try:
            yield
        finally:
            for module in reversed(list(systems.values())):
                if hasattr(module, "shutdown"):
                    await module.shutdown(app)
            close_services(app.state.services)
            app.state.emitter.flush()

    app = FastAPI(
        title="System Blueprints",
        version="0.1.0",
        description="Fifteen classic system designs as one data and ML platform.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.emitter = emitter
    app.state.services = build_services(settings, emitter, systems, built=services)
    app.state.keystore = KeyStore(
        make_engine(settings, "accounts"), settings.admin_api_key, emitter
    )
    app.state.body_limits = {}
    install_problem_handlers(app)

    @app.get("/healthz", response_model=Health, tags=["platform"], operation_id="healthz")
    def healthz() -> Health:
        return Health(status="ok", systems=sorted(systems))

    @app.get("/metrics", tags=["platform"], operation_id="metrics", response_class=Response)
    def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    from services.accounts import router as accounts_router

    app.include_router(accounts_router)
    for module in systems.values():
        app.include_router(module.router)
        if hasattr(module, "BODY_LIMITS"):
            app.state.body_limits.update(module.BODY_LIMITS)

    app.add_middleware(
        PlatformMiddleware,
        limiter=TokenBucketLimiter(
            settings.rate_limit_per_minute, 60.0, max_keys=settings.rate_limit_buckets
        ),
        max_body_bytes=settings.max_body_bytes,
        body_limits=app.state.body_limits,
        keystore=app.state.keystore,
        max_header_count=settings.max_header_count,
        max_header_bytes=settings.max_header_bytes,
        body_timeout_s=settings.body_timeout_s,
        body_min_bytes_per_s=settings.body_min_bytes_per_s,
    )
    return app


_HEADER_TIMEOUT_BODY = b"request headers took too long\r\n"
# Written raw: h11 cannot answer a request it has not parsed yet.
_HEADER_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s"
    % (len(_HEADER_TIMEOUT_BODY), _HEADER_TIMEOUT_BODY)
)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header-read deadline, which uvicorn lacks.

    A connection's first request must send its whole header block within
    ``header_timeout_s`` of the connection opening, and a later request within
    ``header_timeout_s`` of its first byte (idle keep-alive connections are uvicorn's
    ``timeout_keep_alive``). A client that is too slow gets 408 and the connection closes;
    one that sent nothing is just closed. A header block past h11's buffer limit
    (``h11_max_incomplete_event_size``) gets 431 rather than uvicorn's generic 400.
    """

    header_timeout_s: ClassVar[float] = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_started = False
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._header_started = True
            self._arm_header_timer()
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm_header_timer()  # the header block is in (or the request failed)

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout_s, self._header_timeout)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        self._header_started = False

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self._header_started:
            self.logger.warning("Request headers not received within %gs.", self.header_timeout_s)
            self.transport.write(_HEADER_TIMEOUT_RESPONSE)
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        limit = self.config.h11_max_incomplete_event_size or h11.DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
        if len(self.conn.trailing_data[0]) <= limit:
            super().send_400_response(msg)
            return
        self.logger.warning("Request header block over %d bytes.", limit)
        body = f"request header block over {limit} bytes\r\n".encode()
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        reason = b"Request Header Fields Too Large"
        response = h11.Response(status_code=431, headers=headers, reason=reason)
        self.transport.write(self.conn.send(response))
        self.transport.write(self.conn.send(h11.Data(data=body)))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()


def server_config(
    app: Any, settings: Settings, *, host: str | None = None, port: int | None = None, **extra: Any
) -> uvicorn.Config:
    """The uvicorn configuration the platform is served with.

    - HTTP/1.1 through h11 with the header block bounded (``h11_max_incomplete_event_size``,
      twice ``max_header_bytes`` to leave room for the request line; the middleware then
      applies the exact header count and size limits) and read within ``header_timeout_s``
      (``GuardedH11Protocol``);
    - idle keep-alive connections closed after ``keep_alive_s``; 503 past
      ``max_connections`` open connections;
    - ``X-Forwarded-For``/``-Proto`` believed only from ``trusted_proxies`` (none by default:
      uvicorn's own default trusts loopback, which would let any local client pick its
      rate-limit bucket).
    """
    trusted = settings.trusted_proxy_list
    protocol = type(
        "GuardedH11Protocol", (GuardedH11Protocol,), {"header_timeout_s": settings.header_timeout_s}
    )
    options: dict[str, Any] = {
        "host": host or settings.host,
        "port": port or settings.port,
        "http": protocol,
        "h11_max_incomplete_event_size": 2 * settings.max_header_bytes,
        "timeout_keep_alive": settings.keep_alive_s,
        "limit_concurrency": settings.max_connections,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted,
        **extra,
    }
    return uvicorn.Config(app, **options)
