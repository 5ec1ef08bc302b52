"""The shop's messages through the notification system (system 12): one per order transition
and per support event, each sent once (the order, the state and the step make the key) to the
customer's in-app inbox and any channel their preferences allow."""

from __future__ import annotations

from services.notify.templated import Templates

_ORDER = "Order {{ id }}"
TEMPLATES: Templates = {
    "order_placed": (_ORDER + " placed", "We have your order {{ id }}; payment is being taken."),
    "order_paid": (
        _ORDER + " confirmed",
        "Order {{ id }} is paid: {{ amount / 100 }} {{ currency | upper }}.",
    ),
    "order_packed": (_ORDER + " packed", "Order {{ id }} is packed."),
    "order_shipped": (_ORDER + " shipped", "Order {{ id }} is on its way."),
    "order_tracking": (_ORDER + " tracking", "Order {{ id }} has a tracking update."),
    "order_delivered": (_ORDER + " delivered", "Order {{ id }} was delivered."),
    "order_cancelled": (
        _ORDER + " cancelled",
        "Order {{ id }} is cancelled; {{ refunded / 100 }} {{ currency | upper }} is refunded.",
    ),
    "order_return_requested": (_ORDER + " return requested", "We have your return request."),
    "order_returned": (_ORDER + " returned", "We received the return of order {{ id }}."),
    "order_partially_refunded": (
        _ORDER + " partly refunded",
        "{{ refunded / 100 }} {{ currency | upper }} of order {{ id }} is refunded so far.",
    ),
    "order_refunded": (
        _ORDER + " refunded",
        "Order {{ id }} is refunded: {{ refunded / 100 }} {{ currency | upper }}.",
    ),
    "ticket_answered": ("Ticket {{ id }} answered", "Your ticket {{ id }} has an answer."),
    "ticket_sla_breached": (
        "Ticket {{ id }} is late",
        "Your ticket {{ id }} is taking longer than promised; it has been escalated.",
    ),
}
