"""How reservations look to clients, and the names every booking module shares."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from services.errors import DomainError

SYSTEM = "booking"


class PaymentRequired(DomainError):
    """The payment method was declined (402)."""

    status = 402


def iso_day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def view(row: Any, now: float) -> dict[str, Any]:
    """A reservation as clients see it (absolute expiry, ISO dates)."""
    m = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    return {
        "id": m["id"],
        "unit_id": m["unit_id"],
        "check_in": iso_day(m["first_day"]),
        "check_out": iso_day(m["first_day"] + m["nights"]),
        "nights": m["nights"],
        "qty": m["qty"],
        "guests": m["guests"],
        "plan": m["plan"],
        "amount_cents": m["amount_cents"],
        "currency": m["currency"],
        "status": m["status"],
        "expires_at": datetime.fromtimestamp(m["expires_at"], UTC).isoformat(),
        "payment": m.get("pay_state"),
        "refund_cents": m.get("refund_cents") or 0,
    }
