"""The rides API: positions by HTTP batch and WebSocket, quote, request, the lifecycle by
rider and driver keys, 4xx for bad input, 404 for other people's trips, 429 on floods."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.app import create_app
from services.rides.locations import MemoryIndex
from services.rides.settings import RidesSettings
from services.rides.system import build

PICKUP = {"lat": 41.8837, "lng": -87.6289}
DROP = {"lat": 41.8950, "lng": -87.6200}


@pytest.fixture
def svc(settings, emitter, clock):
    service = build(
        settings,
        emitter,
        conf=RidesSettings(location_rate=1.0, location_burst=3.0, app_sweeper=False),
        clock=clock,
        index=MemoryIndex(),
    )
    yield service
    service.close()


@pytest.fixture
def api(settings, emitter, svc):
    with TestClient(create_app(settings, emitter, only=["rides"], services={"rides": svc})) as c:
        yield c


@pytest.fixture
def users(api, admin_headers):
    def make(user):
        r = api.post("/auth/keys", json={"user_id": user, "roles": ["user"]}, headers=admin_headers)
        return {"X-API-Key": r.json()["api_key"]}

    return make


def test_a_ride_over_http_and_the_websocket(api, users, svc):
    rider, driver = users("alice"), users("dave")
    with api.websocket_connect("/rides/drivers/ws", headers=driver) as ws:
        ws.send_json({"lat": 41.8840, "lng": -87.6290})
        ack = ws.receive_json()
        assert ack["accepted"] == 1 and ack["offer"] is None and len(ack["cell"]) == 15
        ws.send_json({"lat": 123, "lng": 0})
        assert ws.receive_json()["error"] == 422
        ws.send_text("not json")
        assert ws.receive_json()["error"] == 400
    q = api.post("/rides/quotes", json={"pickup": PICKUP, "dropoff": DROP}, headers=rider)
    assert q.status_code == 201, q.text
    assert q.json()["pickup_eta_s"] > 0
    t = api.post("/rides/trips", json={"quote_id": q.json()["id"]}, headers=rider)
    assert t.status_code == 201, t.text
    trip = t.json()
    assert trip["driver_id"] == "dave"
    assert api.get(f"/rides/trips/{trip['id']}", headers=users("mallory")).status_code == 404
    assert api.post(f"/rides/trips/{trip['id']}/start", headers=driver).status_code == 409
    assert api.post(f"/rides/trips/{trip['id']}/accept", headers=rider).status_code == 404
    for step in ("accept", "arrive", "start", "complete"):
        r = api.post(f"/rides/trips/{trip['id']}/{step}", headers=driver)
        assert r.status_code == 200, (step, r.text)
    assert r.json()["payment"] == "captured"
    rated = api.post(f"/rides/trips/{trip['id']}/rating", json={"stars": 5}, headers=rider)
    assert rated.json()["rider_rating"] == 5
    assert (
        api.post(f"/rides/trips/{trip['id']}/rating", json={"stars": 5}, headers=rider).status_code
        == 409
    )
    mine = api.get("/rides/trips", headers=driver).json()
    assert [x["id"] for x in mine] == [trip["id"]]
    assert api.get("/rides/drivers/dave/rating", headers=rider).json()["rating"] == 5.0


def test_bad_input_gets_clear_4xx(api, users):
    rider = users("alice")
    bad = [
        {"pickup": {"lat": 95, "lng": 0}, "dropoff": DROP},
        {"pickup": PICKUP, "dropoff": {"lat": 0, "lng": -200}},
        {"pickup": PICKUP},
        {"pickup": PICKUP, "dropoff": PICKUP},
    ]
    for body in bad:
        r = api.post("/rides/quotes", json=body, headers=rider)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    broken = {**rider, "Content-Type": "application/json"}
    assert api.post("/rides/quotes", content=b"{", headers=broken).status_code == 400
    assert api.post("/rides/trips", json={"quote_id": "q_nope"}, headers=rider).status_code == 404
    assert api.get("/rides/trips/t_nope", headers=rider).status_code == 404
    r = api.post("/rides/drivers/me/locations", json={"points": []}, headers=rider)
    assert r.status_code == 422


def test_a_location_flood_is_rate_limited_per_driver(api, users):
    flood, calm = users("flood"), users("calm")
    body = {"points": [{"lat": 41.88, "lng": -87.63}]}
    codes = [
        api.post("/rides/drivers/me/locations", json=body, headers=flood).status_code
        for _ in range(8)
    ]
    assert codes[:3] == [200, 200, 200] and 429 in codes
    limited = api.post("/rides/drivers/me/locations", json=body, headers=flood)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert api.post("/rides/drivers/me/locations", json=body, headers=calm).status_code == 200


def test_an_expired_quote_answers_409_naming_a_new_quote(api, users, clock):
    rider, driver = users("alice"), users("dave")
    q = api.post("/rides/quotes", json={"pickup": PICKUP, "dropoff": DROP}, headers=rider).json()
    clock.advance(RidesSettings().quote_ttl_s + 1)
    api.post("/rides/drivers/me/locations", json={"points": [PICKUP]}, headers=driver)
    r = api.post("/rides/trips", json={"quote_id": q["id"]}, headers=rider)
    assert r.status_code == 409
    fresh = r.headers["X-New-Quote"]
    assert fresh in r.json()["detail"]
    assert api.post("/rides/trips", json={"quote_id": fresh}, headers=rider).status_code == 201


def test_no_driver_answers_503_with_retry_after(api, users):
    rider = users("alice")
    q = api.post("/rides/quotes", json={"pickup": PICKUP, "dropoff": DROP}, headers=rider).json()
    r = api.post("/rides/trips", json={"quote_id": q["id"]}, headers=rider)
    assert r.status_code == 503 and "no driver" in r.json()["detail"]
    assert r.headers["Retry-After"] == "30"


def test_the_socket_needs_a_key(api):
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect), api.websocket_connect("/rides/drivers/ws") as ws:
        ws.receive_json()
