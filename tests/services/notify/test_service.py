"""The composition root and the service: one service per app, its clock, its events, its
workers, and domain errors instead of HTTP ones."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest

from services.notify.channels import Job, Outcome, retry, sent
from services.notify.sending import SendRequest
from services.notify.settings import NotifySettings
from tests.fake_clock import FakeClock
from tests.services.notify.conftest import register

NOTIFY = Path(__file__).resolve().parents[3] / "services" / "notify"


class RecordingTransport:
    """An emitter transport that keeps records in memory."""

    def __init__(self) -> None:
        self.records: list[dict] = []

    def append(self, records):
        start = len(self.records)
        self.records.extend(records)
        return [("test", start + i) for i in range(len(records))]

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class ScriptedChannel:
    """A channel adapter that answers from a script (default: accepted)."""

    def __init__(self, *answers: Outcome) -> None:
        self.answers = list(answers)
        self.jobs: list[Job] = []

    def send(self, job: Job) -> Outcome:
        self.jobs.append(job)
        return self.answers.pop(0) if self.answers else sent(f"pm-{len(self.jobs)}")


@pytest.fixture
def recorded(settings):
    from warehouse.emitter import Emitter

    transport = RecordingTransport()
    return Emitter(transport), transport


def _types(transport: RecordingTransport) -> list[str]:
    return [r["type"] for r in transport.records]


def test_router_uses_the_service_in_app_state_not_a_second_one(clocked, service_headers):
    api, clock = clocked
    assert not hasattr(api.app.state, "notify")
    register(api, service_headers, "ann")
    r = api.post(
        "/notifications",
        headers=service_headers,
        json={"user_id": "ann", "template": "welcome", "data": {"name": "A"}},
    )
    assert r.status_code == 202, r.text
    assert r.json()["created_at"] == clock()  # stamped by the service the app holds


def test_service_emits_preferences_and_replay_events_itself(settings, recorded):
    from services.notify.system import build

    emitter, transport = recorded
    sms = ScriptedChannel(retry("provider answered 503"))
    channels = {"sms": sms, "email": sms, "push": sms, "inbox": sms}
    svc = build(settings, emitter, conf=NotifySettings(max_attempts=1), channels=channels)
    try:
        svc.upsert_profile("ann", phone="+33600000000")
        svc.set_preferences("support", "ann", channels={"push": False})
        changed = transport.records[-1]
        assert (changed["system"], changed["type"]) == ("notify", "preferences_changed")
        assert (changed["actor"], changed["entity"]) == ("support", "ann")

        req = SendRequest("ann", "welcome", data={"name": "A"}, channels=["sms"])
        view, _ = svc.send("orders", req)
        assert svc.deliver_due(max_seconds=10) == 1
        assert svc.stats() == {"dead": 1}
        replayed = svc.replay_dead("admin")
        assert replayed == [view["deliveries"][0]["id"]]
        assert _types(transport)[-1] == "dlq_replayed"
        assert orjson.loads(transport.records[-1]["attrs"])["ids"] == replayed
        assert svc.deliver_due(max_seconds=10) == 1
        assert svc.stats() == {"sent": 1} and len(sms.jobs) == 2
        assert svc.replay_dead("admin") == [] and _types(transport)[-1] != "dlq_replayed"
    finally:
        svc.close()


def test_retries_back_off_on_the_services_clock(settings, recorded):
    from services.notify.system import build

    emitter, _ = recorded
    clock = FakeClock(2_000_000_000.0)
    push = ScriptedChannel(retry("provider timed out"))
    channels = {"sms": push, "email": push, "push": push, "inbox": push}
    conf = NotifySettings(backoff_base_s=60, backoff_cap_s=60)
    svc = build(settings, emitter, conf=conf, clock=clock, channels=channels)
    try:
        svc.upsert_profile("ann", push_token="tok-ann-0001")
        req = SendRequest("ann", "welcome", data={"name": "A"}, channels=["push"])
        view, _ = svc.send("orders", req)
        assert svc.deliver_due(max_seconds=10) == 1
        delivery = svc.notification(view["id"])["deliveries"][0]
        assert delivery["status"] == "pending" and delivery["attempts"] == 1
        assert clock() <= delivery["next_attempt_at"] <= clock() + 60
        clock.advance(61)
        assert svc.deliver_due(max_seconds=10) == 1
        assert svc.stats() == {"sent": 1}
    finally:
        svc.close()


def test_app_workers_start_with_the_app_and_stop_when_it_closes(
    notify_env, settings, emitter, monkeypatch
):
    from fastapi.testclient import TestClient

    from services.app import create_app

    monkeypatch.setenv("BLUEPRINT_NOTIFY_APP_WORKERS", "2")
    monkeypatch.setenv("BLUEPRINT_NOTIFY_IDLE_SLEEP_S", "0.02")
    app = create_app(settings, emitter, only=["notify"])
    svc = app.state.services["notify"]
    assert svc.running_workers() == []  # building the service starts nothing
    with TestClient(app) as api:
        threads = svc.running_workers()
        assert len(threads) == 2
        admin = {"X-API-Key": settings.admin_api_key}
        key = api.post("/auth/keys", json={"user_id": "s", "roles": ["service"]}, headers=admin)
        headers = {"X-API-Key": key.json()["api_key"]}
        register(api, headers, "ann")
        r = api.post(
            "/notifications",
            headers=headers,
            json={
                "user_id": "ann",
                "template": "welcome",
                "data": {"name": "A"},
                "channels": ["inbox"],
            },
        )
        nid = r.json()["id"]
        deadline = time.monotonic() + 15
        while svc.notification(nid)["deliveries"][0]["status"] != "sent":
            assert time.monotonic() < deadline, "the in-app workers delivered nothing"
            time.sleep(0.02)
    assert not any(t.is_alive() for t in threads)
    assert svc.running_workers() == []


def test_domain_errors_carry_their_status_and_no_module_raises_http_errors():
    from services.errors import DomainError
    from services.notify.errors import BadSignature, IdempotencyConflict, UnknownUser
    from services.notify.preferences import PreferenceError
    from services.notify.templates import TemplateError

    statuses = {
        cls.__name__: cls.status
        for cls in (UnknownUser, IdempotencyConflict, BadSignature, PreferenceError, TemplateError)
    }
    assert statuses == {
        "UnknownUser": 404,
        "IdempotencyConflict": 409,
        "BadSignature": 401,
        "PreferenceError": 422,
        "TemplateError": 422,
    }
    assert all(issubclass(c, DomainError) for c in (UnknownUser, PreferenceError, TemplateError))
    for path in NOTIFY.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "HTTPException" not in text, path.name
    api = (NOTIFY / "api.py").read_text(encoding="utf-8")
    assert ".emit(" not in api and "emit_all(" not in api and "emit_events(" not in api


def test_dagster_delivery_job_sends_what_is_due_through_the_system_resource(settings, recorded):
    from assets.resources import SystemResource
    from pipelines.automation.notify import notify_deliver_job
    from services.notify.system import build

    emitter, transport = recorded
    inbox = ScriptedChannel()
    channels = {"sms": inbox, "email": inbox, "push": inbox, "inbox": inbox}
    svc = build(settings, emitter, channels=channels)
    try:
        svc.upsert_profile("ann")
        req = SendRequest("ann", "welcome", data={"name": "A"}, channels=["inbox"])
        svc.send("orders", req)
        result = notify_deliver_job.execute_in_process(
            resources={"notify": SystemResource.with_service("notify", svc)}
        )
        assert result.success and result.output_for_node("notify_deliver_due") == 1
        assert svc.stats() == {"sent": 1} and [j.subject for j in inbox.jobs] == ["Welcome, A!"]
        assert "delivery_sent" in _types(transport)
    finally:
        svc.close()
