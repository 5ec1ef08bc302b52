"""Exactly one charge whatever the network does: failures, timeouts, dropped responses."""

from __future__ import annotations

import random

import httpx
import pytest

from services.payments.adapter import GatewayUnavailable
from services.payments.factory import open_gateway
from services.payments.local import LocalGatewayAdapter
from tests.services.payments.conftest import API_KEY


def pay(adapter, booking: str):
    intent = adapter.authorize(
        1000, "eur", idempotency_key=f"{booking}:auth", metadata={"booking": booking}
    )
    return adapter.capture(intent.id, idempotency_key=f"{booking}:capture")


@pytest.mark.parametrize("fault", ["drop", "timeout", "fail"])
def test_a_lost_answer_then_a_retry_charges_once(adapter, gateway, fault):
    gateway.chaos.inject(fault, 2)
    captured = pay(adapter, "b1")
    assert captured.status == "succeeded"
    assert gateway.charges_by("booking") == {"b1": 1}
    assert gateway.totals()["intents"] == 1 and gateway.totals()["max_captures"] == 1


def test_random_faults_over_many_payments_leave_exactly_one_charge_each(adapter, gateway):
    rng = random.Random(7)
    unsettled = []
    for i in range(60):
        for kind in ("drop", "timeout", "fail"):
            if rng.random() < 0.3:
                gateway.chaos.inject(kind, rng.randint(1, 2))
        try:
            pay(adapter, f"b{i}")
        except GatewayUnavailable:
            unsettled.append(f"b{i}")
        gateway.chaos.clear()
    for booking in unsettled:  # settle later, with the same keys
        pay(adapter, booking)
    charges = gateway.charges_by("booking")
    assert charges == {f"b{i}": 1 for i in range(60)}
    assert gateway.totals()["intents"] == 60


def test_attempts_run_out_as_unknown_outcome_and_the_key_settles_it(adapter, gateway):
    gateway.chaos.inject("drop", 100)
    with pytest.raises(GatewayUnavailable):
        pay(adapter, "b9")
    gateway.chaos.clear()
    assert gateway.totals()["intents"] == 1  # it did authorise; the client never heard
    pay(adapter, "b9")
    assert gateway.charges_by("booking") == {"b9": 1}


def test_over_real_http_a_dropped_response_is_retried_into_one_charge(served_gateway):
    gateway = served_gateway.gateway
    adapter = open_gateway("local", api_key=API_KEY, url=served_gateway.url, timeout_s=0.5)
    try:
        gateway.chaos.inject("drop", 1)
        gateway.chaos.inject("timeout", 1)
        pay(adapter, "h1")
        gateway.chaos.inject("drop", 2)
        pay(adapter, "h2")
    finally:
        adapter.close()
    assert gateway.charges_by("booking") == {"h1": 1, "h2": 1}
    assert gateway.totals()["intents"] == 2


def test_over_real_http_a_drop_reaches_the_client_as_a_broken_response(served_gateway):
    served_gateway.gateway.chaos.inject("drop", 1)
    client = httpx.Client(base_url=served_gateway.url, timeout=2)
    once = LocalGatewayAdapter(client, API_KEY, attempts=1)
    with pytest.raises(GatewayUnavailable, match="RemoteProtocolError|ReadError"):
        pay(once, "h3")
    client.close()
    assert served_gateway.gateway.totals()["intents"] == 1
