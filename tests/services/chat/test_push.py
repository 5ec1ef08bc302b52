"""Push wake-ups go through the notification system, only for users with no device online,
and that user's notification preferences decide whether the push is sent."""

from __future__ import annotations

import time

from services.compose import build_services, close_services


def _push_rows(notify) -> dict[str, str]:
    with notify.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT user_id, status FROM notify_deliveries WHERE channel = 'push'"
        ).all()
    return {user: status for user, status in rows}


def test_offline_members_get_a_push_that_respects_their_preferences(settings, emitter):
    built = build_services(settings, emitter, ["chat"])
    chat, notify = built["chat"], built["notify"]
    try:
        for user in ("bob", "carol", "dave"):
            notify.upsert_profile(user, push_token=f"token-{user}-0001")
        notify.set_preferences("carol", "carol", categories={"messages": {"push": False}})
        chat.connected = lambda user: user == "dave"  # dave has a device online
        conv = chat.create_conversation("alice", ["bob", "carol", "dave", "erin"])
        posted = chat.post("alice", "phone", conv.id, "m1", {"text": "wake up"})
        chat.post("alice", "phone", conv.id, "m1", {"text": "wake up"})  # a resend
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(_push_rows(notify)) < 2:
            time.sleep(0.05)
        chat._push_pool.submit(lambda: None).result(10)  # the wake-ups have run
        rows = _push_rows(notify)
        assert rows == {"bob": "pending", "carol": "suppressed"}  # dave online, erin unknown
        assert chat.pusher.sent == 2 and chat.pusher.skipped == 1
        assert posted.message.seq > 0
    finally:
        close_services(built)


def test_scaled_out_a_user_online_on_another_process_gets_no_push(settings, emitter):
    """With a shared bus, presence (in the shared cache tier) says who is connected to
    another process; those users are not woken."""
    from services.chat.bus import LocalBus

    class SharedBus(LocalBus):  # the in-process bus, flagged as scaled out
        shared = True

    built = build_services(settings, emitter, ["chat"])
    chat, notify = built["chat"], built["notify"]
    try:
        for user in ("bob", "carol"):
            notify.upsert_profile(user, push_token=f"token-{user}-0001")
        chat.bus = SharedBus()
        chat.presence.heartbeat("carol")  # as the process carol's phone is connected to does
        conv = chat.create_conversation("alice", ["bob", "carol"])
        chat.post("alice", "phone", conv.id, "m1", {"text": "wake up"})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _push_rows(notify):
            time.sleep(0.05)
        chat._push_pool.submit(lambda: None).result(10)
        assert _push_rows(notify) == {"bob": "pending"}
    finally:
        close_services(built)
