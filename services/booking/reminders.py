"""Messages to guests through the notification system: confirmations and cancellations as
they happen, reminders before arrival and before departure, each sent once."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, select

from services.booking.store import reservations
from services.booking.views import view

if TYPE_CHECKING:
    from services.booking.service import BookingService

log = logging.getLogger(__name__)


def send_reminders(svc: BookingService, limit: int = 500) -> int:
    """Remind the guests of confirmed bookings arriving within ``reminder_days`` (through
    the notification system), and of stays about to end (``remind_departures``), each
    once: the reservation is marked by compare-and-set
    after the send, and the send's idempotency key (template and reservation) makes a
    repeat after a crash in between a no-op. Returns how many were sent."""
    if svc.notify is None:
        return 0
    r = reservations.c
    today = svc.today().toordinal()
    with svc.read_engine.connect() as conn:
        due = conn.execute(
            select(reservations)
            .where(
                and_(
                    r.status == "confirmed",
                    r.notified.is_(False),
                    r.first_day >= today,
                    r.first_day <= today + svc.conf.reminder_days,
                )
            )
            .order_by(r.first_day)
            .limit(limit)
        ).all()
    sent = 0
    for row in due:
        try:
            svc.notify.send(row.owner, "booking_reminder", view(row, svc.clock()), row.id)
        except Exception:  # noqa: BLE001 - retried on the next pass
            log.warning("could not remind %s about %s", row.owner, row.id, exc_info=True)
            continue
        with svc.engine.begin() as conn:
            sent += conn.execute(
                reservations.update()
                .where(and_(r.id == row.id, r.notified.is_(False)))
                .values(notified=True)
            ).rowcount
    return sent + remind_departures(svc, limit)


def remind_departures(svc: BookingService, limit: int) -> int:
    """Remind the guests of stays under way that end within ``departure_reminder_days``,
    each once: within this process by the ids already sent, across restarts by the send's
    idempotency key (template and reservation), which makes a repeat a no-op."""
    r = reservations.c
    today = svc.today().toordinal()
    check_out = r.first_day + r.nights
    with svc.read_engine.connect() as conn:
        due = conn.execute(
            select(reservations)
            .where(
                and_(
                    r.status == "confirmed",
                    r.first_day <= today,
                    check_out >= today,
                    check_out <= today + svc.conf.departure_reminder_days,
                )
            )
            .order_by(check_out)
            .limit(limit)
        ).all()
    sent = 0
    for row in due:
        if row.id in svc._departures_told:
            continue
        try:
            svc.notify.send(row.owner, "booking_departure", view(row, svc.clock()), row.id)
        except Exception:  # noqa: BLE001 - retried on the next pass
            log.warning("could not remind %s about %s", row.owner, row.id, exc_info=True)
            continue
        svc._departures_told.add(row.id)
        sent += 1
    return sent


def notify_guest(svc: BookingService, row: Any, template: str) -> None:
    if svc.notify is None:
        return
    try:
        svc.notify.send(row.owner, template, view(row, svc.clock()), row.id)
    except Exception:  # noqa: BLE001 - a notification never undoes a booking
        log.warning("could not notify %s about %s", row.owner, row.id, exc_info=True)
