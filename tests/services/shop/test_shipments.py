"""Multi-seller orders: one shipment per seller, each packed, shipped, delivered and refunded
by its own seller only (403 for another's); the order's state derives from its shipments."""

from __future__ import annotations

from tests.services.shop.test_api import api, buy, key, shop  # noqa: F401 - fixtures


def _order_of_two_sellers(api, shop) -> dict:  # noqa: F811
    h = shop["alice"]
    assert api.put(f"/shop/cart/items/{shop['mug']}", json={"qty": 1}, headers=h).status_code == 200
    r = buy(api, h, shop["pan"], qty=2)
    assert r.status_code == 201, r.text
    return r.json()


def test_each_seller_fulfils_only_its_own_shipment(api, shop, svc):  # noqa: F811
    order = _order_of_two_sellers(api, shop)
    assert [(s["seller_id"], s["status"], s["amount"]) for s in order["shipments"]] == [
        ("acme", "paid", 1250),
        ("other", "paid", 2500),
    ]
    base = f"/shop/orders/{order['id']}/shipments"

    def step(seller: str, h: dict, action: str):
        return api.post(f"{base}/{seller}/transitions", json={"action": action}, headers=h)

    assert step("other", shop["acme"], "pack").status_code == 403  # not acme's shipment
    assert step("acme", shop["alice"], "pack").status_code == 403  # customers do not pack
    assert step("nobody", shop["acme"], "pack").status_code == 404
    assert step("acme", shop["acme"], "ship").status_code == 409  # not packed yet
    r = step("acme", shop["acme"], "pack")
    assert r.status_code == 200 and r.json()["status"] == "paid"  # other's is still to pack
    assert [s["status"] for s in r.json()["shipments"]] == ["packed", "paid"]
    # The order-level action of a seller moves its own shipment only.
    url = f"/shop/orders/{order['id']}/transitions"
    assert api.post(url, json={"action": "pack"}, headers=shop["acme"]).status_code == 409
    r = api.post(url, json={"action": "pack"}, headers=shop["other"])
    assert r.json()["status"] == "packed"  # every shipment packed: so is the order
    assert step("acme", shop["acme"], "ship").json()["status"] == "packed"
    # One shipment left: the customer can no longer cancel the whole order.
    assert api.post(url, json={"action": "cancel"}, headers=shop["alice"]).status_code == 409
    assert step("acme", shop["acme"], "deliver").json()["status"] == "packed"
    # acme refunds its delivered shipment, never more than its part, never other's.
    refunds = f"{base}/acme/refunds"
    assert api.post(refunds, json={"amount": 1251}, headers=shop["acme"]).status_code == 409
    assert (
        api.post(f"{base}/other/refunds", json={"amount": 1}, headers=shop["acme"]).status_code
        == 403
    )
    assert (
        api.post(f"{base}/other/refunds", json={"amount": 1}, headers=shop["other"]).status_code
        == 409
    )
    r = api.post(refunds, json={"amount": 250}, headers=shop["acme"])
    assert r.status_code == 200 and r.json()["refunded"] == 250
    assert r.json()["shipments"][0]["refunded"] == 250 and r.json()["status"] == "packed"
    assert step("other", shop["other"], "ship").json()["status"] == "shipped"
    done = step("other", shop["other"], "deliver").json()
    assert done["status"] == "delivered"
    assert [s["status"] for s in done["shipments"]] == ["delivered", "delivered"]
    # A seller's order-level refund is capped by its own shipment too.
    r = api.post(f"/shop/orders/{order['id']}/refunds", json={"amount": 1001}, headers=shop["acme"])
    assert r.status_code == 409
    r = api.post(f"/shop/orders/{order['id']}/refunds", json={"amount": 1000}, headers=shop["acme"])
    assert r.json()["status"] == "partially_refunded" and r.json()["refunded"] == 1250
    charged = svc.local_gateway.charges_by("checkout")
    assert list(charged.values()) == [1]  # one payment, refunded in part
    assert svc.audit() == []


