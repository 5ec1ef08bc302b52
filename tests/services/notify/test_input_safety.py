"""Input the store, the fingerprint or a provider cannot carry is a clear 4xx, never a 500:
integers beyond 64 bits, non-finite or deeply nested data, lone surrogates and NUL in text,
empty or over-long idempotency keys, and out-of-range ids in paths, queries and headers."""

from __future__ import annotations

import orjson
import pytest
from fastapi.testclient import TestClient

from services.errors import Invalid
from services.notify.errors import BadIdempotencyKey
from services.notify.sending import SendRequest
from services.notify.status import sign
from tests.services.notify.conftest import register

MAX_INT = 2**63 - 1


@pytest.fixture
def lenient(api) -> TestClient:
    """The same app, answering server errors with a 500 instead of raising them in the test."""
    return TestClient(api.app, raise_server_exceptions=False)


def send_raw(client, headers, raw: bytes, **extra_headers: str):
    return client.post(
        "/notifications",
        content=raw,
        headers={**headers, **extra_headers, "Content-Type": "application/json"},
    )


def send_json(client, headers, data, **body):
    payload = {"user_id": "ann", "template": "welcome", "data": data, **body}
    return send_raw(client, headers, orjson.dumps(payload))


def test_integer_beyond_64_bits_in_data_is_a_422_naming_where_it_is(
    lenient, service_headers, notify
):
    register(lenient, service_headers, "ann")
    for big in (2**64, MAX_INT + 1, -(2**63) - 1, 10**30):
        for data in ({"name": "Ann", "n": big}, {"name": "Ann", "items": [1, {"n": big}]}):
            r = send_raw(
                lenient,
                service_headers,
                b'{"user_id":"ann","template":"welcome","data":%s}'
                % str(data).replace("'", '"').encode(),
            )
            assert r.status_code == 422, (big, data, r.text)
            assert "64-bit" in r.json()["detail"] and "data[" in r.json()["detail"]
    edges = send_json(lenient, service_headers, {"name": "Ann", "lo": -(2**63), "hi": MAX_INT})
    assert edges.status_code == 202, edges.text
    # only the in-range notification was stored (no webhook: that channel is suppressed)
    assert notify.stats() == {"pending": 4, "suppressed": 1}


def test_other_callers_of_the_service_get_the_same_checks(api, service_headers, notify):
    register(api, service_headers, "ann")
    with pytest.raises(Invalid, match="64-bit"):
        notify.send("cli", SendRequest("ann", "welcome", data={"name": "Ann", "n": 2**64}))
    with pytest.raises(Invalid, match="JSON values"):
        notify.send("cli", SendRequest("ann", "welcome", data={"name": "Ann", "at": object()}))
    with pytest.raises(BadIdempotencyKey, match="printable ASCII"):
        notify.send("cli", SendRequest("ann", "welcome", data={"name": "Ann"}), "")
    assert notify.stats() == {}


def test_non_finite_or_deeply_nested_data_is_a_422(lenient, service_headers, notify):
    register(lenient, service_headers, "ann")
    infinite = b'{"user_id":"ann","template":"welcome","data":{"name":"Ann","x":1e400}}'
    nan = b'{"user_id":"ann","template":"welcome","data":{"name":"Ann","x":NaN}}'
    deep = b'{"user_id":"ann","template":"welcome","data":{"name":"Ann","x":%s%s}}' % (
        b"[" * 300,
        b"]" * 300,
    )
    for raw, needle in ((infinite, "finite"), (nan, "finite"), (deep, "nested")):
        r = send_raw(lenient, service_headers, raw)
        assert r.status_code == 422 and needle in r.json()["detail"], r.text
    assert notify.stats() == {}


def test_empty_or_over_long_idempotency_key_is_a_400_saying_what_is_accepted(
    lenient, service_headers, notify
):
    register(lenient, service_headers, "ann")
    data = {"name": "Ann"}
    for key in ("", "", " ", "k" * 201, "clé".encode("latin-1")):
        r = send_raw(
            lenient,
            service_headers,
            orjson.dumps({"user_id": "ann", "template": "welcome", "data": data}),
            **{"Idempotency-Key": key},
        )
        assert r.status_code == 400, (key, r.text)
        assert "1 to 200 printable ASCII characters" in r.json()["detail"]
    assert notify.stats() == {}
    longest = {**service_headers, "Idempotency-Key": "k" * 200}
    first = lenient.post(
        "/notifications",
        json={"user_id": "ann", "template": "welcome", "data": data, "channels": ["inbox"]},
        headers=longest,
    )
    again = lenient.post(
        "/notifications",
        json={"user_id": "ann", "template": "welcome", "data": data, "channels": ["inbox"]},
        headers=longest,
    )
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json()["id"] == again.json()["id"]


SURROGATE = "\\ud800"  # as JSON text: a lone surrogate once parsed
NUL = "\\u0000"


