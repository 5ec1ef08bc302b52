"""Webhooks are signed as Stripe signs them, verified, and processed once per event id."""

from __future__ import annotations

import json
import time

import pytest
import stripe
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select, update

from services.payments.factory import local_gateway
from services.payments.webhooks import BadSignature, WebhookInbox, inbox_table, sign, verify

SECRET = "whsec_inbox"


def test_our_signature_verifies_with_the_official_sdk_and_theirs_with_ours():
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "x", "data": {}}).encode()
    event = stripe.Webhook.construct_event(payload, sign(payload, SECRET), SECRET)
    assert event["id"] == "evt_1"
    t = int(time.time())
    sdk_sig = stripe.WebhookSignature._compute_signature(f"{t}.{payload.decode()}", SECRET)
    assert verify(payload, f"t={t},v1={sdk_sig}", SECRET)["id"] == "evt_1"


def test_tampered_unsigned_and_stale_deliveries_are_refused():
    payload = b'{"id": "evt_2", "type": "x"}'
    header = sign(payload, SECRET)
    with pytest.raises(BadSignature):
        verify(payload + b" ", header, SECRET)
    with pytest.raises(BadSignature):
        verify(payload, None, SECRET)
    with pytest.raises(BadSignature):
        verify(payload, sign(payload, "whsec_other"), SECRET)
    with pytest.raises(BadSignature, match="tolerance"):
        verify(payload, sign(payload, SECRET, int(time.time()) - 3600), SECRET)
    with pytest.raises(BadSignature):
        verify(payload, "t=abc,v1=00", SECRET)


def _inbox(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'inbox.db'}")
    meta = MetaData()
    table = inbox_table(meta, "inbox")
    totals = Table("totals", meta, Column("name", String, primary_key=True), Column("n", Integer))
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(totals.insert().values(name="captured", n=0))

    def handler(conn, event):
        if event["type"] == "payment_intent.succeeded":
            conn.execute(update(totals).values(n=totals.c.n + 1))

    def captured() -> int:
        with engine.connect() as conn:
            return conn.execute(select(totals.c.n)).scalar_one()

    return WebhookInbox(engine, table, SECRET, handler), captured


def test_redelivered_events_are_processed_once(tmp_path):
    inbox, captured = _inbox(tmp_path)
    deliveries = []
    gateway = local_gateway(
        tmp_path / "g.db",
        api_key="sk_test_x",
        webhook_secret=SECRET,
        webhook_sink=lambda body, sig: deliveries.append((body, sig)) or True,
    )
    from services.payments.factory import open_gateway

    adapter = open_gateway("local", api_key="sk_test_x", gateway=gateway)
    gateway.chaos.inject("duplicate_webhooks", 10)
    intent = adapter.authorize(100, "eur", idempotency_key="a")
    adapter.capture(intent.id, idempotency_key="c")
    types = [json.loads(b)["type"] for b, _ in deliveries]
    assert types.count("payment_intent.succeeded") == 2  # delivered twice on command
    accepted = [inbox.receive(body, sig) for body, sig in deliveries]
    assert accepted.count(True) == 2 and accepted.count(False) == 2
    assert captured() == 1
    for body, sig in deliveries:  # a full replay changes nothing
        assert inbox.receive(body, sig) is False
    assert captured() == 1


def test_undelivered_events_are_retried(tmp_path):
    answers = iter([False, True])
    got = []

    def sink(body, sig):
        ok = next(answers, True)
        got.append(json.loads(body)["id"])
        return ok

    gateway = local_gateway(
        tmp_path / "g.db", api_key="sk_test_x", webhook_secret=SECRET, webhook_sink=sink
    )
    from services.payments.factory import open_gateway

    adapter = open_gateway("local", api_key="sk_test_x", gateway=gateway)
    adapter.authorize(100, "eur", idempotency_key="a")
    assert len(got) == 1
    assert gateway.deliver_webhooks() == 1
    assert got[0] == got[1]
    assert gateway.deliver_webhooks() == 0
