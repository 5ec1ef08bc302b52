"""The shop's composition root: the only place its service is put together.

The store is SQLite (writes begin ``IMMEDIATE``) or PostgreSQL when scaled out. Payments go
through ``services.payments``: by default the local gateway runs in-process on its own SQLite
file; ``BLUEPRINT_SHOP_GATEWAY_URL`` points at a gateway process or Stripe. Order and support
notifications go through the notification system (``NEEDS``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from services.db import make_engine
from services.notify.templated import TemplatedNotices
from services.payments.adapter import PaymentGateway
from services.payments.factory import system_gateway
from services.payments.gateway import LocalGateway
from services.payments.sqlite import immediate_transactions
from services.shop.notices import TEMPLATES as NOTICES
from services.shop.recs import AlsoBoughtServer
from services.shop.service import ShopService
from services.shop.settings import ShopSettings
from warehouse.emitter import Emitter
from warehouse.settings import Settings

NEEDS = ("notify",)


def build(
    settings: Settings,
    emitter: Emitter,
    notify: Any = None,
    *,
    conf: ShopSettings | None = None,
    clock: Callable[[], float] = time.time,
    gateway: PaymentGateway | None = None,
) -> ShopService:
    """The shop service. ``gateway`` replaces the configured adapter (tests)."""
    conf = conf or ShopSettings()
    engine = immediate_transactions(make_engine(settings, "shop"))
    local: LocalGateway | None = None
    if gateway is None:
        # Webhooks only confirm what the calls already recorded; reconciliation settles any
        # call whose answer was lost, so no sink is needed in-process.
        gateway, local = system_gateway(settings.data_dir, "shop", conf)
    service = ShopService(
        engine,
        gateway,
        emitter,
        conf,
        clock=clock,
        notices=None if notify is None else TemplatedNotices(notify, "shop", NOTICES),
        recs=AlsoBoughtServer(settings.models_dir),
    )
    service.local_gateway = local
    return service
