"""The one ASGI app that mounts every system's router.

A system plugs in by providing ``services/<system>/api.py`` with a module-level ``router``
(an ``APIRouter``) and, optionally, ``async def startup(app)`` / ``async def shutdown(app)``
hooks. Each system can also run alone: ``create_app(only=["shortener"])``.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from types import ModuleType

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

import services
from services.auth import KeyStore
from services.db import make_engine
from services.middleware import REGISTRY, PlatformMiddleware
from services.problems import install_problem_handlers
from services.ratelimit import TokenBucketLimiter
from warehouse.emitter import Emitter, get_emitter
from warehouse.settings import Settings, get_settings

log = logging.getLogger(__name__)


def discover_systems(only: Iterable[str] | None = None) -> dict[str, ModuleType]:
    """Every ``services.<system>.api`` module that defines a ``router``."""
    wanted = set(only) if only is not None else None
    found: dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(services.__path__):
        if not info.ispkg or (wanted is not None and info.name not in wanted):
            continue
        try:
            module = importlib.import_module(f"services.{info.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name == f"services.{info.name}.api":
                continue
            raise
        if hasattr(module, "router"):
            found[info.name] = module
    return found


class Health(BaseModel):
    status: str
    systems: list[str]


def create_app(
    settings: Settings | None = None,
    emitter: Emitter | None = None,
    *,
    only: Iterable[str] | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    systems = discover_systems(only)

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
            app.state.emitter.flush()

    app = FastAPI(
        title="System Blueprints",
        version="0.1.0",
        description="Fifteen classic system designs as one data and ML platform.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.emitter = emitter or get_emitter(settings)
    app.state.keystore = KeyStore(make_engine(settings, "accounts"), settings.admin_api_key)
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
        limiter=TokenBucketLimiter(settings.rate_limit_per_minute, 60.0),
        max_body_bytes=settings.max_body_bytes,
        body_limits=app.state.body_limits,
    )
    return app
