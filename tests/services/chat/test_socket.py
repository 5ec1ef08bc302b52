"""The WebSocket against a real server on loopback, with ``websockets`` clients: exactly once
and in order per device, bad frames, authentication, resync, paging, gaps, typing, receipts."""

from __future__ import annotations

import asyncio
import time

import httpx
import orjson
import websockets

from services.chat.client import ChatClient
from tests.services.chat.helpers import create, history, running


def _applied_messages(client: ChatClient, conv: str) -> list[str]:
    return [r.body["text"] for r in client.log.applied if r.conv == conv and r.kind == "message"]


def test_every_device_gets_every_row_once_and_in_order(server):
    keys = {u: server.api_key(u) for u in ("alice", "bob", "carol")}
    group = create(server, keys["alice"], ["bob", "carol"])["id"]
    direct = create(server, keys["alice"], ["bob"], direct=True)["id"]

    async def scenario() -> list[ChatClient]:
        devices = [
            ChatClient(server.ws_url, keys["alice"], "a-phone"),
            ChatClient(server.ws_url, keys["bob"], "b-phone"),
            ChatClient(server.ws_url, keys["bob"], "b-laptop"),
            ChatClient(server.ws_url, keys["carol"], "c-phone"),
        ]
        async with running(*devices):
            await asyncio.gather(*(d.wait_for(lambda d=d: d.connected) for d in devices))
            for i in range(60):
                await devices[i % 4].send(group, {"text": f"g{i}"})
                if i % 3 == 0:
                    await devices[i % 2].send(direct, {"text": f"d{i}"})
            for d in devices:
                await d.wait_for(lambda d=d: not d.pending, 20)
            stored_group = history(server, keys["alice"], group)
            stored_direct = history(server, keys["alice"], direct)
            last = {group: stored_group[-1]["seq"], direct: stored_direct[-1]["seq"]}
            for d in devices:
                for conv in [group, direct] if d.device != "c-phone" else [group]:
                    await d.wait_for(lambda d=d, c=conv: d.cursors.get(c, 0) >= last[c], 20)
        return devices

    devices = asyncio.run(scenario())
    users = {"a": "alice", "b": "bob", "c": "carol"}
    for d in devices:
        assert d.log.duplicates == 0 and d.log.reorders == 0 and d.log.gaps == []
        assert d.log.errors == []
        key = keys[users[d.device[0]]]
        assert d.seqs(group) == [m["seq"] for m in history(server, key, group)]
        if d.device[0] != "c":
            assert d.seqs(direct) == [m["seq"] for m in history(server, key, direct)]
        # sent through four sockets at once: every text once, in the order the log holds
        texts = _applied_messages(d, group)
        assert sorted(texts) == sorted(f"g{i}" for i in range(60))
        stored = [m["body"]["text"] for m in history(server, key, group) if m["kind"] == "message"]
        assert texts == stored


def test_bad_frames_get_error_frames_and_the_connection_survives(server):
    ka, kb = server.api_key("alice"), server.api_key("bob")
    server.api_key("mallory")
    conv = create(server, ka, ["bob"])["id"]
    other = create(server, kb, ["mallory"])["id"]

    async def scenario() -> list[dict]:
        async with websockets.connect(server.ws_url, proxy=None) as ws:
            await ws.send(orjson.dumps({"type": "hello", "device": "d1", "api_key": ka}).decode())
            assert orjson.loads(await ws.recv())["type"] == "welcome"
            bad = [
                "{not json",
                "[1, 2]",
                orjson.dumps({"type": "teleport"}).decode(),
                orjson.dumps(
                    {
                        "type": "send",
                        "conv": "f" * 32,
                        "client_id": "x",
                        "body": {"text": "to nowhere"},
                    }
                ).decode(),
                orjson.dumps(
                    {
                        "type": "send",
                        "conv": other,
                        "client_id": "y",
                        "body": {"text": "not my group"},
                    }
                ).decode(),
                orjson.dumps(
                    {"type": "send", "conv": conv, "client_id": "z", "body": {"text": "x" * 20_000}}
                ).decode(),
                "x" * 70_000,
                orjson.dumps({"type": "ack", "conv": conv, "seq": 10**6}).decode(),
                orjson.dumps(
                    {"type": "send", "conv": conv, "client_id": "bad id!", "body": {"text": "hi"}}
                ).decode(),
            ]
            for frame in bad:
                await ws.send(frame)
            await ws.send(b"\x00binary")
            await ws.send(
                orjson.dumps(
                    {
                        "type": "send",
                        "conv": conv,
                        "client_id": "ok-1",
                        "body": {"text": "still here"},
                    }
                ).decode()
            )
            await ws.send(
                orjson.dumps(
                    {
                        "type": "send",
                        "conv": conv,
                        "client_id": "ok-1",
                        "body": {"text": "replayed id, other text"},
                    }
                ).decode()
            )
            frames: list[dict] = []
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                f = orjson.loads(await asyncio.wait_for(ws.recv(), 15))
                frames.append(f)
                if sum(1 for x in frames if x["type"] in ("error", "accepted")) >= 12:
                    break
            return frames

    frames = asyncio.run(scenario())
    errors = [f for f in frames if f["type"] == "error"]
    statuses = sorted(f["status"] for f in errors)
    assert statuses == sorted([400, 422, 422, 404, 403, 413, 413, 422, 422, 400, 409])
    accepted = [f for f in frames if f["type"] == "accepted"]
    assert [(a["client_id"], a["duplicate"]) for a in accepted] == [("ok-1", False)]


