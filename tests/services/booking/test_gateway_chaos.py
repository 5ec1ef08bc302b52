"""Confirm through a gateway that drops answers after charging, times out and fails:
exactly one charge per confirmed booking and none for failed ones, counted at the gateway."""

from __future__ import annotations

import random
from datetime import timedelta

from services.errors import Conflict, DomainError
from services.payments.adapter import CARD_DECLINED


def test_confirms_under_chaos_charge_each_booking_exactly_once(svc, room, clock):
    rng = random.Random(3)
    gw = svc.local_gateway
    svc.gateway.sleep = lambda _s: None
    confirmed, failed = set(), set()
    day = svc.today() + timedelta(days=3)
    for i in range(40):
        start = day + timedelta(days=i % 20)
        try:
            hold = svc.hold(f"u{i}", room, start, start + timedelta(days=1), 1)
        except Conflict:
            continue
        for kind in ("drop", "timeout", "fail"):
            if rng.random() < 0.4:
                gw.chaos.inject(kind, rng.randint(1, 8))
        method = CARD_DECLINED if i % 7 == 0 else "pm_card_visa"
        for _attempt in range(4):  # the client retries confirm, as it is told to on 503
            try:
                svc.confirm(f"u{i}", hold["id"], method)
                confirmed.add(hold["id"])
                break
            except DomainError as exc:
                if exc.status != 503:
                    failed.add(hold["id"])
                    break
        else:
            failed.add(hold["id"])
            svc.cancel(f"u{i}", hold["id"])
        gw.chaos.clear()
    clock.advance(601)
    svc.sweep()
    svc.reconcile()
    charges = gw.charges_by("booking")
    assert confirmed and failed
    assert {k for k, n in charges.items() if n} == confirmed
    assert all(n == 1 for n in charges.values())
    for res_id in confirmed:
        assert svc.get("x", res_id, privileged=True)["payment"] == "captured"
