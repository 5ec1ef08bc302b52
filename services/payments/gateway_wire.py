"""Stripe's wire shapes, as the local gateway speaks them: replies and error bodies, form
decoding, the payment intent's JSON, ids, and the parameter checks that answer 400."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_AMOUNT = 99_999_999  # Stripe's eight digits
_FORM_KEY = re.compile(r"^([a-z_]+)\[([^\[\]]{1,40})\]$")


@dataclass
class Reply:
    """What the gateway answers; ``fault`` says how chaos mangles its delivery."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None  # None | "timeout" | "drop"


class RequestError(Exception):
    def __init__(self, status: int, type_: str, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.type, self.message, self.code = status, type_, message, code

    def reply(self) -> Reply:
        error = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
        return Reply(self.status, {"error": error})


def parse_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding: ``a=1&metadata[k]=v`` becomes ``{"a": "1", "metadata": {...}}``."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        nested = _FORM_KEY.match(key)
        if nested:
            out.setdefault(nested.group(1), {})
            if not isinstance(out[nested.group(1)], dict):
                raise RequestError(400, "invalid_request_error", f"{key} clashes with a field")
            out[nested.group(1)][nested.group(2)] = value
        else:
            out[key] = value
    return out


def new_id(prefix: str) -> str:
    """A Stripe-style id: ``pi_...``, ``re_...``, ``evt_...``."""
    return f"{prefix}_{secrets.token_hex(12)}"


def intent_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """The API's view of an intent row."""
    body = {
        "id": row["id"],
        "object": "payment_intent",
        "amount": row["amount"],
        "currency": row["currency"],
        "status": row["status"],
        "capture_method": row["capture_method"],
        "payment_method": row["payment_method"],
        "amount_capturable": row["amount"] if row["status"] == "requires_capture" else 0,
        "amount_received": row["amount_captured"],
        "amount_refunded": row["amount_refunded"],
        "metadata": json.loads(row["metadata"]),
        "created": int(row["created"]),
        "last_payment_error": json.loads(row["last_error"]) if row["last_error"] else None,
    }
    return body


def int_param(value: Any, name: str, low: int, high: int) -> int:
    """``value`` as an integer in ``low..high``, else a 400 naming ``name``."""
    try:
        number = int(str(value))
    except ValueError:
        raise RequestError(400, "invalid_request_error", f"{name} must be an integer") from None
    if not low <= number <= high:
        raise RequestError(400, "invalid_request_error", f"{name} must be in {low}..{high}")
    return number


def unexpected_state(row: Mapping[str, Any], action: str) -> RequestError:
    """Stripe's 400 for an action the intent's status does not allow."""
    return RequestError(
        400,
        "invalid_request_error",
        f"cannot {action} a payment_intent in status {row['status']}",
        "payment_intent_unexpected_state",
    )
