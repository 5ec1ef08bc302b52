"""Fixtures for notification tests: fake providers on loopback, an app with only ``notify``.

The app builds the one notification service through the composition root; tests reach it as
``api.app.state.services["notify"]`` and get workers from it (``svc.worker()``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from services.notify.fakes import FakeProvider, FakeSmtp
from tests.fake_clock import FakeClock


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as s:
        yield s


@pytest.fixture
def sms() -> Iterator[FakeProvider]:
    with FakeProvider("sms", seed=1) as p:
        yield p


@pytest.fixture
def push() -> Iterator[FakeProvider]:
    with FakeProvider("push", seed=2) as p:
        yield p


@pytest.fixture
def notify_env(settings, smtp, sms, push, monkeypatch: pytest.MonkeyPatch):
    """Point the notify settings at the fakes, with a fast retry policy."""
    env = {
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": str(smtp.port),
        "SMS_URL": sms.send_url,
        "PUSH_URL": push.send_url,
        "PROVIDER_TIMEOUT_S": "1.0",
        "MAX_ATTEMPTS": "20",
        "BACKOFF_BASE_S": "0.02",
        "BACKOFF_CAP_S": "0.2",
        "LEASE_S": "2",
        "DIGEST_WINDOW_S": "3600",
        "USER_HOURLY_LIMIT": "1000",
    }
    for k, v in env.items():
        monkeypatch.setenv(f"BLUEPRINT_NOTIFY_{k}", v)
    return settings


@pytest.fixture
def api(notify_env, settings, emitter):
    from fastapi.testclient import TestClient

    from services.app import create_app

    with TestClient(create_app(settings, emitter, only=["notify"])) as c:
        yield c


@pytest.fixture
def notify(api):
    """The service the app built (the one its router uses)."""
    return api.app.state.services["notify"]


@pytest.fixture
def engine(notify):
    return notify.engine


@pytest.fixture
def service_headers(api, admin_headers) -> dict[str, str]:
    r = api.post(
        "/auth/keys", json={"user_id": "orders-svc", "roles": ["service"]}, headers=admin_headers
    )
    assert r.status_code == 201, r.text
    return {"X-API-Key": r.json()["api_key"]}


def user_headers(api, admin_headers, user_id: str) -> dict[str, str]:
    r = api.post("/auth/keys", json={"user_id": user_id, "roles": ["user"]}, headers=admin_headers)
    assert r.status_code == 201, r.text
    return {"X-API-Key": r.json()["api_key"]}


def register(api, headers, user_id: str, **profile) -> dict:
    body = {
        "email": f"{user_id}@example.org",
        "phone": "+33612345678",
        "push_token": f"tok-{user_id}-0001",
        "timezone": "UTC",
        "locale": "en",
    }
    body.update(profile)
    r = api.put(f"/notifications/users/{user_id}", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def worker(notify):
    w = notify.worker()
    yield w
    w.close()


@pytest.fixture
def clocked(api, settings, emitter):
    """The app with its notification service rebuilt on a fake clock: ``(client, clock)``.

    The app's shutdown closes the service it then holds, this one.
    """
    from services.notify.system import build

    clock = FakeClock(datetime(2030, 1, 7, 12, 0, tzinfo=UTC).timestamp())
    original = api.app.state.services["notify"]
    api.app.state.services["notify"] = build(settings, emitter, clock=clock)
    original.close()
    return api, clock
