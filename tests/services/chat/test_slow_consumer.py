"""A device that stops reading cannot stall its conversation: the others keep receiving, the
server closes the stuck socket, and the device resyncs what it missed, once each."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest
import websockets

from services.chat.client import ChatClient
from services.chat.process import ServerProcess
from tests.services.chat.helpers import create

N = 1500
TEXT = "x" * 8000  # 12 MB in all: far more than the socket buffers of a reader that stops


@pytest.fixture
def strict_server(tmp_path):
    with ServerProcess(tmp_path / "srv", env={"BLUEPRINT_CHAT_SEND_TIMEOUT_S": "1"}) as srv:
        yield srv


def test_a_stuck_reader_is_cut_off_and_resyncs_while_others_keep_up(strict_server):
    server = strict_server
    ka, kb = server.api_key("alice"), server.api_key("bob")
    conv = create(server, ka, ["bob"])["id"]

    async def scenario() -> tuple[float, int, list[int], int]:
        stuck = await websockets.connect(
            server.ws_url, proxy=None, ping_interval=None, max_size=2**22
        )
        await stuck.send(orjson.dumps({"type": "hello", "device": "stuck", "api_key": kb}))
        fast = ChatClient(server.ws_url, kb, "fast")
        alice = ChatClient(server.ws_url, ka, "laptop")
        await fast.connect()
        await alice.connect()
        readers = [asyncio.create_task(fast.run()), asyncio.create_task(alice.run())]
        started = time.monotonic()
        for i in range(N):
            await alice.send(conv, {"text": f"{i} {TEXT}"})
        await fast.wait_for(lambda: len(fast.seqs(conv)) >= N + 1, 120)
        fast_took = time.monotonic() - started
        # the stuck device reads again: what was buffered, then the server's close
        applied: list[int] = []
        code = 0
        try:
            while True:  # a server that never cuts it off fails here after 30 s of silence
                f = orjson.loads(await asyncio.wait_for(stuck.recv(), 30))
                if f["type"] == "msg":
                    applied.append(f["seq"])
        except websockets.ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else 0
        code = code or (stuck.close_code or 0)
        resumed = ChatClient(server.ws_url, kb, "stuck")
        resumed.cursors[conv] = applied[-1] if applied else 0
        await resumed.connect()
        readers.append(asyncio.create_task(resumed.run()))
        await resumed.wait_for(lambda: resumed.cursors[conv] >= N + 3, 120)
        for c in (fast, alice, resumed):
            await c.close()
        await asyncio.gather(*readers)
        return fast_took, code, applied + resumed.seqs(conv), resumed.log.duplicates

    fast_took, code, seqs, dupes = asyncio.run(scenario())
    # 4008 when the close frame gets through; 1006 when the stuck buffer keeps it out too
    assert code in (4008, 1006)
    assert seqs == list(range(3, N + 4)) and dupes == 0
    assert fast_took < 120
