"""The local gateway keeps Stripe's rules: intent states, refunds, and idempotency keys."""

from __future__ import annotations

import threading

import pytest

from services.payments.adapter import CARD_DECLINED, GatewayError, PaymentDeclined
from tests.services.payments.conftest import API_KEY

AUTH = {"authorization": f"Bearer {API_KEY}"}


def post(gateway, path, params, key=None):
    headers = dict(AUTH)
    if key:
        headers["idempotency-key"] = key
    return gateway.request("POST", path, params, headers)


def create_params(amount=1000, **extra):
    return {
        "amount": str(amount),
        "currency": "eur",
        "payment_method": "pm_card_visa",
        "confirm": "true",
        "capture_method": "manual",
        **extra,
    }


def test_authorise_then_capture_then_refund_moves_money_once(adapter, gateway):
    intent = adapter.authorize(2500, "eur", idempotency_key="a1", metadata={"booking": "b1"})
    assert intent.status == "requires_capture" and intent.amount_captured == 0
    captured = adapter.capture(intent.id, idempotency_key="c1")
    assert captured.status == "succeeded" and captured.amount_captured == 2500
    partly = adapter.refund(intent.id, 1000, idempotency_key="r1")
    assert partly.amount_refunded == 1000
    assert gateway.charges_by("booking") == {"b1": 1}
    whole = adapter.refund(intent.id, None, idempotency_key="r2")
    assert whole.amount_refunded == 2500
    assert gateway.charges_by("booking") == {}


def test_state_rules_refuse_what_stripe_refuses(adapter):
    intent = adapter.authorize(500, "usd", idempotency_key="a")
    with pytest.raises(GatewayError, match="requires_capture"):
        adapter.refund(intent.id, None, idempotency_key="r")
    adapter.cancel(intent.id, idempotency_key="x")
    with pytest.raises(GatewayError, match="canceled"):
        adapter.capture(intent.id, idempotency_key="c")
    other = adapter.authorize(500, "usd", idempotency_key="b")
    adapter.capture(other.id, idempotency_key="c2")
    with pytest.raises(GatewayError, match="succeeded"):
        adapter.capture(other.id, idempotency_key="c3")
    with pytest.raises(GatewayError, match="succeeded"):
        adapter.cancel(other.id, idempotency_key="x2")
    with pytest.raises(GatewayError, match="in 1..500"):
        adapter.refund(other.id, 501, idempotency_key="r2")


def test_decline_is_402_and_is_stored_under_its_key(adapter, gateway):
    with pytest.raises(PaymentDeclined):
        adapter.authorize(700, "eur", idempotency_key="d", payment_method=CARD_DECLINED)
    reply = post(
        gateway, "/v1/payment_intents", create_params(700, payment_method=CARD_DECLINED), "d"
    )
    assert reply.status == 402 and reply.headers.get("Idempotent-Replayed") == "true"
    assert gateway.totals()["intents"] == 1


def test_same_key_same_body_returns_the_stored_response(gateway):
    first = post(gateway, "/v1/payment_intents", create_params(), "k")
    again = post(gateway, "/v1/payment_intents", create_params(), "k")
    assert first.status == again.status == 200
    assert again.body == first.body
    assert again.headers == {"Idempotent-Replayed": "true"}
    assert gateway.totals()["intents"] == 1


def test_same_key_different_body_is_422(gateway):
    post(gateway, "/v1/payment_intents", create_params(1000), "k")
    reply = post(gateway, "/v1/payment_intents", create_params(1001), "k")
    assert reply.status == 422 and reply.body["error"]["type"] == "idempotency_error"
    other_path = post(gateway, "/v1/refunds", {"payment_intent": "pi_x"}, "k")
    assert other_path.status == 422


def test_same_key_while_in_flight_is_409(gateway):
    gateway.chaos.delay_s = 0.5
    results = {}

    def first() -> None:
        results["first"] = post(gateway, "/v1/payment_intents", create_params(), "slow")

    thread = threading.Thread(target=first)
    thread.start()
    import time

    time.sleep(0.15)
    gateway.chaos.delay_s = 0
    second = post(gateway, "/v1/payment_intents", create_params(), "slow")
    thread.join()
    assert second.status == 409 and second.body["error"]["type"] == "idempotency_error"
    assert results["first"].status == 200
    assert (
        post(gateway, "/v1/payment_intents", create_params(), "slow").body == results["first"].body
    )


def test_a_request_refused_before_it_ran_leaves_its_key_free(gateway):
    bad = post(gateway, "/v1/payment_intents", create_params(0), "k")
    assert bad.status == 400
    gateway.chaos.inject("fail", 1)
    assert post(gateway, "/v1/payment_intents", create_params(10), "k").status == 503
    assert post(gateway, "/v1/payment_intents", create_params(10), "k").status == 200


def test_wrong_api_key_and_unknown_routes_are_refused(gateway):
    assert gateway.request("POST", "/v1/payment_intents", create_params(), {}).status == 401
    wrong = {"authorization": "Bearer sk_other"}
    assert gateway.request("GET", "/v1/payment_intents/pi_1", {}, wrong).status == 401
    assert gateway.request("GET", "/v1/payment_intents/pi_1", {}, AUTH).status == 404
    assert gateway.request("DELETE", "/v1/charges", {}, AUTH).status == 404


def test_overlong_idempotency_key_is_refused(gateway):
    assert post(gateway, "/v1/payment_intents", create_params(), "k" * 256).status == 400
