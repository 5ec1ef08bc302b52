"""The in-app inbox: listed, marked read, and pushed live over server-sent events."""

from __future__ import annotations

import threading
import time

import httpx
import orjson
import pytest

from services.notify.fakes import free_port
from tests.services.notify.conftest import register, user_headers


def send_inbox(client, headers, name: str) -> str:
    r = client.post(
        "/notifications",
        headers=headers,
        json={
            "user_id": "ann",
            "template": "welcome",
            "data": {"name": name},
            "channels": ["inbox"],
        },
    )
    assert r.status_code == 202, r.text
    return r.json()["id"]


def test_inbox_lists_marks_read_and_hides_other_users_messages(
    api, service_headers, admin_headers, worker
):
    register(api, service_headers, "ann")
    ann = user_headers(api, admin_headers, "ann")
    bob = user_headers(api, admin_headers, "bob")
    send_inbox(api, service_headers, "one")
    send_inbox(api, service_headers, "two")
    worker.run(drain=True, horizon_s=1, max_seconds=10, idle_sleep=0.02)
    items = api.get("/notifications/inbox", headers=ann).json()
    # Listed in arrival order; the worker delivers concurrently, so either may arrive first.
    assert [i["id"] for i in items] == sorted(i["id"] for i in items)
    ids = {i["subject"]: i["id"] for i in items}
    assert sorted(ids) == ["Welcome, one!", "Welcome, two!"]
    assert api.get("/notifications/inbox", headers=bob).json() == []
    read = f"/notifications/inbox/{ids['Welcome, one!']}/read"
    assert api.post(read, headers=bob).status_code == 404
    assert api.post(read, headers=ann).status_code == 204
    unread = api.get("/notifications/inbox?unread=true", headers=ann).json()
    assert [i["subject"] for i in unread] == ["Welcome, two!"]


@pytest.fixture
def live_server(notify_env, settings, emitter):
    import uvicorn

    from services.app import create_app

    port = free_port()
    app = create_app(settings, emitter, only=["notify"])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield app, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_sse_stream_pushes_a_new_inbox_message_to_the_signed_in_user(live_server, settings):
    app, base = live_server
    with httpx.Client(base_url=base, timeout=10) as client:
        admin = {"X-API-Key": settings.admin_api_key}
        svc_key = client.post(
            "/auth/keys", json={"user_id": "svc", "roles": ["service"]}, headers=admin
        )
        ann_key = client.post(
            "/auth/keys", json={"user_id": "ann", "roles": ["user"]}, headers=admin
        )
        svc = {"X-API-Key": svc_key.json()["api_key"]}
        ann = {"X-API-Key": ann_key.json()["api_key"]}
        register(client, svc, "ann")
        assert client.get("/notifications/inbox/stream", headers={}).status_code == 401
        worker = app.state.services["notify"].worker()
        got: list[dict] = []
        with client.stream("GET", "/notifications/inbox/stream?poll_s=0.1", headers=ann) as resp:
            assert resp.status_code == 200
            assert resp.headers["content-type"].startswith("text/event-stream")
            nid = send_inbox(client, svc, "live")
            worker.run(drain=True, horizon_s=1, max_seconds=10, idle_sleep=0.02)
            event_name = None
            for line in resp.iter_lines():
                if line.startswith("event:"):
                    event_name = line.split(":", 1)[1].strip()
                if line.startswith("data:"):
                    got.append(orjson.loads(line[5:]))
                    break
        worker.close()
    assert event_name == "notification"
    assert got[0]["subject"] == "Welcome, live!"
    assert nid
