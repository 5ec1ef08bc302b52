"""Booking's messages through the notification system (system 12): confirmations,
cancellations and reminders before arrival and departure, each sent once (the reservation id
and the template make the idempotency key) to the guest's in-app inbox and any channel their
preferences allow."""

from __future__ import annotations

from services.notify.templated import Templates

TEMPLATES: Templates = {
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
