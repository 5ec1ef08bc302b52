"""Booking's messages through the notification system (system 12): confirmations,
cancellations and reminders before arrival and departure, each sent once (the reservation id
and the template make the idempotency key) to the guest's in-app inbox and any channel their
preferences allow."""

from __future__ import annotations

from typing import Any

from services.notify.sending import SendRequest

TEMPLATES = {
    "booking_confirmed": (
        "Booking {{ id }} confirmed",
        "Your stay from {{ check_in }} to {{ check_out }} is confirmed: "
        "{{ amount_cents / 100 }} {{ currency | upper }}.",
    ),
    "booking_cancelled": (
        "Booking {{ id }} cancelled",
        "Your booking {{ id }} is cancelled; refund: {{ refund_cents / 100 }} "
        "{{ currency | upper }}.",
    ),
    "booking_reminder": (
        "Your stay starts {{ check_in }}",
        "A reminder: booking {{ id }} starts on {{ check_in }}.",
    ),
    "booking_departure": (
        "Your stay ends {{ check_out }}",
        "A reminder: check-out for booking {{ id }} is on {{ check_out }}.",
    ),
}


class BookingNotices:
    def __init__(self, notify: Any) -> None:
        self.notify = notify
        self._ready = False

    def _setup(self) -> None:
        if not self._ready:
            for name, (subject, body) in TEMPLATES.items():
                self.notify.put_template(name, "en", subject, body)
            self._ready = True

    def send_booking(self, user_id: str, template: str, data: dict[str, Any], res_id: str) -> str:
        self._setup()
        if self.notify.preferences(user_id)[0] is None:
            self.notify.upsert_profile(user_id)
        view, _created = self.notify.send(
            "booking",
            SendRequest(
                user_id=user_id,
                template=template,
                category="booking",
                data=data,
                channels=["inbox"],
            ),
            idem_key=f"{template}:{res_id}",
        )
        return view["id"]
