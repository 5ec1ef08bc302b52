"""The background pass: lapsed holds released within ``sweep_interval_s`` of expiry (from
here, not on the next read), gateway webhooks pumped, and every ``reconcile_interval_s`` the
half-settled payments settled and the reminders sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.booking import holds
from services.booking.views import SYSTEM
from services.periodic import Every, Periodic

if TYPE_CHECKING:
    from services.booking.service import BookingService


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


def one_pass(svc: BookingService, reconcile_turn: Every) -> None:
    """Events spooled, holds lapsed, webhooks pumped; on its turn, reconcile and remind."""
    svc.flush_events()
    svc.sweep()
    if svc.local_gateway is not None:
        svc.local_gateway.deliver_webhooks()
    if reconcile_turn.due():
        svc.reconcile()
        svc.send_reminders()


def start(svc: BookingService, loop: Periodic) -> None:
    """Passes every ``sweep_interval_s`` on ``loop``; the first one also reconciles."""
    reconcile_turn = Every(svc.conf.reconcile_interval_s)
    loop.start(svc.conf.sweep_interval_s, lambda: one_pass(svc, reconcile_turn))
