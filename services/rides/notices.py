"""Ride messages through the notification system (system 12): the driver assigned, the
driver arriving, and the receipt. Each is sent once per trip (the trip id and the template
make the idempotency key) to the user's in-app inbox."""

from __future__ import annotations

from typing import Any

from services.notify.sending import SendRequest

TEMPLATES = {
    "rides_driver_assigned": (
        "Your driver is on the way",
        "Driver {{ driver_id }} accepted trip {{ id }}; pickup in about "
        "{{ (pickup_eta_s or 0) // 60 | int }} min.",
    ),
    "rides_arriving": (
        "Your driver is here",
        "Driver {{ driver_id }} is at the pickup point for trip {{ id }}.",
    ),
    "rides_receipt": (
        "Receipt for trip {{ id }}",
        "You paid {{ charge_cents / 100 }} {{ currency | upper }} for trip {{ id }}.",
    ),
}


class RideNotices:
    def __init__(self, notify: Any) -> None:
        self.notify = notify
        self._ready = False

    def _setup(self) -> None:
        if not self._ready:
            for name, (subject, body) in TEMPLATES.items():
                self.notify.put_template(name, "en", subject, body)
            self._ready = True

    def send(self, user_id: str, template: str, data: dict[str, Any], trip_id: str) -> str:
        self._setup()
        if self.notify.preferences(user_id)[0] is None:
            self.notify.upsert_profile(user_id)
        view, _created = self.notify.send(
            "rides",
            SendRequest(
                user_id=user_id,
                template=template,
                category="rides",
                data=data,
                channels=["inbox"],
            ),
            idem_key=f"{template}:{trip_id}",
        )
        return view["id"]