def test_an_admin_moves_every_shipment_and_sellers_see_only_orders_they_sell_in(
    api,  # noqa: F811
    shop,  # noqa: F811
    key,  # noqa: F811
    admin_headers,
):
    order = _order_of_two_sellers(api, shop)
    url = f"/shop/orders/{order['id']}/transitions"
    for action, status in (("pack", "packed"), ("ship", "shipped"), ("deliver", "delivered")):
        r = api.post(url, json={"action": action}, headers=admin_headers)
        assert r.json()["status"] == status
        assert {s["status"] for s in r.json()["shipments"]} == {status}
    outsider = key("third", "seller")
    r = api.post(
        f"/shop/orders/{order['id']}/shipments/acme/transitions",
        json={"action": "pack"},
        headers=outsider,
    )
    assert r.status_code == 404  # an order it sells nothing in is not there for it


def test_after_a_return_each_seller_refunds_only_what_is_left_of_its_part(
    api,  # noqa: F811
    shop,  # noqa: F811
    admin_headers,
):
    order = _order_of_two_sellers(api, shop)
    url = f"/shop/orders/{order['id']}/transitions"
    for action in ("pack", "ship", "deliver"):
        assert api.post(url, json={"action": action}, headers=admin_headers).status_code == 200
    assert (
        api.post(url, json={"action": "request_return"}, headers=shop["alice"]).status_code == 200
    )
    r = api.post(url, json={"action": "receive_return"}, headers=shop["acme"])
    assert r.json()["status"] == "returned"
    refunds = f"/shop/orders/{order['id']}/shipments/acme/refunds"
    assert api.post(refunds, json={"amount": 1250}, headers=shop["acme"]).status_code == 200
    again = api.post(refunds, json={"amount": 1}, headers=shop["acme"])
    assert again.status_code == 409  # acme's part is spent; other's stays other's
    other = f"/shop/orders/{order['id']}/shipments/other/refunds"
    r = api.post(other, json={"amount": 2500}, headers=shop["other"])
    assert r.json()["status"] == "refunded" and r.json()["refunded"] == 3750


def test_an_admins_order_refund_is_split_over_the_sellers_shipments(
    api,  # noqa: F811
    shop,  # noqa: F811
    admin_headers,
):
    order = _order_of_two_sellers(api, shop)  # acme 1250, other 2500
    url = f"/shop/orders/{order['id']}/transitions"
    for action in ("pack", "ship", "deliver"):
        assert api.post(url, json={"action": action}, headers=admin_headers).status_code == 200
    refunds = f"/shop/orders/{order['id']}/refunds"
    r = api.post(refunds, json={"amount": 1501}, headers=admin_headers)
    assert r.status_code == 200 and r.json()["refunded"] == 1501
    parts = {s["seller_id"]: s["refunded"] for s in r.json()["shipments"]}
    assert parts == {"acme": 500, "other": 1001}  # in proportion; the odd unit to the larger
    # Each seller can refund only what is left of its own part after the admin's.
    mine = f"/shop/orders/{order['id']}/shipments/acme/refunds"
    assert api.post(mine, json={"amount": 751}, headers=shop["acme"]).status_code == 409
    r = api.post(mine, json={"amount": 750}, headers=shop["acme"])
    assert r.status_code == 200
    r = api.post(refunds, json={"amount": 1499}, headers=admin_headers)
    assert r.json()["status"] == "refunded" and r.json()["refunded"] == 3750
    assert [(s["amount"], s["refunded"]) for s in r.json()["shipments"]] == [
        (1250, 1250),
        (2500, 2500),
    ]


def test_a_cancelled_order_refunds_every_shipment_in_full(api, shop):  # noqa: F811
    order = _order_of_two_sellers(api, shop)
    url = f"/shop/orders/{order['id']}/transitions"
    r = api.post(url, json={"action": "cancel"}, headers=shop["alice"])
    assert r.json()["status"] == "cancelled" and r.json()["refunded"] == 3750
    assert [(s["amount"], s["refunded"]) for s in r.json()["shipments"]] == [
        (1250, 1250),
        (2500, 2500),
    ]