def test_a_socket_without_a_valid_key_is_refused(server):
    async def scenario() -> tuple[dict, int]:
        async with websockets.connect(server.ws_url, proxy=None) as ws:
            hello = {"type": "hello", "device": "d", "api_key": "nope"}
            await ws.send(orjson.dumps(hello).decode())
            frame = orjson.loads(await ws.recv())
            try:
                await ws.recv()
            except websockets.ConnectionClosed as closed:
                return frame, closed.rcvd.code
        raise AssertionError("not closed")

    frame, code = asyncio.run(scenario())
    assert frame["status"] == 401 and code == 4001


def test_reconnect_resumes_from_the_cursor_and_pages_through_a_long_absence(server):
    ka, kb = server.api_key("alice"), server.api_key("bob")
    conv = create(server, ka, ["bob"])["id"]

    async def scenario() -> tuple[ChatClient, float]:
        bob = ChatClient(server.ws_url, kb, "phone")
        await bob.connect()
        reader = asyncio.create_task(bob.run())
        alice = ChatClient(server.ws_url, ka, "laptop")
        await alice.connect()
        areader = asyncio.create_task(alice.run())
        for i in range(5):
            await alice.send(conv, {"text": f"early {i}"})
        await bob.wait_for(lambda: bob.cursors.get(conv, 0) >= 8)
        await bob.close()
        await reader
        for i in range(1200):  # more than several pages (page_size 200)
            await alice.send(conv, {"text": f"late {i}"})
        await alice.wait_for(lambda: not alice.pending, 60)
        started = time.monotonic()
        await bob.connect()
        reader = asyncio.create_task(bob.run())
        await bob.wait_for(lambda: bob.cursors[conv] >= 1208, 60)
        took = time.monotonic() - started
        await bob.close()
        await alice.close()
        await asyncio.gather(reader, areader)
        return bob, took

    bob, took = asyncio.run(scenario())
    stored = history(server, kb, conv)
    assert bob.seqs(conv) == [m["seq"] for m in stored]
    assert bob.log.duplicates == 0 and bob.log.reorders == 0
    assert _applied_messages(bob, conv) == [f"early {i}" for i in range(5)] + [
        f"late {i}" for i in range(1200)
    ]
    assert took < 30


def test_a_device_behind_a_purge_is_told_of_the_gap(server):
    ka, kb = server.api_key("alice"), server.api_key("bob")
    conv = create(server, ka, ["bob"], retention_s=1)["id"]

    async def scenario() -> ChatClient:
        alice = ChatClient(server.ws_url, ka, "laptop")
        await alice.connect()
        areader = asyncio.create_task(alice.run())
        for i in range(3):
            await alice.send(conv, {"text": f"gone {i}"})
        await alice.wait_for(lambda: not alice.pending)
        await asyncio.sleep(1.2)
        await alice.send(conv, {"text": "kept"})
        await alice.wait_for(lambda: not alice.pending)
        resp = httpx.post(
            f"{server.url}/chat/purge",
            headers={"X-API-Key": server.admin_key()},
            trust_env=False,
            timeout=30,
        )
        assert resp.json()["purged"][conv] == 6
        bob = ChatClient(server.ws_url, kb, "phone")
        await bob.connect()
        reader = asyncio.create_task(bob.run())
        await bob.wait_for(lambda: bob.cursors.get(conv, 0) >= 7)
        await bob.close()
        await alice.close()
        await asyncio.gather(reader, areader)
        return bob

    bob = asyncio.run(scenario())
    assert [(g["from"], g["to"]) for g in bob.log.gaps] == [(1, 6)]
    assert [(r.seq, r.body) for r in bob.log.applied] == [(7, {"text": "kept"})]


def test_typing_and_read_receipts_reach_the_other_members(server):
    ka, kb = server.api_key("alice"), server.api_key("bob")
    conv = create(server, ka, ["bob"])["id"]

    async def scenario() -> tuple[list[dict], dict]:
        seen: list[dict] = []
        alice = ChatClient(server.ws_url, ka, "laptop", on_frame=seen.append)
        bob = ChatClient(server.ws_url, kb, "phone")
        await alice.connect()
        await bob.connect()
        readers = [asyncio.create_task(alice.run()), asyncio.create_task(bob.run())]
        await bob.frame({"type": "typing", "conv": conv, "state": "start"})
        await alice.send(conv, {"text": "hi"})
        await bob.wait_for(lambda: bob.cursors[conv] >= 4)
        await bob.frame({"type": "read", "conv": conv, "seq": 4})
        await alice.wait_for(lambda: any(f["type"] == "receipt" for f in seen))
        await bob.close()
        await alice.close()
        await asyncio.gather(*readers)
        receipts = httpx.get(
            f"{server.url}/chat/conversations/{conv}/receipts",
            headers={"X-API-Key": ka},
            trust_env=False,
            timeout=30,
        ).json()
        return seen, receipts

    seen, receipts = asyncio.run(scenario())
    assert {"type": "typing", "conv": conv, "user": "bob", "state": "start"} in seen
    receipt = next(f for f in seen if f["type"] == "receipt")
    assert (receipt["user"], receipt["device"], receipt["seq"]) == ("bob", "phone", 4)
    bob = next(u for u in receipts["users"] if u["user_id"] == "bob")
    assert bob["read_seq"] == 4 and bob["delivered_seq"] >= 4
