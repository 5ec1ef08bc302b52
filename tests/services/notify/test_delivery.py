"""Delivery by the worker: SMTP content, opt-outs, quiet hours, outages, DLQ, callbacks, digests."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson

from services.notify import queue
from services.notify.status import sign
from tests.services.notify.conftest import register


def send(api, headers, **body):
    payload = {"user_id": "ann", "template": "welcome", "data": {"name": "Ann"}}
    payload.update(body)
    r = api.post("/notifications", json=payload, headers=headers)
    assert r.status_code in (200, 202), r.text
    return r.json()


def drain(worker, max_seconds: float = 20.0) -> None:
    worker.run(drain=True, horizon_s=5.0, max_seconds=max_seconds, idle_sleep=0.02)


def statuses(api, headers, nid: str) -> dict[str, str]:
    view = api.get(f"/notifications/{nid}", headers=headers).json()
    return {d["channel"]: d["status"] for d in view["deliveries"]}


def test_email_arrives_over_smtp_localised_with_stable_message_id(
    api, service_headers, worker, smtp
):
    register(api, service_headers, "ann", locale="fr-CA")
    n = send(
        api,
        service_headers,
        template="order_shipped",
        channels=["email"],
        data={"order_id": "A-17", "eta": "demain"},
    )
    drain(worker)
    assert len(smtp.messages) == 1
    msg = smtp.messages[0]
    assert msg["Subject"] == "Commande A-17 expédiée"
    assert msg["To"] == "ann@example.org"
    assert msg["Content-Language"] == "fr"
    plain = msg.get_body(preferencelist=("plain",)).get_content()
    assert "Votre commande A-17 est en route, arrivée prévue demain." in plain
    assert msg["X-Notification-Id"] == n["id"]
    delivery_id = n["deliveries"][0]["id"]
    assert msg["Message-ID"] == f"<{delivery_id}@notify.blueprints.local>"
    assert statuses(api, service_headers, n["id"]) == {"email": "sent"}


def test_bounced_recipient_is_marked_bounced_not_retried(api, service_headers, worker, smtp):
    register(api, service_headers, "ann", email="bounce@example.org")
    n = send(api, service_headers, channels=["email"])
    drain(worker)
    assert smtp.messages == []
    view = api.get(f"/notifications/{n['id']}", headers=service_headers).json()
    assert view["deliveries"][0]["status"] == "bounced"
    assert view["deliveries"][0]["attempts"] == 1


def test_opted_out_users_receive_nothing(api, service_headers, worker, smtp, sms, push):
    register(api, service_headers, "ann")
    r = api.put(
        "/notifications/preferences?user_id=ann",
        headers=service_headers,
        json={
            "channels": {"sms": False, "push": False, "inbox": False},
            "categories": {"marketing": {"email": False}},
        },
    )
    assert r.status_code == 200
    promo = send(api, service_headers, category="marketing")
    explicit = send(api, service_headers, category="marketing", channels=["email", "sms", "push"])
    drain(worker)
    assert smtp.messages == [] and sms.requests == [] and push.requests == []
    assert set(statuses(api, service_headers, promo["id"]).values()) == {"suppressed"}
    assert set(statuses(api, service_headers, explicit["id"]).values()) == {"suppressed"}
    # Opting out after sending but before delivery also stops it.
    other = send(api, service_headers, category="account", channels=["email"])
    api.put(
        "/notifications/preferences?user_id=ann",
        headers=service_headers,
        json={"channels": {"email": False}},
    )
    drain(worker)
    assert smtp.messages == []
    assert statuses(api, service_headers, other["id"]) == {"email": "suppressed"}


def _quiet_window_around_now(tz: str) -> tuple[str, str, datetime]:
    local = datetime.now(ZoneInfo(tz))
    start = (local - timedelta(hours=1)).strftime("%H:%M")
    end_dt = (local + timedelta(hours=2)).replace(second=0, microsecond=0)
    return start, end_dt.strftime("%H:%M"), end_dt


def test_quiet_hours_defer_to_their_end_in_the_users_zone_and_urgent_bypasses(
    api, service_headers, worker, sms
):
    tz = "Asia/Kolkata"
    register(api, service_headers, "ann", timezone=tz)
    start, end, end_dt = _quiet_window_around_now(tz)
    api.put(
        "/notifications/preferences?user_id=ann",
        headers=service_headers,
        json={"quiet_hours": {"start": start, "end": end}},
    )
    normal = send(api, service_headers, channels=["sms"])
    urgent = send(
        api,
        service_headers,
        channels=["sms"],
        template="security_alert",
        data={"device": "Firefox"},
        priority="urgent",
    )
    drain(worker)
    delivered = [p["notification_id"] for _, p in sms.requests]
    assert delivered == [urgent["id"]]
    deferred = api.get(f"/notifications/{normal['id']}", headers=service_headers).json()[
        "deliveries"
    ][0]
    assert deferred["status"] == "pending"  # deferred, not dropped
    assert abs(deferred["next_attempt_at"] - end_dt.timestamp()) < 61


def test_quiet_hours_wrap_midnight_and_follow_dst():
    from services.notify.preferences import Profile, quiet_until

    p = Profile("u", None, None, None, "Europe/Paris", "en", "22:00", "07:00")
    paris = ZoneInfo("Europe/Paris")
    at = datetime(2026, 3, 28, 23, 30, tzinfo=paris).timestamp()  # night before DST starts
    wake = datetime.fromtimestamp(quiet_until(p, at), UTC).astimezone(paris)
    assert (wake.date().isoformat(), wake.hour, wake.utcoffset()) == (
        "2026-03-29",
        7,
        timedelta(hours=2),
    )
    early = datetime(2026, 6, 1, 5, 0, tzinfo=paris).timestamp()
    assert datetime.fromtimestamp(quiet_until(p, early), paris).hour == 7
    assert quiet_until(p, datetime(2026, 6, 1, 12, 0, tzinfo=paris).timestamp()) is None


def test_provider_down_for_a_while_delays_but_loses_nothing(api, service_headers, worker, sms):
    register(api, service_headers, "ann")
    sms.control(down=True)
    ids = [
        send(api, service_headers, channels=["sms"], data={"name": f"A{i}"})["id"] for i in range(5)
    ]
    worker.run(max_seconds=0.8, idle_sleep=0.02)
    assert sms.delivered == [] and len(sms.requests) >= 5  # tried, failed, retrying
    counts = api.app.state.services["notify"].stats()
    assert counts == {"pending": 5}
    sms.control(down=False)
    drain(worker)
    assert sorted(d.payload["notification_id"] for d in sms.delivered) == sorted(ids)
    assert sms.duplicates() == 0
    assert api.app.state.services["notify"].stats() == {"sent": 5}


def test_lost_provider_answers_are_retried_with_the_same_key_and_not_duplicated(
    api, service_headers, worker, push
):
    register(api, service_headers, "ann")
    push.control(fail_after_accept_rate=0.6)
    ids = [
        send(api, service_headers, channels=["push"], data={"name": f"A{i}"})["id"]
        for i in range(10)
    ]
    drain(worker)
    assert push.replays > 0  # some answers were "lost" and the retry reused the key
    assert sorted(push.logical_ids()) == sorted(ids)
    assert push.duplicates() == 0


def test_dead_letter_after_max_attempts_then_replay_delivers(
    api, service_headers, admin_headers, worker, sms
):
    register(api, service_headers, "ann")
    worker.cfg.max_attempts = 3
    sms.control(down=True)
    n = send(api, service_headers, channels=["sms"])
    drain(worker)
    assert len(sms.requests) == 3
    dead = api.get("/notifications/dlq", headers=admin_headers).json()
    assert [d["id"] for d in dead] == [n["deliveries"][0]["id"]] and dead[0]["attempts"] == 3
    assert "503" in dead[0]["last_error"]
    sms.control(down=False)
    r = api.post("/notifications/dlq/replay", json={"ids": None}, headers=admin_headers)
    assert r.json()["replayed"] == [dead[0]["id"]]
    drain(worker)
    assert [d.payload["notification_id"] for d in sms.delivered] == [n["id"]]
    assert api.get("/notifications/dlq", headers=admin_headers).json() == []


def test_provider_callbacks_update_status_and_are_authenticated(
    api, service_headers, notify, worker, sms
):
    register(api, service_headers, "ann")
    n = send(api, service_headers, channels=["sms"])
    drain(worker)
    provider_id = sms.delivered[0].provider_id

    def callback(body: dict, provider: str = "sms", secret: str = notify.callback_secret):
        raw = orjson.dumps(body)
        return api.post(
            f"/notifications/callbacks/{provider}",
            content=raw,
            headers={
                "X-Signature": sign(secret, provider, raw),
                "Content-Type": "application/json",
            },
        )

    assert (
        callback({"message_id": provider_id, "status": "delivered"}, secret="wrong").status_code
        == 401
    )
    assert (
        callback({"message_id": provider_id, "status": "delivered"}, provider="push").status_code
        == 404
    )
    assert callback({"message_id": provider_id, "status": "lost"}).status_code == 422
    assert callback({"message_id": "pm_nope", "status": "delivered"}).status_code == 404
    ok = callback({"message_id": provider_id, "status": "delivered"})
    assert ok.status_code == 200 and ok.json()["changed"] is True
    assert callback({"message_id": provider_id, "status": "delivered"}).json()["changed"] is False
    assert statuses(api, service_headers, n["id"]) == {"sms": "delivered"}


def test_low_priority_and_over_limit_notifications_are_batched_into_one_digest(
    api, service_headers, notify, worker, smtp
):
    register(api, service_headers, "ann")
    notify.conf.user_hourly_limit = 2  # the service's settings: its workers share them
    for i in range(3):
        send(
            api,
            service_headers,
            channels=["email"],
            template="news",
            priority="low",
            data={"title": f"Story {i}", "summary": "..."},
        )
    normal = [
        send(api, service_headers, channels=["email"], data={"name": f"N{i}"}) for i in range(3)
    ]
    assert [n["deliveries"][0]["status"] for n in normal] == ["pending", "pending", "digest_wait"]
    drain(worker)
    assert len(smtp.messages) == 2  # the two within the limit; the rest wait for the window
    assert worker.flush_digests(window_s=0) == 1
    drain(worker)
    assert len(smtp.messages) == 3
    digest = smtp.messages[-1]
    assert digest["Subject"] == "You have 4 new notifications"
    body = digest.get_body(preferencelist=("plain",)).get_content()
    assert "Story 0" in body and "Story 2" in body and "Welcome, N2!" in body


def test_full_jitter_stays_within_the_exponential_ceiling():
    import random

    rng = random.Random(3)
    samples = [queue.full_jitter(4, 0.5, 3.0, rng) for _ in range(2000)]
    assert 0 <= min(samples) < 0.1 and 2.9 < max(samples) <= 3.0  # min(cap, 0.5*2**3)=3
    assert max(queue.full_jitter(2, 0.5, 30.0, rng) for _ in range(500)) <= 1.0
    assert time.time() > 0


def test_scheduled_notification_waits_for_send_at_on_the_services_clock(
    clocked, service_headers, sms
):
    api, clock = clocked
    register(api, service_headers, "ann")
    at = datetime.fromtimestamp(clock() + 3600, UTC)
    n = send(api, service_headers, channels=["sms"], send_at=at.isoformat())
    assert n["send_at"] == at.timestamp()
    worker = api.app.state.services["notify"].worker()
    try:
        worker.run(drain=True, horizon_s=0.0, max_seconds=5, idle_sleep=0.02)
        assert sms.requests == []
        clock.advance(3599)
        worker.run(drain=True, horizon_s=0.0, max_seconds=5, idle_sleep=0.02)
        assert sms.requests == []
        clock.advance(1)
        worker.run(drain=True, horizon_s=0.0, max_seconds=5, idle_sleep=0.02)
    finally:
        worker.close()
    assert [p["notification_id"] for _, p in sms.requests] == [n["id"]]


def test_slow_provider_times_out_then_delivers_once_under_the_same_key(
    api, service_headers, worker, push
):
    register(api, service_headers, "ann")
    push.control(delay_s=1.3)  # longer than the 1 s provider timeout: accepted, answer too late
    n = send(api, service_headers, channels=["push"])
    worker.run(max_seconds=1.5, idle_sleep=0.02)
    view = api.get(f"/notifications/{n['id']}", headers=service_headers).json()["deliveries"][0]
    assert view["status"] == "pending" and "timed out" in view["last_error"]
    push.control(delay_s=0.0)
    drain(worker)
    assert len(push.requests) >= 2 and len(push.delivered) == 1 and push.replays >= 1
    assert statuses(api, service_headers, n["id"]) == {"push": "sent"}
