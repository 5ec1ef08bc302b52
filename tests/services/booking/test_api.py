"""The booking API: admin inventory, search, hold/confirm/cancel with Idempotency-Key, SSE
live availability, signed webhooks, and 4xx for bad input."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from services.app import create_app
from services.payments.webhooks import sign


@pytest.fixture
def api(settings, emitter, svc):
    with TestClient(
        create_app(settings, emitter, only=["booking"], services={"booking": svc})
    ) as c:
        yield c


@pytest.fixture
def users(api, admin_headers):
    def make(user="alice"):
        r = api.post("/auth/keys", json={"user_id": user, "roles": ["user"]}, headers=admin_headers)
        return {"X-API-Key": r.json()["api_key"]}

    return make


@pytest.fixture
def hotel(api, admin_headers, svc):
    today = svc.today()
    assert (
        api.post(
            "/booking/admin/properties",
            json={"id": "p1", "name": "Casa", "city": "Porto"},
            headers=admin_headers,
        ).status_code
        == 201
    )
    assert (
        api.post(
            "/booking/admin/units",
            json={"id": "p1-twin", "name": "Twin", "max_guests": 2, "property_id": "p1"},
            headers=admin_headers,
        ).status_code
        == 201
    )
    r = api.put(
        "/booking/admin/units/p1-twin/inventory",
        headers=admin_headers,
        json={
            "start": str(today),
            "end": str(today + timedelta(days=30)),
            "total": 2,
            "price_cents": 8000,
        },
    )
    assert r.json() == {"unit_id": "p1-twin", "days": 30}
    return today


def test_admin_routes_need_the_admin_role(api, users, hotel):
    alice = users()
    r = api.post(
        "/booking/admin/properties", json={"id": "p2", "name": "X", "city": "Y"}, headers=alice
    )
    assert r.status_code == 403


def test_search_hold_confirm_cancel_round_trip(api, users, hotel, svc):
    alice = users()
    q = {
        "place": "Porto",
        "check_in": str(hotel + timedelta(days=3)),
        "check_out": str(hotel + timedelta(days=5)),
        "guests": 2,
    }
    offers = api.get("/booking/search", params=q, headers=alice).json()
    assert offers == [
        {
            "unit_id": "p1-twin",
            "name": "Twin",
            "property_id": "p1",
            "max_guests": 2,
            "total_cents": 16000,
            "available": 2,
        }
    ]
    assert api.get("/booking/search", params={**q, "max_price": 15999}, headers=alice).json() == []
    body = {
        "unit_id": "p1-twin",
        "check_in": q["check_in"],
        "check_out": q["check_out"],
        "guests": 2,
    }
    held = api.post("/booking/holds", json=body, headers={**alice, "Idempotency-Key": "h1"})
    assert held.status_code == 201, held.text
    again = api.post("/booking/holds", json=body, headers={**alice, "Idempotency-Key": "h1"})
    assert again.json() == held.json()
    assert api.get("/booking/search", params=q, headers=alice).json()[0]["available"] == 1
    other = api.post(
        "/booking/holds", json={**body, "guests": 1}, headers={**alice, "Idempotency-Key": "h1"}
    )
    assert other.status_code == 422
    hold_id = held.json()["id"]
    conf = api.post(
        f"/booking/holds/{hold_id}/confirm", json={}, headers={**alice, "Idempotency-Key": "c1"}
    )
    assert conf.status_code == 200 and conf.json()["status"] == "confirmed"
    bob = users("bob")
    assert api.get(f"/booking/reservations/{hold_id}", headers=bob).status_code == 403
    assert api.post(f"/booking/holds/{hold_id}/confirm", json={}, headers=bob).status_code == 403
    cancelled = api.post(f"/booking/reservations/{hold_id}/cancel", headers=alice)
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["refund_cents"] == 16000


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"check_out": "check_in"}, 422),
        ({"guests": 0}, 422),
        ({"guests": 99}, 422),
        ({"unit_id": "nope"}, 404),
        ({"check_in": "2001-01-01", "check_out": "2001-01-03"}, 422),
        ({"check_in": "not-a-date"}, 422),
        ({"plan": "gold"}, 422),
    ],
)
def test_bad_holds_get_4xx(api, users, hotel, change, status):
    body = {
        "unit_id": "p1-twin",
        "check_in": str(hotel + timedelta(days=3)),
        "check_out": str(hotel + timedelta(days=5)),
        "guests": 1,
    }
    if change.get("check_out") == "check_in":
        change = {"check_out": body["check_in"]}
    r = api.post("/booking/holds", json={**body, **change}, headers=users())
    assert r.status_code == status, r.text


def test_bad_admin_prices_get_422(api, admin_headers, hotel):
    for price in (-1, "ten", 10**9, 1.5):
        r = api.put(
            "/booking/admin/units/p1-twin/inventory",
            headers=admin_headers,
            json={
                "start": str(hotel),
                "end": str(hotel + timedelta(days=1)),
                "total": 1,
                "price_cents": price,
            },
        )
        assert r.status_code == 422, price


def test_webhooks_need_a_valid_signature_and_repeats_are_ignored(api, svc):
    payload = json.dumps(
        {
            "id": "evt_9",
            "type": "payment_intent.succeeded",
            "data": {"object": {"id": "pi_1", "metadata": {}}},
        }
    ).encode()
    assert api.post("/booking/webhooks", content=payload).status_code == 400
    secret = svc.inbox.secret
    headers = {"Stripe-Signature": sign(payload, secret)}
    assert api.post("/booking/webhooks", content=payload, headers=headers).json() == {
        "processed": True
    }
    assert api.post("/booking/webhooks", content=payload, headers=headers).json() == {
        "processed": False
    }


def test_live_availability_streams_a_hold_to_watchers(api, users, hotel, svc):
    alice = users()
    got: list[str] = []
    ready = threading.Event()

    def watch() -> None:
        with api.stream("GET", "/booking/live", params={"units": "p1-twin"}, headers=alice) as r:
            for line in r.iter_lines():
                if line.startswith("event: ready"):
                    ready.set()
                if line.startswith("data:") and "held" in line:
                    got.append(line)
                    return

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    assert ready.wait(5)
    svc.hold("bob", "p1-twin", hotel + timedelta(days=3), hotel + timedelta(days=4), 1)
    thread.join(5)
    assert got and json.loads(got[0][5:])["unit_id"] == "p1-twin"


def test_a_booking_changes_dates_over_http_once_and_only_for_its_owner(api, users, hotel):
    alice, bob = users(), users("bob")

    def day(n: int) -> str:
        return str(hotel + timedelta(days=n))

    body = {"unit_id": "p1-twin", "check_in": day(3), "check_out": day(5), "guests": 2}
    hold_id = api.post("/booking/holds", json=body, headers=alice).json()["id"]
    assert api.post(f"/booking/holds/{hold_id}/confirm", json={}, headers=alice).is_success
    move = {"check_in": day(6), "check_out": day(9)}
    path = f"/booking/reservations/{hold_id}/change"
    assert api.post(path, json=move, headers=bob).status_code == 403
    changed = api.post(path, json=move, headers={**alice, "Idempotency-Key": "m1"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["check_in"], changed.json()["nights"]) == (day(6), 3)
    again = api.post(path, json=move, headers={**alice, "Idempotency-Key": "m1"})
    assert again.json() == changed.json()  # replayed, not changed twice
    bad = api.post(path, json={"check_in": day(9), "check_out": day(6)}, headers=alice)
    assert bad.status_code == 422
    for _ in range(2):  # sell out the nights it would move to
        other = {**body, "check_in": day(12), "check_out": day(13)}
        assert api.post("/booking/holds", json=other, headers=bob).status_code == 201
    full = api.post(path, json={"check_in": day(12), "check_out": day(13)}, headers=alice)
    assert full.status_code == 409
    kept = api.get(f"/booking/reservations/{hold_id}", headers=alice).json()
    assert kept["check_in"] == day(6) and kept["status"] == "confirmed"
