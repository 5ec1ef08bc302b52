"""The send API: routing by preference, idempotency keys, and clear 4xx on bad input."""

from __future__ import annotations

from tests.services.notify.conftest import register, user_headers


def send(api, headers, **body):
    payload = {"user_id": "ann", "template": "welcome", "data": {"name": "Ann"}}
    payload.update(body)
    return api.post("/notifications", json=payload, headers=headers)


def test_send_by_preference_queues_one_delivery_per_reachable_channel(api, service_headers):
    register(api, service_headers, "ann", phone=None)
    r = send(api, service_headers)
    assert r.status_code == 202, r.text
    by_channel = {d["channel"]: d["status"] for d in r.json()["deliveries"]}
    assert by_channel == {
        "email": "pending",
        "push": "pending",
        "inbox": "pending",
        "sms": "suppressed",
        "webhook": "suppressed",  # no webhook registered
    }


def test_same_idempotency_key_returns_same_notification_and_no_second_delivery(
    api, service_headers, notify
):
    register(api, service_headers, "ann")
    h = {**service_headers, "Idempotency-Key": "order-42-shipped"}
    first = send(api, h, channels=["sms"])
    again = send(api, h, channels=["sms"])
    assert first.status_code == 202 and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert notify.stats() == {"pending": 1}
    conflict = send(api, h, channels=["email"])
    assert conflict.status_code == 409
    assert "Idempotency-Key" in conflict.json()["detail"]


def test_bad_input_gets_clear_4xx(api, service_headers, admin_headers):
    register(api, service_headers, "ann")
    cases = {
        "unknown channel": (send(api, service_headers, channels=["fax"]), 422, "fax"),
        "missing user": (send(api, service_headers, user_id="nobody"), 404, "unknown user"),
        "unknown template": (send(api, service_headers, template="nope"), 422, "unknown template"),
        "missing template data": (send(api, service_headers, data={}), 422, "name"),
        "naive send_at": (
            send(api, service_headers, send_at="2030-01-01T09:00:00"),
            422,
            "time zone",
        ),
        "bad priority": (send(api, service_headers, priority="asap"), 422, None),
        "empty channels": (send(api, service_headers, channels=[]), 422, "empty"),
    }
    for name, (resp, code, needle) in cases.items():
        assert resp.status_code == code, (name, resp.text)
        if needle:
            assert needle in resp.json()["detail"], (name, resp.text)
    bad_tz = api.put(
        "/notifications/preferences?user_id=ann",
        json={"timezone": "Mars/Olympus"},
        headers=service_headers,
    )
    assert bad_tz.status_code == 422 and "time zone" in bad_tz.json()["detail"]
    bad_tz_profile = api.put(
        "/notifications/users/ann", json={"timezone": "Nowhere"}, headers=service_headers
    )
    assert bad_tz_profile.status_code == 422
    bad_quiet = api.put(
        "/notifications/preferences?user_id=ann",
        json={"quiet_hours": {"start": "25:00", "end": "07:00"}},
        headers=service_headers,
    )
    assert bad_quiet.status_code == 422
    bad_pref_channel = api.put(
        "/notifications/preferences?user_id=ann",
        json={"channels": {"pigeon": False}},
        headers=service_headers,
    )
    assert bad_pref_channel.status_code == 422
    bad_template = api.put(
        "/notifications/templates/promo/en",
        json={"subject": "Hi {{ name", "body": "x"},
        headers=admin_headers,
    )
    assert bad_template.status_code == 422 and "syntax" in bad_template.json()["detail"]
    unsafe = api.put(
        "/notifications/templates/evil/en",
        json={"subject": "x", "body": "{{ ''.__class__.__mro__ }}"},
        headers=admin_headers,
    )
    assert unsafe.status_code == 204  # parses; the sandbox refuses it at send time
    assert send(api, service_headers, template="evil").status_code == 422
    # Nothing half-written: only the one valid profile exists, no notification was stored.
    assert api.get("/notifications/stats", headers=service_headers).json() == {}


def test_only_services_send_and_users_manage_only_themselves(api, service_headers, admin_headers):
    register(api, service_headers, "ann")
    ann = user_headers(api, admin_headers, "ann")
    assert send(api, ann).status_code == 403
    assert send(api, {}).status_code == 401
    assert api.put("/notifications/users/bob", json={}, headers=ann).status_code == 403
    r = api.put("/notifications/preferences", json={"channels": {"sms": False}}, headers=ann)
    assert r.status_code == 200 and r.json()["preferences"] == {"*": {"sms": False}}


def test_localised_template_added_by_admin_is_used_with_locale_fallback(
    api, service_headers, admin_headers
):
    register(api, service_headers, "ann", locale="es-MX")
    r = api.put(
        "/notifications/templates/welcome/es",
        json={"subject": "¡Hola {{ name }}!", "body": "Bienvenida"},
        headers=admin_headers,
    )
    assert r.status_code == 204
    nid = send(api, service_headers, channels=["inbox"]).json()["id"]
    view = api.get(f"/notifications/{nid}", headers=service_headers).json()
    assert view["locale"] == "es"
    unknown_locale = send(api, service_headers, channels=["inbox"], locale="ja").json()
    assert unknown_locale["locale"] == "en"
