"""Scale-out: two real server processes share the PostgreSQL store and a Redis pub/sub channel;
clients connected to different processes exchange messages, in order and exactly once, and
the clients of a process killed mid-stream resume on the other from their cursors."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Iterator

import pytest

from services.chat.client import ChatClient
from services.chat.process import ServerProcess
from tests.conftest import server_reachable
from tests.services.chat.helpers import create, history, running

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def pair(pg_settings, tmp_path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two processes on one PostgreSQL schema and one (test-unique) Redis channel."""
    if not server_reachable("127.0.0.1", 6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    env = {
        "BLUEPRINT_DATABASE_URL": pg_settings.database_url,
        "BLUEPRINT_REDIS_URL": REDIS,
        "BLUEPRINT_CHAT_BUS_CHANNEL": f"test-chat-{uuid.uuid4().hex}",
        "BLUEPRINT_ADMIN_API_KEY": secrets.token_urlsafe(24),
    }
    a = ServerProcess(tmp_path / "a", env=env).start()
    try:
        b = ServerProcess(tmp_path / "b", env=env).start()
    except BaseException:
        a.stop()
        raise
    try:
        yield a, b
    finally:
        b.stop()
        a.stop()


def _users() -> list[str]:
    tag = uuid.uuid4().hex[:6]
    return [f"ann{tag}", f"ben{tag}", f"cat{tag}"]


def test_clients_on_two_processes_exchange_messages_in_order_exactly_once(pair):
    a, b = pair
    ann, ben, cat = _users()
    keys = {ann: a.api_key(ann), ben: b.api_key(ben), cat: a.api_key(cat)}
    conv = create(a, keys[ann], [ben, cat])["id"]
    n = 150

    async def scenario() -> list[ChatClient]:
        c_ann = ChatClient(a.ws_url, keys[ann], "ann-1")
        c_ben = ChatClient(b.ws_url, keys[ben], "ben-1")
        c_cat = ChatClient(b.ws_url, keys[cat], "cat-1")
        clients = [c_ann, c_ben, c_cat]
        typing: list[dict] = []
        c_ben.on_frame = lambda f: typing.append(f) if f.get("type") == "typing" else None
        async with running(*clients):
            for c in clients:
                await c.wait_for(lambda c=c: c.connected, 20)
            await c_ann.frame({"type": "typing", "conv": conv, "state": "start"})
            for i in range(n):  # both processes write the one conversation
                await clients[i % 2].send(conv, {"text": f"m{i}"}, client_id=f"m{i}")
            for c in clients[:2]:
                await c.wait_for(lambda c=c: not c.pending, 60)
            last = history(a, keys[cat], conv)[-1]["seq"]
            for c in clients:
                await c.wait_for(lambda c=c: c.cursors.get(conv, 0) >= last, 60)
            await c_ben.wait_for(lambda: bool(typing), 10)
        assert typing[0]["user"] == ann  # an ephemeral frame crossed processes too
        return clients

    clients = asyncio.run(scenario())
    for c, user in zip(clients, (ann, ben, cat), strict=True):
        stored = [m["seq"] for m in history(b, keys[user], conv)]
        assert c.seqs(conv) == stored  # every row since joining, once, in order
        assert c.log.duplicates == 0 and c.log.reorders == 0
        texts = [r.body["text"] for r in c.log.applied if r.kind == "message"]
        assert sorted(texts, key=lambda t: int(t[1:])) == [f"m{i}" for i in range(n)]


def test_clients_of_a_killed_process_resume_on_the_other(pair):
    a, b = pair
    ann, ben, _ = _users()
    keys = {ann: a.api_key(ann), ben: a.api_key(ben)}
    conv = create(a, keys[ann], [ben])["id"]
    n = 300

    async def scenario() -> tuple[ChatClient, ChatClient]:
        sender = ChatClient(a.ws_url, keys[ann], "ann-1")
        reader = ChatClient(b.ws_url, keys[ben], "ben-1")
        async with running(sender, reader):
            await reader.wait_for(lambda: reader.connected, 20)
            for i in range(n):
                await sender.send(conv, {"text": f"m{i}"}, client_id=f"m{i}")
                if i == n // 2:
                    await reader.wait_for(lambda: len(reader.log.applied) > 20, 30)
                    reader.url = a.ws_url  # where it reconnects once its process is gone
                    await asyncio.to_thread(b.kill)
                if i % 25 == 0:
                    await asyncio.sleep(0.02)
            await sender.wait_for(lambda: not sender.pending, 60)
            last = history(a, keys[ann], conv)[-1]["seq"]
            await reader.wait_for(lambda: reader.cursors.get(conv, 0) >= last, 60)
        return sender, reader

    _sender, reader = asyncio.run(scenario())
    stored = [m["seq"] for m in history(a, keys[ben], conv)]
    assert reader.seqs(conv) == stored
    assert reader.log.duplicates == 0 and reader.log.reorders == 0
