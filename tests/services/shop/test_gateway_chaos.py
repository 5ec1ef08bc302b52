"""Checkouts through a gateway that drops answers after charging, times out and fails, and a
proxy that loses the client's answer after the order commits; clients retry with the same
Idempotency-Key. Exactly one net charge per paid order, counted at the gateway."""

from __future__ import annotations

import random

from services.errors import DomainError
from services.payments.adapter import CARD_DECLINED
from tests.services.shop.conftest import seed


def test_checkouts_under_chaos_charge_each_paid_order_exactly_once(svc, clock):
    rng = random.Random(7)
    gw = svc.local_gateway
    svc.gateway.sleep = lambda _s: None
    v = seed(svc, units=30)
    paid, failed = set(), set()
    for i in range(40):
        customer, key = f"u{i}", f"key-{i}"
        svc.set_cart_line(customer, v, 1)
        for kind in ("drop", "timeout", "fail"):
            if rng.random() < 0.4:
                gw.chaos.inject(kind, rng.randint(1, 8))
        method = CARD_DECLINED if i % 7 == 0 else "pm_card_visa"
        body = {"payment_method": method}
        for _attempt in range(5):  # the client retries on 503, and once more on success
            try:
                order, _ = svc.idempotent(
                    customer,
                    key,
                    "POST",
                    "/shop/checkout",
                    body,
                    lambda c=customer, m=method, k=key: svc.checkout(c, payment_method=m, key=k),
                )
                paid.add(order["id"])
                if rng.random() < 0.5:  # the proxy lost that answer: the same key again
                    again, replayed = svc.idempotent(
                        customer, key, "POST", "/shop/checkout", body, lambda: None
                    )
                    assert replayed and again["id"] == order["id"]
                break
            except DomainError as exc:
                if exc.status != 503:
                    failed.add(customer)
                    break
        gw.chaos.clear()
    clock.advance(svc.conf.reservation_ttl_s + 1)
    svc.sweep()
    svc.reconcile()
    charges = gw.charges_by("checkout")
    assert paid and failed
    assert all(n == 1 for n in charges.values())
    assert (
        {"o_" + c[3:] for c in charges}
        == {o for o in paid if svc.orders.get(o, "x", frozenset({"admin"}))["status"] == "paid"}
        == paid
    )
    assert svc.stock_of(v)["sold"] == len(paid) and svc.stock_of(v)["reserved"] == 0
    assert svc.audit() == []