def test_lone_surrogate_or_nul_in_any_text_field_is_a_422_and_nothing_is_stored(
    lenient, service_headers, admin_headers, notify
):
    register(lenient, service_headers, "ann")
    send_body = '{"user_id":"ann","template":"welcome","data":%s}'
    cases: list[tuple[str, str, dict, str]] = []
    for bad in (SURROGATE, NUL):
        cases += [
            ("post", "/notifications", service_headers, send_body % f'{{"name":"A{bad}"}}'),
            ("post", "/notifications", service_headers, send_body % f'{{"name":"A","{bad}":1}}'),
            (
                "post",
                "/notifications",
                service_headers,
                send_body % f'{{"name":"A","list":[["x{bad}"]]}}',
            ),
            (
                "post",
                "/notifications",
                service_headers,
                '{"user_id":"ann","template":"welcome","data":{"name":"A"},'
                f'"channels":["inbox{bad}"]}}',
            ),
            (
                "put",
                "/notifications/users/ann",
                service_headers,
                f'{{"push_token":"tok-{bad}-00"}}',
            ),
            ("put", "/notifications/users/ann", service_headers, f'{{"email":"a{bad}@b.org"}}'),
            ("put", "/notifications/users/ann", service_headers, f'{{"timezone":"UTC{bad}"}}'),
            (
                "put",
                "/notifications/preferences?user_id=ann",
                service_headers,
                f'{{"categories":{{"promo{bad}":{{"email":false}}}}}}',
            ),
            (
                "put",
                "/notifications/preferences?user_id=ann",
                service_headers,
                f'{{"channels":{{"sms{bad}":false}}}}',
            ),
            (
                "put",
                "/notifications/templates/promo/en",
                admin_headers,
                f'{{"subject":"Hi{bad}","body":"x"}}',
            ),
            (
                "put",
                "/notifications/templates/promo/en",
                admin_headers,
                f'{{"subject":"Hi","body":"x{bad}"}}',
            ),
            ("post", "/notifications/dlq/replay", admin_headers, f'{{"ids":["d{bad}"]}}'),
        ]
    for method, path, headers, body in cases:
        r = getattr(lenient, method)(
            path, content=body.encode(), headers={**headers, "Content-Type": "application/json"}
        )
        assert r.status_code == 422, (path, body, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert notify.stats() == {}
    profile = lenient.get("/notifications/users/ann", headers=service_headers).json()
    assert profile["push_token"] == "tok-ann-0001" and profile["timezone"] == "UTC"
    prefs = lenient.get("/notifications/preferences", headers=service_headers)
    assert prefs.status_code == 200
    assert notify.preferences("ann")[1] == {}
    promo = send_json(lenient, service_headers, {"name": "A"}, template="promo")
    assert promo.status_code == 422 and "unknown template" in promo.json()["detail"]


def test_nul_in_ids_from_the_url_or_in_a_signed_callback_is_a_422(lenient, service_headers, notify):
    for path in ("/notifications/%00", "/notifications/users/a%00b"):
        r = lenient.get(path, headers=service_headers)
        assert r.status_code == 422, (path, r.text)
    r = lenient.put("/notifications/preferences?user_id=a%00b", json={}, headers=service_headers)
    assert r.status_code == 422, r.text
    raw = b'{"message_id":"pm_\\u0000","status":"bounced"}'
    r = lenient.post(
        "/notifications/callbacks/sms",
        content=raw,
        headers={
            "X-Signature": sign(notify.callback_secret, "sms", raw),
            "Content-Type": "application/json",
        },
    )
    assert r.status_code == 422, r.text


def test_out_of_range_integers_in_paths_queries_and_last_event_id_are_4xx(lenient, service_headers):
    huge = str(2**70)
    assert (
        lenient.get(f"/notifications/inbox?after={huge}", headers=service_headers).status_code
        == 422
    )
    assert (
        lenient.get(f"/notifications/inbox?after={MAX_INT}", headers=service_headers).json() == []
    )
    assert (
        lenient.post(f"/notifications/inbox/{huge}/read", headers=service_headers).status_code
        == 422
    )
    assert (
        lenient.post(f"/notifications/inbox/{MAX_INT}/read", headers=service_headers).status_code
        == 404
    )
    for last_id in (huge, "9" * 5000, "²".encode("latin-1")):
        r = lenient.get(
            "/notifications/inbox/stream", headers={**service_headers, "Last-Event-ID": last_id}
        )
        assert r.status_code == 400 and "Last-Event-ID" in r.json()["detail"], r.text


def test_line_breaks_in_data_stay_out_of_the_email_headers(
    api, service_headers, notify, worker, smtp
):
    register(api, service_headers, "ann")
    r = api.post(
        "/notifications",
        json={
            "user_id": "ann",
            "template": "welcome",
            "data": {"name": "Ann\r\nBcc: evil@example.org"},
            "channels": ["email"],
        },
        headers=service_headers,
    )
    assert r.status_code == 202, r.text
    worker.run(drain=True, horizon_s=5.0, max_seconds=20, idle_sleep=0.02)
    assert notify.stats() == {"sent": 1}
    (message,) = smtp.messages
    assert message["Subject"] == "Welcome, Ann Bcc: evil@example.org!"
    assert message["Bcc"] is None
