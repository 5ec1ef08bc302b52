"""``kill -9`` of the service mid-checkout: on restart, expired reservations are released,
payments reconcile (a charge for an order that exists stands, one for none is given back) and the
ledger balances. The gateway keeps its state in its own file, as a real one would."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from services.shop.settings import ShopSettings
from services.shop.system import build
from tests.fake_clock import FakeClock
from tests.services.shop.conftest import seed

CHILD = """
import os, signal, sys
from warehouse.emitter import Emitter, SpoolTransport
from warehouse.settings import get_settings
from services.shop.settings import ShopSettings
from services.shop.system import build

point = sys.argv[1]
settings = get_settings()
svc = build(settings, Emitter(SpoolTransport(settings, name="child")), conf=ShopSettings())
svc.set_cart_line("alice", int(sys.argv[2]), 3)
svc.saga.crash_hook = lambda at: os.kill(os.getpid(), signal.SIGKILL) if at == point else None
svc.checkout("alice", key="crash-key")
"""


def crash_during_checkout(settings, point: str, variant: int) -> None:
    env = {**os.environ, "BLUEPRINT_DATA_DIR": str(settings.data_dir)}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, point, str(variant)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -9, proc.stderr[-2000:]


@pytest.fixture
def variant(settings, emitter) -> int:
    svc = build(settings, emitter, conf=ShopSettings())
    v = seed(svc, units=10)
    svc.close()
    return v


def restart(settings, emitter, clock=None):
    return build(settings, emitter, conf=ShopSettings(), clock=clock or time.time)


def test_killed_after_the_order_commits_the_order_stands_paid_once(settings, emitter, variant):
    crash_during_checkout(settings, "ordered", variant)
    svc = restart(settings, emitter)
    try:
        assert svc.reconcile() == {}  # nothing left mid-way: the order was written paid
        [order] = svc.orders.list("alice", frozenset(), None, 10, None)
        assert order["status"] == "paid"
        assert list(svc.local_gateway.charges_by("checkout").values()) == [1]
        assert svc.stock_of(variant)["sold"] == 3 and svc.audit() == []
        assert svc.checkout("alice", key="crash-key")["id"] == order["id"]  # the retry
        assert list(svc.local_gateway.charges_by("checkout").values()) == [1]
    finally:
        svc.close()


def test_killed_after_charge_before_the_order_the_retry_charges_once(settings, emitter, variant):
    crash_during_checkout(settings, "charged", variant)
    svc = restart(settings, emitter)
    try:
        order = svc.checkout("alice", key="crash-key")
        assert order["status"] == "paid"
        assert list(svc.local_gateway.charges_by("checkout").values()) == [1]
        assert svc.local_gateway.totals()["intents"] == 1
        assert svc.audit() == []
    finally:
        svc.close()


def test_killed_before_the_order_and_never_retried_is_released_and_refunded(
    settings, emitter, variant
):
    crash_during_checkout(settings, "charged", variant)
    svc = restart(settings, emitter, FakeClock(time.time() + ShopSettings().reservation_ttl_s + 1))
    try:
        assert svc.stock_of(variant)["reserved"] == 3
        assert svc.sweep() == 1
        svc.reconcile()
        assert svc.local_gateway.charges_by("checkout") == {}
        assert svc.stock_of(variant)["available"] == 10 and svc.stock_of(variant)["reserved"] == 0
        assert svc.orders.list("alice", frozenset(), None, 10, None) == []
        assert svc.audit() == []
    finally:
        svc.close()
