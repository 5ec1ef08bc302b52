"""The adapter for the local gateway: Stripe's wire protocol over ``httpx``, with retries.

A call that times out, loses its connection, meets a 5xx, or finds its key still in flight
(409) is repeated with the *same* ``Idempotency-Key`` (bounded attempts, exponential
backoff), so it runs at most once at the gateway and its one stored answer comes back.
When the attempts run out the outcome is unknown: ``GatewayUnavailable``; the caller keeps
the key and settles later (``services.booking.reconcile``).
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import httpx

from services.payments.adapter import (
    CARD_OK,
    GatewayError,
    GatewayUnavailable,
    Intent,
    PaymentDeclined,
    authorize_params,
)

RETRYABLE = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def intent_from(body: dict[str, Any]) -> Intent:
    return Intent(
        id=body["id"],
        amount=int(body["amount"]),
        currency=body["currency"],
        status=body["status"],
        amount_captured=int(body.get("amount_received") or 0),
        amount_refunded=int(body.get("amount_refunded") or 0),
        metadata=dict(body.get("metadata") or {}),
    )


def form(params: dict[str, Any]) -> dict[str, str]:
    """Stripe's form encoding of one level of nesting (``metadata[k]=v``)."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if isinstance(value, dict):
            out.update({f"{key}[{k}]": str(v) for k, v in value.items()})
        elif value is not None:
            out[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


class Client(Protocol):
    """What the adapter needs of its client: ``httpx.Client``, or the in-process one."""

    def request(self, method: str, url: str, *, data: Any = None, headers: Any = None) -> Any: ...

    def close(self) -> None: ...


class LocalGatewayAdapter:
    """``PaymentGateway`` over HTTP to a local gateway (a process, or called in-process)."""

    def __init__(
        self,
        client: Client,
        api_key: str,
        *,
        attempts: int = 6,
        backoff_s: float = 0.02,
        sleep=time.sleep,
    ) -> None:
        self.client = client
        self.api_key = api_key
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.sleep = sleep

    def _call(self, method: str, path: str, params: dict[str, Any] | None, key: str | None):
        headers = {"Authorization": f"Bearer {self.api_key}"}
        if key:
            headers["Idempotency-Key"] = key
        last: str = ""
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(min(1.0, self.backoff_s * 2 ** (attempt - 1)))
            try:
                response = self.client.request(
                    method, path, data=form(params) if params else None, headers=headers
                )
            except RETRYABLE as exc:
                last = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code >= 500 or response.status_code == 409:
                last = f"HTTP {response.status_code}"
                continue
            body = response.json()
            if response.status_code == 402:
                raise PaymentDeclined(body["error"]["message"])
            if response.status_code >= 400:
                raise GatewayError(f"{response.status_code}: {body['error']['message']}")
            return body
        raise GatewayUnavailable(f"no definite answer after {self.attempts} attempts ({last})")

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
        return intent_from(self._call("POST", "/v1/payment_intents", params, idempotency_key))

    def capture(self, intent_id: str, *, idempotency_key: str) -> Intent:
        path = f"/v1/payment_intents/{intent_id}/capture"
        return intent_from(self._call("POST", path, {}, idempotency_key))

    def cancel(self, intent_id: str, *, idempotency_key: str) -> Intent:
        path = f"/v1/payment_intents/{intent_id}/cancel"
        return intent_from(self._call("POST", path, {}, idempotency_key))

    def refund(self, intent_id: str, amount: int | None, *, idempotency_key: str) -> Intent:
        params = {"payment_intent": intent_id, "amount": amount}
        self._call("POST", "/v1/refunds", params, idempotency_key)
        return self.retrieve(intent_id)

    def retrieve(self, intent_id: str) -> Intent:
        return intent_from(self._call("GET", f"/v1/payment_intents/{intent_id}", None, None))

    def close(self) -> None:
        self.client.close()
