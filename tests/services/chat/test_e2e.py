"""End-to-end encryption: keys stay on devices; the server stores and relays ciphertext and
sealed key shares only. A newly linked device reads history once another device of its user
re-shares the keys. No plaintext reaches the database, the spool, the lake or the logs."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx

from services.chat.client import ChatClient
from services.chat.e2e import DeviceCrypto
from tests.services.chat.helpers import create
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake
from warehouse.settings import get_settings


def _link(server, key: str, device: str, crypto: DeviceCrypto) -> None:
    httpx.put(
        f"{server.url}/chat/devices/{device}",
        json={"public_key": crypto.public_key},
        headers={"X-API-Key": key},
        trust_env=False,
        timeout=30,
    ).raise_for_status()


def _devices(server, key: str, user: str) -> list[dict]:
    return httpx.get(
        f"{server.url}/chat/devices",
        params={"user_id": user},
        headers={"X-API-Key": key},
        trust_env=False,
        timeout=30,
    ).json()


def _files_containing(root: Path, needle: bytes, skip: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and skip not in path.parents and needle in path.read_bytes():
            found.append(str(path))
    return found


def test_encrypted_history_reaches_a_new_device_and_no_plaintext_reaches_the_server(server):
    marker = f"secret-{uuid.uuid4().hex}"
    ka, kb = server.api_key("alice"), server.api_key("bob")
    a1, b1, b2 = DeviceCrypto(), DeviceCrypto(), DeviceCrypto()
    _link(server, ka, "a1", a1)
    _link(server, kb, "b1", b1)
    conv = create(server, ka, ["bob"], encrypted=True)["id"]
    texts = [f"{marker} number {i}" for i in range(5)]
    # A control: plaintext sent in a plaintext conversation must be found by the same scan.
    control = f"control-{uuid.uuid4().hex}"
    plain = create(server, ka, ["bob"])["id"]
    httpx.post(
        f"{server.url}/chat/conversations/{plain}/messages",
        json={"client_id": "control", "body": {"text": control}},
        headers={"X-API-Key": ka},
        trust_env=False,
        timeout=30,
    ).raise_for_status()

    async def scenario() -> list[str]:
        alice = ChatClient(server.ws_url, ka, "a1")
        bob1 = ChatClient(server.ws_url, kb, "b1")
        await alice.connect()
        await bob1.connect()
        readers = [asyncio.create_task(alice.run()), asyncio.create_task(bob1.run())]
        session = a1.new_session(conv)
        for device in _devices(server, ka, "bob"):
            share = a1.share(conv, session, device["public_key"])
            await alice.frame(
                {"type": "to_device", "user": "bob", "device": device["device_id"], "body": share}
            )
        for text in texts:
            await alice.send(conv, a1.encrypt(conv, session, text))
        await alice.wait_for(lambda: not alice.pending)
        await bob1.wait_for(lambda: bob1.envelopes and len(_messages(bob1, conv)) == 5)
        for envelope in bob1.envelopes:
            b1.receive(envelope["body"])
        assert [b1.decrypt(conv, r.body) for r in _messages(bob1, conv)] == texts
        # bob links a laptop; his phone re-shares what it holds, sealed to the new key
        _link(server, kb, "b2", b2)
        new_key = next(d for d in _devices(server, kb, "bob") if d["device_id"] == "b2")
        for share in b1.share_all(new_key["public_key"]):
            await bob1.frame({"type": "to_device", "user": "bob", "device": "b2", "body": share})
        bob2 = ChatClient(server.ws_url, kb, "b2")
        await bob2.connect()
        readers.append(asyncio.create_task(bob2.run()))
        await bob2.wait_for(lambda: bob2.envelopes and len(_messages(bob2, conv)) == 5)
        for envelope in bob2.envelopes:
            b2.receive(envelope["body"])
        read = [b2.decrypt(conv, r.body) for r in _messages(bob2, conv)]
        for c in (alice, bob1, bob2):
            await c.close()
        await asyncio.gather(*readers)
        return read

    assert asyncio.run(scenario()) == texts
    server.stop()
    settings = get_settings().model_copy(update={"data_dir": server.data_dir})
    needle = marker.encode()
    assert _files_containing(server.data_dir, needle, skip=settings.lake_dir) == []
    assert _files_containing(server.data_dir, control.encode(), skip=settings.lake_dir)
    ingest_spool(settings.spool_dir, settings.lake_dir)
    lake = Lake(settings.lake_dir)
    assert "events" in lake.tables()
    for table in lake.tables():
        hits = lake.query(
            f'SELECT count(*) AS n FROM "{table}" t WHERE CAST(t AS VARCHAR) LIKE ?',
            [f"%{marker}%"],
        )
        assert hits["n"][0] == 0, table
    stored = lake.query("SELECT count(*) AS n FROM chat_events WHERE type = 'message_stored'")
    assert stored["n"][0] == 6  # five encrypted, one control


def _messages(client: ChatClient, conv: str) -> list:
    return [r for r in client.log.applied if r.kind == "message" and r.conv == conv]
