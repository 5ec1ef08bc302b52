"""The one ASGI app that mounts every built system's router.

The systems come from the registry (``warehouse.systems``). Each provides
``services/<id>/api.py`` with a module-level ``router`` and, for HTTP-only wiring (extra raw
ASGI mounts, background tasks), optional ``async def startup(app)`` / ``async def
shutdown(app)``. Services themselves are built by ``services.compose`` through each system's
composition root and handed to routers by ``services.deps.system_service``. Each system can
also run alone: ``create_app(only=["shortener"])``.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel

from services.auth import KeyStore
from services.background import ingest_continuously, seal_idle_segments
from services.business_metrics import BusinessMetrics
from services.compose import build_services, close_services
from services.db import make_engine
from services.middleware import REGISTRY, PlatformMiddleware
from services.openapi import install_docs
from services.problems import install_problem_handlers
from services.ratelimit import TokenBucketLimiter
from warehouse.emitter import Emitter, get_emitter
from warehouse.settings import Settings, get_settings
from warehouse.systems import built, system

log = logging.getLogger(__name__)
DESCRIPTION = """Fifteen classic system designs as one data and ML platform.

**Start here.** Create a user and their API key on the command line, then press
*Authorize* and paste the key (sent as `X-API-Key`):

    .venv/bin/blueprint accounts create alice

Errors are RFC 9457 problem documents (`application/problem+json`) whose `detail` says what
to change. ReDoc: [/redoc](/redoc)."""


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
    ingest_every_s: float = 0.0,
) -> FastAPI:
    """The platform app. ``services`` hands in services already built (a test's fixture with
    a fake clock, say); the rest are built through their composition roots. The app seals
    its idle spool segments; with ``ingest_every_s`` it also ingests the spool that often
    (``services.background``)."""
    settings = settings or get_settings()
    systems = discover_systems(only)
    emitter = emitter or get_emitter(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for name, module in systems.items():
            if hasattr(module, "startup"):
                log.info("starting %s", name)
                await module.startup(app)
        duties = [asyncio.create_task(seal_idle_segments(emitter, settings.spool_idle_seal_s))]
        if ingest_every_s > 0:
            duties.append(asyncio.create_task(ingest_continuously(settings, ingest_every_s)))
        try:
            yield
        finally:
            for task in duties:
                task.cancel()
            await asyncio.gather(*duties, return_exceptions=True)
            for module in reversed(list(systems.values())):
                if hasattr(module, "shutdown"):
                    await module.shutdown(app)
            close_services(app.state.services)
            app.state.services.clear()  # whatever still holds the app must not hold them
            app.state.emitter.flush()

    app = FastAPI(
        title="System Blueprints",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_docs(app)
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

    business = CollectorRegistry(auto_describe=False)
    business.register(BusinessMetrics(app.state.services))

    @app.get("/metrics", tags=["platform"], operation_id="metrics", response_class=Response)
    def metrics() -> Response:
        """HTTP counters by route template, plus a few figures per system."""
        body = generate_latest(REGISTRY) + generate_latest(business)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

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
