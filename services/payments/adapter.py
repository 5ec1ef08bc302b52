"""The payment gateway interface every system that takes money uses.

Money moves in two steps, as with card networks: ``authorize`` reserves the amount on the
payer's card (a payment intent in ``requires_capture``), then ``capture`` takes it or
``cancel`` releases it; ``refund`` gives back captured money. ``authorize(capture=True)``
takes it in one step (a caller that would capture at once anyway saves a round trip).
Every call carries an idempotency key chosen by the caller and derived from its own records
(a booking's id, say), so a retry after a timeout or a crash repeats the same call and never
charges twice.

Errors: ``PaymentDeclined`` (the payer's bank said no: final), ``GatewayUnavailable`` (no
answer, or a transient failure, after the adapter's own retries: the outcome is unknown,
retry later with the same key), ``GatewayError`` (the gateway refused the request: a bug or
a state clash, not worth retrying).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

# Stripe's test payment methods, understood by every implementation here.
CARD_OK = "pm_card_visa"
CARD_DECLINED = "pm_card_visa_chargeDeclined"
# Every test method Stripe documents as declining the charge (localstripe knows the last).
DECLINING = frozenset({CARD_DECLINED, "pm_card_chargeDeclined", "pm_card_chargeCustomerFail"})


@dataclass(frozen=True)
class Intent:
    """A payment intent as the gateway reports it (amounts in minor units, e.g. cents)."""

    id: str
    amount: int
    currency: str
    status: str  # requires_capture | succeeded | canceled | requires_payment_method
    amount_captured: int = 0
    amount_refunded: int = 0
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def net_charged(self) -> int:
        return self.amount_captured - self.amount_refunded


def authorize_params(
    amount: int,
    currency: str,
    payment_method: str,
    metadata: dict[str, str] | None,
    capture: bool = False,
) -> dict[str, object]:
    """Stripe's parameters of an authorisation: confirmed now, captured later by hand, or
    at once with ``capture`` (Stripe's automatic capture)."""
    return {
        "amount": amount,
        "currency": currency,
        "payment_method": payment_method,
        "confirm": True,
        "capture_method": "automatic" if capture else "manual",
        "metadata": metadata or {},
    }


class PaymentError(Exception):
    """Base of the adapter's errors."""


class PaymentDeclined(PaymentError):
    """The payment method was declined; retrying with the same key gives the same answer."""


class GatewayUnavailable(PaymentError):
    """No definite answer: retry later with the same idempotency key."""


class GatewayError(PaymentError):
    """The gateway refused the request (bad parameters, wrong state)."""


@runtime_checkable
class PaymentGateway(Protocol):
    """Authorise, capture, cancel and refund payment intents, idempotently."""

    def authorize(
        self,
        amount: int,
        currency: str,
        *,
        idempotency_key: str,
        payment_method: str = CARD_OK,
        metadata: dict[str, str] | None = None,
        capture: bool = False,
    ) -> Intent:
        """Hold the amount (``requires_capture``), or with ``capture`` take it at once
        (``succeeded``): one call instead of two, for a caller that gives money back by
        refund."""
        ...

    def capture(self, intent_id: str, *, idempotency_key: str) -> Intent: ...

    def cancel(self, intent_id: str, *, idempotency_key: str) -> Intent: ...

    def refund(self, intent_id: str, amount: int | None, *, idempotency_key: str) -> Intent: ...

    def retrieve(self, intent_id: str) -> Intent: ...

    def close(self) -> None: ...
