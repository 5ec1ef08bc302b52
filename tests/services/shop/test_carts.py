"""Guest carts expire: past ``guest_cart_ttl_s`` a token is a 404 exactly like one never
issued (read, write, merge), and the sweeper deletes the cart with its lines; no table holds
a guest's token, only its hash."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.shop.store import carts, guest_carts
from tests.services.shop.conftest import seed
from tests.services.shop.test_api import api, key, shop  # noqa: F401 - fixtures

TTL = 7 * 86400  # the default


def test_an_expired_guest_token_is_404_like_an_unknown_one(api, shop, clock):  # noqa: F811
    token = api.post("/shop/guest-carts").json()["token"]
    url = f"/shop/guest-carts/{token}"
    assert api.put(f"{url}/items/{shop['mug']}", json={"qty": 2}).status_code == 200
    clock.advance(TTL - 1)
    assert api.get(url).json()["total"] == 2500  # still alive one second before
    clock.advance(1)
    assert api.get(url).status_code == 404
    assert api.put(f"{url}/items/{shop['mug']}", json={"qty": 1}).status_code == 404
    r = api.post("/shop/cart/merge", json={"guest_token": token}, headers=shop["alice"])
    assert r.status_code == 404
    assert api.get("/shop/cart", headers=shop["alice"]).json()["lines"] == []


def test_the_sweeper_deletes_expired_guest_carts_and_their_lines(svc, clock):
    vid = seed(svc)
    old = svc.new_guest_cart()
    svc.set_guest_cart_line(old, vid, 1)
    clock.advance(TTL / 2)
    young = svc.new_guest_cart()
    svc.set_guest_cart_line(young, vid, 3)
    svc.set_cart_line("alice", vid, 1)
    assert svc.carts.purge_guest_carts() == 0
    clock.advance(TTL / 2)
    assert svc.carts.purge_guest_carts() == 1
    with svc.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(guest_carts)).scalar() == 1
        owners = set(conn.execute(select(carts.c.owner)).scalars())
    assert len(owners) == 2 and "alice" in owners
    assert not any(old in o or young in o for o in owners)  # tokens are never stored
    assert svc.guest_cart(young)["total"] == 3 * 1250
    svc.sweeper.one_pass(slow_due=True)  # the sweeper's pass does the same
    clock.advance(TTL / 2)
    svc.sweeper.one_pass(slow_due=True)
    with svc.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(guest_carts)).scalar() == 0
        assert list(conn.execute(select(carts.c.owner)).scalars()) == ["alice"]


def test_a_cart_refuses_a_line_past_its_cap_and_keeps_the_rest(settings, emitter, clock):
    from services.errors import Invalid
    from services.shop.settings import ShopSettings
    from services.shop.system import build

    svc = build(settings, emitter, conf=ShopSettings(max_cart_lines=2), clock=clock)
    try:
        a, b, c = (seed(svc, code=code) for code in ("mug", "pan", "cup"))
        svc.set_cart_line("alice", a, 1)
        svc.set_cart_line("alice", b, 1)
        with pytest.raises(Invalid, match="at most 2 lines"):
            svc.set_cart_line("alice", c, 1)
        assert svc.set_cart_line("alice", b, 4)["total"] == 5 * 1250  # a change is no new line
        assert [ln["variant_id"] for ln in svc.cart("alice")["lines"]] == [a, b]
    finally:
        svc.close()
