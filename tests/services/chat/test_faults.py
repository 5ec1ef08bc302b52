"""Faults: a proxy that cuts connections at random and adds delay, and the server killed with
SIGKILL mid-stream and started again. Exactly once and in order is checked twice: on every
device, and from the server's own logs (the lake's ``delivered`` events, by the gap audit)."""

from __future__ import annotations

import asyncio

import httpx

from services.chat.audit import EVENTS_SQL, gap_audit, verdict
from services.chat.chaos import DroppingProxy
from services.chat.client import ChatClient
from tests.services.chat.helpers import create, history, running
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake
from warehouse.settings import get_settings

N = 600


def _lake_audit(server) -> dict[str, int]:
    settings = get_settings().model_copy(update={"data_dir": server.data_dir})
    ingest_spool(settings.spool_dir, settings.lake_dir)
    events = Lake(settings.lake_dir).query(EVENTS_SQL)
    return verdict(gap_audit(events))


def test_no_acknowledged_message_is_lost_or_duplicated_through_cuts_and_a_kill_9(server):
    keys = {u: server.api_key(u) for u in ("alice", "bob", "carol")}
    conv = create(server, keys["alice"], ["bob", "carol"])["id"]

    async def scenario() -> tuple[list[ChatClient], DroppingProxy, int]:
        proxy = await DroppingProxy(server.port, mean_life_s=0.8, jitter_s=0.002).start()
        url = f"ws://127.0.0.1:{proxy.port}/chat/ws"
        senders = [ChatClient(url, keys["alice"], "a-phone"), ChatClient(url, keys["bob"], "b-1")]
        readers = [ChatClient(url, keys["bob"], "b-2"), ChatClient(url, keys["carol"], "c-1")]
        devices = senders + readers
        async with running(*devices):
            for i in range(N):
                await senders[i % 2].send(conv, {"text": f"m{i}"}, client_id=f"m{i}")
                if i == N // 2:
                    await senders[0].wait_for(lambda: len(senders[0].accepted) > N // 8, 30)
                    await asyncio.to_thread(server.kill)
                    await asyncio.to_thread(server.start)
                if i % 50 == 0:
                    await asyncio.sleep(0.05)
            for s in senders:
                await s.wait_for(lambda s=s: not s.pending, 90)
            last = history(server, keys["carol"], conv)[-1]["seq"]
            for d in devices:
                await d.wait_for(lambda d=d: d.cursors.get(conv, 0) >= last, 90)

            async def acks_recorded() -> bool:
                got = httpx.get(
                    f"{server.url}/chat/conversations/{conv}/receipts",
                    headers={"X-API-Key": keys["alice"]},
                    trust_env=False,
                ).json()
                return len(got["devices"]) == 4 and all(
                    r["delivered_seq"] >= last for r in got["devices"]
                )

            for _ in range(200):
                if await acks_recorded():
                    break
                await asyncio.sleep(0.1)
        await proxy.close()
        return devices, proxy, last

    devices, proxy, last = asyncio.run(scenario())
    assert proxy.cuts > 0, "the proxy cut no connection: the test proved nothing"
    stored = history(server, keys["carol"], conv)
    texts = [m["body"]["text"] for m in stored if m["kind"] == "message"]
    assert sorted(texts) == sorted(f"m{i}" for i in range(N))  # each resend stored once
    for d in devices:
        user = {"a": "alice", "b": "bob", "c": "carol"}[d.device[0]]
        assert d.seqs(conv) == [m["seq"] for m in history(server, keys[user], conv)], d.device
        assert (d.log.duplicates, d.log.reorders, d.log.gaps) == (0, 0, [])
    assert sum(d.log.reconnects for d in devices) >= len(devices)  # the kill reached all
    server.stop()
    audit = _lake_audit(server)
    assert audit["devices"] == 4
    assert (audit["duplicates"], audit["reorders"], audit["holes"]) == (0, 0, 0)
    assert audit["delivered"] >= 4 * N
