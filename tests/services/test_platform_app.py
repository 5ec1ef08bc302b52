def test_healthz_and_metrics_are_served(client):
    assert client.get("/healthz").json()["status"] == "ok"
    body = client.get("/metrics").text
    assert "http_requests_total" in body


def test_openapi_lists_operations(client):
    spec = client.get("/openapi.json").json()
    assert "/auth/keys" in spec["paths"]


def test_keys_roles_and_auth_errors(client, admin_headers):
    r = client.post("/auth/keys", json={"user_id": "ann", "roles": ["user"]}, headers=admin_headers)
    assert r.status_code == 201
    key = r.json()["api_key"]
    assert client.get("/auth/me", headers={"X-API-Key": key}).json()["user_id"] == "ann"
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert client.get("/auth/me").status_code == 401
    assert client.get("/auth/me", headers={"X-API-Key": "wrong"}).status_code == 401
    r = client.post("/auth/keys", json={"user_id": "bob"}, headers={"X-API-Key": key})
    assert r.status_code == 403


def test_invalid_json_is_400_and_oversized_body_is_413(client, admin_headers):
    h = {**admin_headers, "content-type": "application/json"}
    r = client.post("/auth/keys", content=b"{not json", headers=h)
    assert r.status_code == 400 and "JSON" in r.json()["detail"]
    r = client.post("/auth/keys", content=b"x" * 2_000_000, headers=h)
    assert r.status_code == 413


def test_every_response_has_a_request_id(client):
    r = client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert r.headers["x-request-id"] == "abc123"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32
    odd = client.get("/healthz", headers={"X-Request-ID": "a b<x>"}).headers["x-request-id"]
    assert odd != "a b<x>" and len(odd) == 32


def test_rate_limit_answers_429_with_retry_after(settings, emitter, monkeypatch):
    from fastapi.testclient import TestClient

    from services.app import create_app

    limited = settings.model_copy(update={"rate_limit_per_minute": 3})
    with TestClient(create_app(limited, emitter)) as c:
        codes = [c.get("/auth/me", headers={"X-API-Key": "k"}).status_code for _ in range(5)]
        assert codes[:3] == [401, 401, 401] and codes[3] == 429
        r = c.get("/auth/me", headers={"X-API-Key": "k"})
        assert int(r.headers["retry-after"]) >= 1


def test_a_stopped_app_lets_go_of_its_services(settings, emitter):
    """Whatever still refers to a stopped app (a test, a closure) must not keep every
    service of every app alive: a test suite builds hundreds of them."""
    from fastapi.testclient import TestClient

    from services.app import create_app

    app = create_app(settings, emitter, only=["shortener"])
    with TestClient(app) as c:
        assert c.get("/healthz").status_code == 200
        assert "shortener" in app.state.services
    assert app.state.services == {}
