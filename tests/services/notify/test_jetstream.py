"""Scale-out dispatch over NATS JetStream (needs a server on 127.0.0.1:4222)."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import server_reachable
from tests.services.notify.conftest import register

pytestmark = pytest.mark.servers


@pytest.fixture
def dispatch_factory():
    if not server_reachable("127.0.0.1", 4222):
        pytest.skip("NATS is not running on 127.0.0.1:4222")
    from services.notify.jetstream import JetStreamDispatch

    tag = uuid.uuid4().hex[:10]
    made = []

    def make():
        d = JetStreamDispatch(
            "nats://127.0.0.1:4222",
            stream=f"NOTIFYTEST_{tag}",
            subject=f"notifytest.{tag}",
            durable=f"w{tag}",
            ack_wait_s=2,
        )
        made.append(d)
        return d

    yield make
    made[0].delete_stream()
    for d in made:
        d.close()


def test_jetstream_workers_deliver_announced_and_swept_work_once(
    api, service_headers, sms, notify, dispatch_factory
):
    register(api, service_headers, "ann")
    svc = notify
    svc.dispatch = dispatch_factory()
    sms.control(fail_after_accept_rate=0.3)

    def send(i: int) -> str:
        r = api.post(
            "/notifications",
            headers=service_headers,
            json={
                "user_id": "ann",
                "template": "welcome",
                "data": {"name": str(i)},
                "channels": ["sms"],
            },
        )
        assert r.status_code == 202, r.text
        return r.json()["id"]

    ids = [send(i) for i in range(6)]
    svc.dispatch, announced = None, svc.dispatch
    ids.append(send(99))  # stored but never announced: a lost publish
    svc.dispatch = announced
    worker = svc.worker(dispatch=dispatch_factory())
    try:
        worker.run(drain=True, horizon_s=3, max_seconds=30, idle_sleep=0.02)
    finally:
        worker.close()
    assert sorted(sms.logical_ids()) == sorted(ids)
    assert sms.duplicates() == 0
    assert svc.stats() == {"sent": 7}
