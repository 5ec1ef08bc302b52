"""The Stripe adapter, on the official SDK, against two independent servers of Stripe's API:
``localstripe`` (a stateful Stripe fake from the package registry) and our local gateway
process. Both run on loopback, started by the tests."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from services.payments.adapter import CARD_DECLINED, GatewayError, PaymentDeclined
from services.payments.stripe_adapter import StripeAdapter
from tests.conftest import free_port, server_reachable
from tests.services.payments.conftest import API_KEY

# localstripe writes its state to a fixed /tmp file on every change; not ours to share.
LAUNCH = """
import sys
from aiohttp import web
from localstripe import resources
from localstripe.server import app
resources.store.dump_to_disk = lambda: None
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


@pytest.fixture(scope="module")
def localstripe_url() -> Iterator[str]:
    pytest.importorskip(
        "localstripe", reason="localstripe is not installed (pip install localstripe)"
    )
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not server_reachable("127.0.0.1", port) and time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.skip(f"localstripe did not start: {proc.stderr.read().decode()[-300:]}")
        time.sleep(0.1)
    if not server_reachable("127.0.0.1", port):
        proc.kill()
        pytest.skip("localstripe did not start listening within 20 s")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(params=["localstripe", "local-gateway"])
def stripe_adapter(request) -> StripeAdapter:
    if request.param == "localstripe":
        return StripeAdapter(
            "sk_test_blueprints", api_base=request.getfixturevalue("localstripe_url")
        )
    served = request.getfixturevalue("served_gateway")
    return StripeAdapter(API_KEY, api_base=served.url)


def test_authorise_capture_refund_through_the_sdk(stripe_adapter):
    intent = stripe_adapter.authorize(
        4200, "eur", idempotency_key=f"a-{time.time_ns()}", metadata={"booking": "b1"}
    )
    assert intent.status == "requires_capture"
    assert intent.metadata == {"booking": "b1"}
    captured = stripe_adapter.capture(intent.id, idempotency_key=f"c-{time.time_ns()}")
    assert captured.status == "succeeded" and captured.amount_captured == 4200
    refunded = stripe_adapter.refund(intent.id, 1200, idempotency_key=f"r-{time.time_ns()}")
    assert refunded.amount_refunded == 1200
    assert stripe_adapter.retrieve(intent.id).status == "succeeded"


def test_cancel_releases_an_authorisation(stripe_adapter):
    intent = stripe_adapter.authorize(900, "usd", idempotency_key=f"a-{time.time_ns()}")
    canceled = stripe_adapter.cancel(intent.id, idempotency_key=f"x-{time.time_ns()}")
    assert canceled.status == "canceled" and canceled.amount_captured == 0


def test_capture_after_cancel_is_refused_by_the_local_gateway(served_gateway):
    # Stripe refuses this (payment_intent_unexpected_state); localstripe 1.15 captures a
    # canceled intent, so this rule is checked against our gateway only.
    adapter = StripeAdapter(API_KEY, api_base=served_gateway.url)
    intent = adapter.authorize(900, "usd", idempotency_key="a")
    adapter.cancel(intent.id, idempotency_key="x")
    with pytest.raises(GatewayError, match="canceled"):
        adapter.capture(intent.id, idempotency_key="c")


@pytest.mark.parametrize("method", [CARD_DECLINED, "pm_card_chargeCustomerFail"])
def test_a_declined_card_is_a_decline(stripe_adapter, method, request):
    if "localstripe" in request.node.name and method == CARD_DECLINED:
        pytest.skip("localstripe 1.15 declines only pm_card_chargeCustomerFail at charge time")
    with pytest.raises(PaymentDeclined):
        stripe_adapter.authorize(
            900, "usd", idempotency_key=f"d-{time.time_ns()}", payment_method=method
        )


def test_sdk_retries_with_its_key_through_dropped_responses_into_one_charge(served_gateway):
    gateway = served_gateway.gateway
    adapter = StripeAdapter(API_KEY, api_base=served_gateway.url, retries=3)
    gateway.chaos.inject("drop", 2)
    intent = adapter.authorize(100, "eur", idempotency_key="sdk-a", metadata={"booking": "s1"})
    gateway.chaos.inject("fail", 1)
    adapter.capture(intent.id, idempotency_key="sdk-c")
    assert gateway.charges_by("booking") == {"s1": 1}
    assert gateway.totals()["intents"] == 1


def test_gateway_process_answers_422_to_a_reused_key_over_http(served_gateway):
    headers = {"Authorization": f"Bearer {API_KEY}", "Idempotency-Key": "k"}
    body = {"amount": "100", "currency": "eur", "payment_method": "pm_card_visa", "confirm": "true"}
    with httpx.Client(base_url=served_gateway.url) as client:
        assert client.post("/v1/payment_intents", data=body, headers=headers).status_code == 200
        again = client.post("/v1/payment_intents", data=body, headers=headers)
        assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
        other = client.post("/v1/payment_intents", data={**body, "amount": "101"}, headers=headers)
        assert other.status_code == 422
        assert client.get("/_stats").status_code == 401
