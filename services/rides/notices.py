"""Ride messages through the notification system (system 12): the driver assigned, the
driver arriving, and the receipt. Each is sent once per trip (the trip id and the template
make the idempotency key) to the user's in-app inbox."""

from __future__ import annotations

from services.notify.templated import Templates

TEMPLATES: Templates = {
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
