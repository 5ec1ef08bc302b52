"""The checkout saga's compensations, reservation expiry, warehouse allocation, and the
database's own refusal of any write that breaks conservation."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from services.errors import Conflict, DomainError
from services.payments.adapter import CARD_DECLINED, CARD_OK
from services.shop.settings import ShopSettings
from services.shop.store import stock
from services.shop.system import build
from tests.services.shop.conftest import seed


def test_a_declined_card_releases_the_reservation_and_charges_nothing(svc):
    v = seed(svc, units=5)
    svc.set_cart_line("bob", v, 2)
    with pytest.raises(DomainError) as err:
        svc.checkout("bob", payment_method=CARD_DECLINED)
    assert err.value.status == 402
    assert svc.stock_of(v)["available"] == 5 and svc.stock_of(v)["reserved"] == 0
    assert svc.local_gateway.charges_by("checkout") == {}
    assert svc.audit() == []


def test_reservations_expire_and_the_sweeper_gives_the_stock_back(svc, clock):
    v = seed(svc, units=5)
    svc.reserve("co_x", "bob", [(v, 4)], "United Kingdom")
    assert svc.stock_of(v)["available"] == 1
    with pytest.raises(Conflict, match="out of stock"):
        svc.reserve("co_y", "eve", [(v, 2)], "United Kingdom")
    clock.advance(599)
    assert svc.sweep() == 0
    clock.advance(2)
    assert svc.sweep() == 1
    assert svc.stock_of(v)["available"] == 5
    assert svc.audit() == []


def test_paying_after_the_reservation_lapsed_voids_the_payment(svc, clock):
    v = seed(svc, units=5)
    svc.reserve("co_late", "bob", [(v, 1)], "United Kingdom")
    clock.advance(601)
    svc.sweep()
    with pytest.raises(Conflict):
        svc.saga.pay("co_late")
    assert svc.local_gateway.charges_by("checkout") == {}
    assert svc.stock_of(v)["available"] == 5


def test_lapse_between_charge_and_order_refunds_in_full_and_says_so(svc, clock):
    v = seed(svc, units=5)
    svc.reserve("co_race", "bob", [(v, 1)], "United Kingdom")
    svc.saga.crash_hook = lambda at: clock.advance(601) if at == "charged" else None
    with pytest.raises(Conflict, match="refunded in full"):
        svc.saga.pay("co_race")
    svc.sweep()
    assert svc.local_gateway.charges_by("checkout") == {}  # charged, then given back
    assert svc.local_gateway.totals()["refunded"] == 1250
    assert svc.saga.checkout_row("co_race").pay_state == "voided"
    assert svc.stock_of(v)["available"] == 5 and svc.audit() == []


def test_the_order_is_written_paid_with_the_charge_and_a_cancel_refunds_it(svc):
    v = seed(svc, units=5)
    svc.set_cart_line("bob", v, 2)
    order = svc.checkout("bob")
    assert order["status"] == "paid"
    assert [e["status"] for e in order["events"]] == ["placed", "paid"]
    assert svc.saga.checkout_row("co_" + order["id"][2:]).pay_state == "captured"
    assert list(svc.local_gateway.charges_by("checkout").values()) == [1]
    out = svc.orders.act(order["id"], "cancel", "bob", frozenset({"customer"}))
    assert out["status"] == "cancelled" and out["refunded"] == 2500
    assert svc.local_gateway.charges_by("checkout") == {}
    assert svc.stock_of(v)["available"] == 5 and svc.audit() == []


def test_nearest_takes_the_buyers_country_first_and_splits_when_it_must(svc):
    v = seed(svc, split=(3, 4))
    svc.reserve("co_fr", "marie", [(v, 2)], "France")
    rows = svc.saga.checkout_row("co_fr")
    assert rows.status == "reserved"
    assert svc.stock_of(v)["reserved"] == 2
    svc.reserve("co_big", "bob", [(v, 5)], "United Kingdom")  # 3 from uk-1, 2 from fr-1
    with svc.engine.connect() as conn:
        free = {r.warehouse_id: r.on_hand - r.reserved for r in conn.execute(stock.select())}
    assert free == {"uk-1": 0, "fr-1": 0}


def test_fewest_shipments_prefers_one_warehouse_that_holds_everything(settings, emitter, clock):
    svc = build(settings, emitter, conf=ShopSettings(allocation="fewest_shipments"), clock=clock)
    try:
        v = seed(svc, split=(3, 6))
        svc.reserve("co_1", "bob", [(v, 5)], "United Kingdom")
        with svc.engine.connect() as conn:
            held = {r.warehouse_id: r.reserved for r in conn.execute(stock.select())}
        assert held == {"uk-1": 0, "fr-1": 5}
    finally:
        svc.close()


def test_the_database_refuses_negative_free_stock_and_broken_conservation(svc):
    v = seed(svc, units=5)
    for values in ({"reserved": 6}, {"on_hand": 4}, {"reserved": -1}):
        with pytest.raises(IntegrityError), svc.engine.begin() as conn:
            conn.execute(update(stock).where(stock.c.variant_id == v).values(**values))
    assert svc.audit() == []


def test_the_order_a_checkout_answers_is_the_order_as_stored(svc):
    """The checkout builds its answer from what it wrote; it must equal a fresh read."""
    v = seed(svc, split=(3, 7))
    w = seed(svc, units=4, code="second", seller="other")
    svc.set_cart_line("bob", v, 5)  # split over two warehouses
    svc.set_cart_line("bob", w, 1)
    answered = svc.checkout("bob", key="k-1")
    assert answered["status"] == "paid" and len(answered["lines"]) == 3
    assert answered == svc.orders.get(answered["id"], "bob", frozenset())
    assert svc.checkout("bob", key="k-1") == answered  # a retry reads the stored order


def test_a_crash_mid_charge_is_settled_with_the_card_it_was_charged_on(svc, clock):
    """A crash after the charge, with a card other than the default: settling repeats the
    call with that card under the same key, finds the charge and gives it back."""
    v = seed(svc, units=5)

    def crash(at: str) -> None:
        if at == "charged":
            raise KeyboardInterrupt("killed after the charge")

    svc.saga.crash_hook = crash
    for checkout_id, method in (("co_odd", "pm_card_mastercard"), ("co_plain", CARD_OK)):
        svc.reserve(checkout_id, "bob", [(v, 1)], "United Kingdom", paying=method)
        with pytest.raises(KeyboardInterrupt):
            svc.saga.pay(checkout_id, method)
    clock.advance(601)
    assert svc.sweep() == 2  # both reservations released
    assert svc.stock_of(v)["available"] == 5
    for checkout_id in ("co_odd", "co_plain"):
        assert svc.saga.checkout_row(checkout_id).pay_state == "voided"  # charge given back
    assert "refused" not in svc.reconcile()


def test_a_checkout_the_gateway_refuses_to_settle_never_stops_the_others(svc, clock):
    """A settle the gateway refuses (here: a key reused with other parameters, 422) is
    counted and tried again next pass; the sweep goes on with every other checkout."""
    v = seed(svc, units=5)

    def crash(at: str) -> None:
        if at == "charged":
            raise KeyboardInterrupt("killed after the charge")

    svc.saga.crash_hook = crash
    for checkout_id in ("co_odd", "co_plain"):
        svc.reserve(checkout_id, "bob", [(v, 1)], "United Kingdom", paying=CARD_OK)
        with pytest.raises(KeyboardInterrupt):
            svc.saga.pay(checkout_id, CARD_OK)
    from services.shop.store import checkouts

    with svc.engine.begin() as conn:  # as if the row named another card than was charged
        conn.execute(
            checkouts.update()
            .where(checkouts.c.id == "co_odd")
            .values(pay_method="pm_card_mastercard")
        )
    clock.advance(601)
    assert svc.sweep() == 2
    assert svc.saga.checkout_row("co_plain").pay_state == "voided"
    assert svc.reconcile() == {"refused": 1}
    assert svc.saga.checkout_row("co_odd").pay_state == "authorizing"  # tried next pass
