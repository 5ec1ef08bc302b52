"""Fired alerts reach people through the notification system: email, and a Slack-style webhook.

One notification per alert and recipient, never two (the Idempotency-Key is the alert's), and
a quiet period per rule and service that holds back repeats and says how many it held.
"""

from __future__ import annotations

import pytest

from services.compose import build_services, close_services
from services.notify.fakes import FakeProvider, FakeSmtp
from tests.fake_clock import FakeClock
from warehouse.logs.alerts import Alert


@pytest.fixture
def hooks():
    with FakeProvider("webhook", seed=3) as p:
        yield p


@pytest.fixture
def smtp():
    with FakeSmtp() as s:
        yield s


@pytest.fixture
def systems(settings, emitter, smtp, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BLUEPRINT_NOTIFY_SMTP_HOST", smtp.host)
    monkeypatch.setenv("BLUEPRINT_NOTIFY_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("BLUEPRINT_NOTIFY_ALLOW_PRIVATE_WEBHOOKS", "true")  # the fake is local
    monkeypatch.setenv("BLUEPRINT_LOGS_ALERT_RECIPIENTS", '["oncall"]')
    monkeypatch.setenv("BLUEPRINT_LOGS_ALERT_QUIET_MINUTES", "15")
    services = build_services(settings, emitter, ["logs"])
    clock = FakeClock(1_900_000_000.0)
    services["logs"].clock = clock
    yield services["logs"], services["notify"], clock
    close_services(services)


def _alert(rule: str, service: str, bucket: str) -> Alert:
    return Alert(rule, service, f"{service} logged 40 errors", f"{rule}:{service}:{bucket}", 40, 20)


def _deliver(notify) -> None:
    worker = notify.worker()
    try:
        worker.run(drain=True, horizon_s=1, max_seconds=20, idle_sleep=0.02)
    finally:
        worker.close()


def test_a_fired_alert_reaches_the_on_call_by_email_and_webhook_once(systems, smtp, hooks):
    logs, notify, _ = systems
    notify.upsert_profile("oncall", email="oncall@example.org", webhook_url=hooks.send_url)
    alert = _alert("error_threshold", "ledger", "b1")
    assert logs.route_alerts([alert]).notified == 1
    assert logs.route_alerts([alert]).held == 1  # within the quiet period
    _deliver(notify)
    (mail,) = smtp.messages
    assert mail["Subject"] == "[error_threshold] ledger: ledger logged 40 errors"
    assert mail["X-Category"] == "alerts"
    (hook,) = hooks.delivered
    assert hook.payload["text"].startswith("*[error_threshold] ledger")
    assert hook.key  # the delivery id: the receiver can drop a redelivery


def test_the_quiet_period_holds_repeats_and_the_next_notification_counts_them(systems, smtp):
    logs, notify, clock = systems
    notify.upsert_profile("oncall", email="oncall@example.org")
    logs.route_alerts([_alert("error_threshold", "ledger", "b1")])
    clock.advance(60)
    held = logs.route_alerts(
        [_alert("error_threshold", "ledger", "b2"), _alert("error_threshold", "api", "b2")]
    )
    assert (held.notified, held.held) == (1, 1)  # another service is another kind
    clock.advance(16 * 60)
    assert logs.route_alerts([_alert("error_threshold", "ledger", "b3")]).notified == 1
    _deliver(notify)
    # a list, not a dict by subject: two notices of one kind may share a subject
    bodies = [
        (m["Subject"], m.get_body(preferencelist=("plain",)).get_content()) for m in smtp.messages
    ]
    assert len(smtp.messages) == 3
    last = [b for s, b in bodies if "ledger" in s and "held back" in b]
    assert last and "1 more alerts of this kind were held back" in last[0]


def test_a_retried_evaluation_does_not_notify_twice(systems, settings):
    logs, notify, _ = systems
    notify.upsert_profile("oncall", email="oncall@example.org")
    alert = _alert("new_template", "api", "b1")
    logs.route_alerts([alert])
    (settings.data_dir / "logs" / "alerts_routed.json").unlink()  # lost state, say
    logs.route_alerts([alert])
    emails = [n for ch, status, n, _ in notify.breakdown() if (ch, status) == ("email", "pending")]
    assert emails == [1]  # the same Idempotency-Key: one notification


def test_unknown_recipients_are_counted_not_raised(systems):
    logs, _, _ = systems
    routed = logs.route_alerts([_alert("anomaly", "api", "b1")])
    assert (routed.notified, routed.failed) == (0, 1)


def test_webhooks_must_be_public_http_urls_unless_private_ones_are_allowed(
    settings, emitter, monkeypatch
):
    from services.errors import Invalid

    notify = build_services(settings, emitter, ["notify"])
    try:
        svc = notify["notify"]
        for bad in ("http://127.0.0.1:9/hook", "file:///etc/passwd", "http://10.1.2.3/x"):
            with pytest.raises(Invalid):
                svc.upsert_profile("ann", webhook_url=bad)
        svc.upsert_profile("ann", webhook_url="https://93.184.215.14/hooks/T1")
        assert svc.profile("ann").webhook_url == "https://93.184.215.14/hooks/T1"
        svc.upsert_profile("ann", webhook_url="")
        assert svc.profile("ann").webhook_url is None
    finally:
        close_services(notify)
