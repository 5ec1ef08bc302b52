"""Provider callbacks are signed with a secret nobody else knows: configured, or generated once
under the data directory (mode 0600). The secret earlier versions shipped is never accepted."""

from __future__ import annotations

import logging
import stat

import orjson
import pytest
from pydantic import ValidationError

from services.notify.settings import NotifySettings
from services.notify.status import sign
from services.notify.system import build
from tests.services.notify.conftest import register

OLD_BUILTIN_SECRET = "dev-callback-secret"


def post_callback(api, body: dict, secret: str, provider: str = "sms"):
    raw = orjson.dumps(body)
    return api.post(
        f"/notifications/callbacks/{provider}",
        content=raw,
        headers={"X-Signature": sign(secret, provider, raw), "Content-Type": "application/json"},
    )


@pytest.fixture
def no_configured_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BLUEPRINT_NOTIFY_CALLBACK_SECRET", raising=False)


def test_bounce_signed_with_the_old_builtin_secret_is_refused_when_no_secret_is_configured(
    no_configured_secret, api, service_headers, notify, worker, sms
):
    register(api, service_headers, "ann")
    sent = api.post(
        "/notifications",
        json={
            "user_id": "ann",
            "template": "welcome",
            "data": {"name": "Ann"},
            "channels": ["sms"],
        },
        headers=service_headers,
    ).json()
    worker.run(drain=True, horizon_s=5.0, max_seconds=20, idle_sleep=0.02)
    report = {"message_id": sms.delivered[0].provider_id, "status": "bounced"}

    forged = post_callback(api, report, OLD_BUILTIN_SECRET)

    assert forged.status_code == 401, forged.text
    view = api.get(f"/notifications/{sent['id']}", headers=service_headers).json()
    assert view["deliveries"][0]["status"] == "sent"
    genuine = post_callback(api, report, notify.callback_secret)
    assert genuine.status_code == 200 and genuine.json()["status"] == "bounced"


def test_unconfigured_secret_is_generated_once_with_mode_0600_and_reused_by_a_second_build(
    no_configured_secret, settings, emitter, caplog: pytest.LogCaptureFixture
):
    path = settings.data_dir / "secrets" / "notify_callback_secret"
    with caplog.at_level(logging.INFO, logger="services.notify.system"):
        first = build(settings, emitter)
    try:
        assert path.is_file()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert first.callback_secret == path.read_text(encoding="ascii").strip()
        assert len(first.callback_secret) >= 32 and first.callback_secret != OLD_BUILTIN_SECRET
        assert str(path) in caplog.text  # the log says where the secret is
        generated = path.read_bytes()
    finally:
        first.close()
    second = build(settings, emitter)
    try:
        assert second.callback_secret == first.callback_secret
        assert path.read_bytes() == generated
    finally:
        second.close()


def test_a_configured_secret_is_used_and_nothing_is_generated(
    settings, emitter, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("BLUEPRINT_NOTIFY_CALLBACK_SECRET", "s3cret-from-the-operator-0123456789")
    svc = build(settings, emitter)
    try:
        assert svc.callback_secret == "s3cret-from-the-operator-0123456789"
        assert not (settings.data_dir / "secrets" / "notify_callback_secret").exists()
    finally:
        svc.close()


def test_configuring_the_published_dev_secret_is_refused_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("BLUEPRINT_NOTIFY_CALLBACK_SECRET", OLD_BUILTIN_SECRET)
    with pytest.raises(ValidationError, match="anyone can sign callbacks"):
        NotifySettings()
