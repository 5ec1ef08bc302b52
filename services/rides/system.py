"""Ride sharing's composition root: the only place its service is put together.

- Store: SQLite (writes begin ``IMMEDIATE``; a second engine reads beside them) or
  PostgreSQL when scaled out.
- Positions: the cache tier's in-process index, or Redis when ``BLUEPRINT_REDIS_URL`` is set
  (``services.rides.locations``).
- Payments through ``services.payments``: the local gateway in-process on its own SQLite
  file by default, or a gateway process / Stripe (``BLUEPRINT_RIDES_GATEWAY_URL``).
- Surge, the dispatch policy and the ETA model (``models.rides_eta``, ranked pickups and
  quoted ride times) come from the model registry with hot reload.
- Driver-assigned, arriving and receipt messages through the notification system (``NEEDS``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from models.registry import ModelRegistry
from services.db import make_engine
from services.notify.templated import TemplatedNotices
from services.payments.adapter import PaymentGateway
from services.payments.factory import system_gateway
from services.payments.sqlite import immediate_transactions
from services.rides.eta import EtaServing, registry_loader
from services.rides.locations import LocationIndex, MemoryIndex, RedisIndex
from services.rides.notices import TEMPLATES as NOTICES
from services.rides.service import RidesService
from services.rides.settings import RidesSettings
from services.rides.surge import Served, SurgeBoard
from warehouse.emitter import Emitter
from warehouse.settings import Settings

NEEDS = ("notify",)


def location_index(settings: Settings) -> LocationIndex:
    """Redis (the first cache-tier server) when scaled out, else in-process."""
    urls = [u.strip() for u in (settings.redis_url or "").split(",") if u.strip()]
    return RedisIndex(urls[0]) if urls else MemoryIndex()


def build(
    settings: Settings,
    emitter: Emitter,
    notify: Any = None,
    *,
    conf: RidesSettings | None = None,
    clock: Callable[[], float] = time.time,
    gateway: PaymentGateway | None = None,
    index: LocationIndex | None = None,
) -> RidesService:
    """The rides service. ``gateway`` and ``index`` replace the configured ones (tests)."""
    conf = conf or RidesSettings()
    engine = immediate_transactions(make_engine(settings, "rides"))
    read_engine = make_engine(settings, "rides") if engine.dialect.name == "sqlite" else engine
    local = None
    if gateway is None:
        gateway, local = system_gateway(
            settings.data_dir,
            "rides",
            conf,
            webhook_sink=lambda _body, _sig: True,  # calls settle; webhooks add nothing
        )
    registry = ModelRegistry(settings.models_dir)
    service = RidesService(
        engine,
        read_engine,
        index or location_index(settings),
        gateway,
        emitter,
        conf,
        eta=EtaServing(
            conf.fallback_speed_kmh,
            registry_loader(registry),
            registry.pointer("rides_eta"),
        ),
        surge=SurgeBoard(registry),
        policy=Served(registry, "rides_dispatch"),
        clock=clock,
        notify=None if notify is None else TemplatedNotices(notify, "rides", NOTICES),
    )
    service.charges.local_gateway = local
    service.local_gateway = local
    return service
