"""The store and queue on PostgreSQL (needs a server on 127.0.0.1:5432, database ``test``)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.servers


def test_send_claim_retry_and_deliver_on_postgres(pg_url, notify_env, monkeypatch, sms, emitter):
    from services.notify.sending import SendRequest
    from services.notify.system import build
    from warehouse.settings import get_settings

    monkeypatch.setenv("BLUEPRINT_DATABASE_URL", pg_url)
    get_settings.cache_clear()
    svc = build(get_settings(), emitter)
    try:
        assert svc.engine.dialect.name == "postgresql"
        svc.upsert_profile("ann", phone="+33600000000", timezone="Europe/Paris")
        req = SendRequest("ann", "welcome", data={"name": "Ann"}, channels=["sms"])
        view, _ = svc.send("test", req, "key-1")
        again, created = svc.send("test", req, "key-1")
        assert not created and again["id"] == view["id"]
        sms.control(fail_rate=0.5)
        worker = svc.worker()
        try:
            worker.run(drain=True, horizon_s=2, max_seconds=20, idle_sleep=0.02)
        finally:
            worker.close()
        assert [d.payload["notification_id"] for d in sms.delivered] == [view["id"]]
        assert svc.stats() == {"sent": 1}
    finally:
        svc.close()
        get_settings.cache_clear()
