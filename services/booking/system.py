"""Booking's composition root: the only place its service is put together.

The store is SQLite (two engines on one file: writes begin ``IMMEDIATE``, reads do not) or
PostgreSQL when scaled out. Payments go through ``services.payments``: by default the local
gateway runs in-process on its own SQLite file and delivers its webhooks straight to the
service's inbox; ``BLUEPRINT_BOOKING_GATEWAY_URL`` points at a gateway process or Stripe.
Confirmations and cancellations are sent through the notification system (``NEEDS``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from services.booking.notices import TEMPLATES as NOTICES
from services.booking.service import BookingService
from services.booking.settings import BookingSettings
from services.db import make_engine
from services.notify.templated import TemplatedNotices
from services.payments.adapter import PaymentGateway
from services.payments.factory import system_gateway, webhook_secret
from services.payments.gateway import LocalGateway
from services.payments.sqlite import immediate_transactions
from warehouse.emitter import Emitter
from warehouse.settings import Settings

NEEDS = ("notify",)


def build(
    settings: Settings,
    emitter: Emitter,
    notify: Any = None,
    *,
    conf: BookingSettings | None = None,
    clock: Callable[[], float] = time.time,
    gateway: PaymentGateway | None = None,
) -> BookingService:
    """The booking service. ``gateway`` replaces the configured adapter (tests)."""
    conf = conf or BookingSettings()
    hook_secret = webhook_secret(settings.data_dir, "booking", conf)
    engine = immediate_transactions(make_engine(settings, "booking"))
    read_engine = engine
    if engine.dialect.name == "sqlite":
        read_engine = make_engine(settings, "booking")
    holder: dict[str, BookingService] = {}
    local: LocalGateway | None = None
    if gateway is None:
        gateway, local = system_gateway(
            settings.data_dir,
            "booking",
            conf,
            webhook_sink=lambda body, sig: (
                "svc" in holder and holder["svc"].receive_webhook(body, sig) is not None
            ),
        )
    service = BookingService(
        engine,
        read_engine,
        gateway,
        emitter,
        conf,
        webhook_secret=hook_secret,
        clock=clock,
        notify=None if notify is None else TemplatedNotices(notify, "booking", NOTICES),
    )
    service.local_gateway = local
    holder["svc"] = service
    return service
