"""Order transitions reach the customer through the notification system (system 12), each
once, in the in-app inbox."""

from __future__ import annotations

import pytest

from services.compose import build_services, close_services
from services.errors import Conflict
from services.shop.settings import ShopSettings
from services.shop.system import build
from tests.services.shop.conftest import seed


def test_each_transition_lands_once_in_the_customers_inbox(settings, emitter):
    built = build_services(settings, emitter, ["notify"])
    notify = built["notify"]
    svc = build(settings, emitter, notify, conf=ShopSettings(app_sweeper=False))
    try:
        v = seed(svc, units=5)
        svc.set_cart_line("alice", v, 1)
        order = svc.checkout("alice", key="n-1")
        svc.orders.act(order["id"], "pack", "acme", frozenset({"seller"}))
        with pytest.raises(Conflict):
            svc.orders.act(order["id"], "pack", "acme", frozenset({"admin"}))
        notify.deliver_due(max_seconds=20)
        subjects = sorted(m["subject"] for m in notify.inbox("alice"))
        assert subjects == [f"Order {order['id']} confirmed", f"Order {order['id']} packed"]
    finally:
        svc.close()
        close_services(built)
