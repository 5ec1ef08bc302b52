"""A real loopback TCP proxy between the client and the shop's HTTP server loses the answer
of a checkout after the order committed; the client retries with the same Idempotency-Key.
The gateway also drops some of its own answers after charging. Exactly one payment per paid
order, counted at the gateway, and every retry gets the order the first attempt placed.

The proxy is the key-value store's fault proxy (``services.kv.faultproxy``), told to cut the
connection at the first chunk of a response instead of at random."""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
import time

import httpx
import pytest
import uvicorn

from services.app import create_app
from services.kv.faultproxy import FaultProxy, Link
from tests.conftest import free_port
from tests.services.shop.conftest import seed


class AnswerDroppingProxy(FaultProxy):
    """Requests pass; the next ``drop_answers`` responses are cut before their first byte
    reaches the client (the server has done the work by then)."""

    drop_answers = 0
    dropped = 0

    async def _pump(
        self,
        link: Link,
        src: asyncio.StreamReader,
        dst: asyncio.StreamWriter,
        other: asyncio.StreamWriter,
    ) -> None:
        try:
            while data := await src.read(65536):
                if data.startswith(b"HTTP/") and self.drop_answers > 0:
                    self.drop_answers -= 1
                    self.dropped += 1
                    break
                dst.write(data)
                await dst.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for w in (dst, other):
                with contextlib.suppress(Exception):
                    w.close()


@pytest.fixture
def served(settings, emitter, svc):
    port = free_port()
    app = create_app(settings, emitter, only=["shop"], services={"shop": svc})
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    proxy = AnswerDroppingProxy(seed=3)
    link = proxy.add_link("client", ("127.0.0.1", port))
    yield f"http://127.0.0.1:{port}", f"http://127.0.0.1:{link.port}", proxy
    proxy.close()
    server.should_exit = True
    thread.join(10)


def test_a_lost_answer_after_the_order_commits_is_retried_and_charged_once(
    served, svc, admin_headers
):
    direct, through, proxy = served
    rng = random.Random(11)
    gw = svc.local_gateway
    svc.gateway.sleep = lambda _s: None
    v = seed(svc, units=12)
    paid: dict[str, str] = {}
    lost = 0
    with httpx.Client(base_url=direct, timeout=30) as admin:
        keys = {
            f"p{i}": admin.post(
                "/auth/keys",
                json={"user_id": f"p{i}", "roles": ["customer"]},
                headers=admin_headers,
            ).json()["api_key"]
            for i in range(16)
        }
    for customer, api_key in keys.items():
        h = {"X-API-Key": api_key, "Idempotency-Key": f"ck-{customer}"}
        with httpx.Client(base_url=through, timeout=30) as client:
            assert (
                client.put(f"/shop/cart/items/{v}", json={"qty": 1}, headers=h).status_code == 200
            )
        if rng.random() < 0.3:
            gw.chaos.inject("drop", 1)  # the gateway charges, then its answer is lost too
        proxy.drop_answers = 1 if rng.random() < 0.7 else 0
        first = None
        for _attempt in range(6):  # each attempt on a new connection, as a client reconnects
            with httpx.Client(base_url=through, timeout=30) as client:
                try:
                    r = client.post("/shop/checkout", json={}, headers=h)
                except (httpx.RemoteProtocolError, httpx.ReadError):
                    lost += 1
                    continue
            if r.status_code == 503:
                continue
            assert r.status_code in (201, 409), r.text
            if r.status_code == 201:
                first = first or r.json()["id"]
                assert r.json()["id"] == first and r.json()["status"] == "paid"
                paid[customer] = first
            break
        gw.chaos.clear()
    assert proxy.dropped == lost and lost >= 5  # answers really were lost, then retried
    svc.reconcile()
    charges = gw.charges_by("checkout")
    assert all(n == 1 for n in charges.values()), charges
    assert {"o_" + c[3:] for c in charges} == set(paid.values())
    assert len(paid) == 12  # 12 units, 16 shoppers: the rest were told out of stock
    assert svc.stock_of(v)["sold"] == 12 and svc.stock_of(v)["reserved"] == 0
    assert svc.audit() == []
