"""``PaymentGateway`` on Stripe's official SDK (``stripe.StripeClient``).

``api_base`` points it at Stripe, at ``localstripe`` (tests) or at the local gateway process:
all three speak the same API. The SDK's own network retries reuse the idempotency key we
pass, and we map its error classes onto the adapter's: ``CardError`` is a decline,
connection errors and 5xx are "outcome unknown", everything else is a refusal.
"""

from __future__ import annotations

import time
from typing import Any

import stripe

from services.payments.adapter import (
    CARD_OK,
    GatewayError,
    GatewayUnavailable,
    Intent,
    PaymentDeclined,
    authorize_params,
)


def _intent(resource: Any) -> Intent:
    obj = resource.to_dict() if hasattr(resource, "to_dict") else dict(resource)
    refunded = obj.get("amount_refunded")
    if refunded is None:  # API versions after 2022-11 moved it to the charge
        charge = obj.get("latest_charge")
        refunded = charge.get("amount_refunded", 0) if isinstance(charge, dict) else 0
    received = obj.get("amount_received")
    if received is None:  # servers that omit it: a succeeded intent captured its amount
        received = obj["amount"] if obj["status"] == "succeeded" else 0
    return Intent(
        id=obj["id"],
        amount=int(obj["amount"]),
        currency=obj["currency"],
        status=obj["status"],
        amount_captured=int(received),
        amount_refunded=int(refunded or 0),
        metadata={k: str(v) for k, v in (obj.get("metadata") or {}).items()},
    )


class StripeAdapter:
    def __init__(
        self,
        api_key: str,
        *,
        api_base: str | None = None,
        retries: int = 3,
        attempts: int = 4,
        backoff_s: float = 0.05,
    ) -> None:
        self.attempts = max(1, attempts)
        self.backoff_s = backoff_s
        bases = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(
            api_key, base_addresses=bases, max_network_retries=retries
        )

    def _do(self, fn, *args, **kwargs) -> Any:
        # The SDK does not retry a response cut off mid-body (it cannot tell whether the
        # request ran); with our fixed idempotency key a repeat is safe, so we do.
        for _ in range(self.attempts - 1):
            try:
                return self._once(fn, *args, **kwargs)
            except GatewayUnavailable:
                time.sleep(self.backoff_s)
        return self._once(fn, *args, **kwargs)

    def _once(self, fn, *args, **kwargs) -> Any:
        try:
            return fn(*args, **kwargs)
        except stripe.CardError as exc:
            raise PaymentDeclined(exc.user_message or str(exc)) from exc
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise GatewayUnavailable(str(exc)) from exc
        except stripe.StripeError as exc:
            if (exc.http_status or 500) >= 500 or exc.http_status == 409:
                raise GatewayUnavailable(str(exc)) from exc
            raise GatewayError(str(exc)) from exc

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
        params = authorize_params(amount, currency, payment_method, metadata, capture)
        pis = self.client.v1.payment_intents
        opts = {"idempotency_key": idempotency_key}
        return _intent(self._do(pis.create, params=params, options=opts))

    def capture(self, intent_id: str, *, idempotency_key: str) -> Intent:
        pis = self.client.v1.payment_intents
        opts = {"idempotency_key": idempotency_key}
        return _intent(self._do(pis.capture, intent_id, options=opts))

    def cancel(self, intent_id: str, *, idempotency_key: str) -> Intent:
        pis = self.client.v1.payment_intents
        opts = {"idempotency_key": idempotency_key}
        return _intent(self._do(pis.cancel, intent_id, options=opts))

    def refund(self, intent_id: str, amount: int | None, *, idempotency_key: str) -> Intent:
        params: dict[str, Any] = {"payment_intent": intent_id}
        if amount is not None:
            params["amount"] = amount
        opts = {"idempotency_key": idempotency_key}
        refund = self._do(self.client.v1.refunds.create, params=params, options=opts)
        intent = self.retrieve(intent_id)
        if intent.amount_refunded == 0:  # servers that keep refunds only on the refund
            return Intent(**{**intent.__dict__, "amount_refunded": int(refund.to_dict()["amount"])})
        return intent

    def retrieve(self, intent_id: str) -> Intent:
        return _intent(self._do(self.client.v1.payment_intents.retrieve, intent_id))

    def close(self) -> None:
        return None
