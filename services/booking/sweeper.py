"""The background pass: lapsed holds released within ``sweep_interval_s`` of expiry (from
here, not on the next read), gateway webhooks pumped, and every ``reconcile_interval_s`` the
half-settled payments settled and the reminders sent."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from services.booking import holds
from services.booking.views import SYSTEM

if TYPE_CHECKING:
    from services.booking.service import BookingService

log = logging.getLogger(__name__)


def sweep(svc: BookingService) -> int:
    """Lapse every hold past its expiry now; returns how many."""
    lapsed = holds.lapse_expired(svc.engine, svc.clock())
    for row in lapsed:
        svc.live.publish({"unit_id": row["unit_id"], "change": "lapsed"})
        svc.emitter.emit(
            SYSTEM,
            "lapsed",
            actor=row["owner"],
            entity=row["id"],
            attrs={"unit_id": row["unit_id"]},
        )
    return len(lapsed)


def run(svc: BookingService, stop: threading.Event) -> None:
    """Passes every ``sweep_interval_s`` until ``stop`` is set."""
    last_reconcile = 0.0
    while not stop.wait(svc.conf.sweep_interval_s):
        try:
            svc.flush_events()
            svc.sweep()
            if svc.local_gateway is not None:
                svc.local_gateway.deliver_webhooks()
            if time.monotonic() - last_reconcile > svc.conf.reconcile_interval_s:
                last_reconcile = time.monotonic()
                svc.reconcile()
                svc.send_reminders()
        except Exception:  # noqa: BLE001 - the sweeper must outlive one bad pass
            log.exception("booking sweeper pass failed")
