"""A node's peer connections count why they were dropped and how many requests each drop
failed, so a burst of failed replica requests can be traced to its cause (``KV.STATS``)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from services.kv.peers import PeerClient, PeerError


async def _silent_server() -> asyncio.AbstractServer:
    """Accepts connections and never answers."""
    return await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)


def test_a_timeout_drop_is_counted_with_the_requests_it_failed():
    async def main() -> Counter[str]:
        server = await _silent_server()
        port = server.sockets[0].getsockname()[1]
        counters: Counter[str] = Counter()
        peer = PeerClient("p", "127.0.0.1", port, timeout_s=0.2, counters=counters)
        first = peer.request(b"PING", timeout_s=0.2)
        second = peer.request(b"PING", timeout_s=5)
        for fut in (first, second):
            with pytest.raises(PeerError):
                await fut
        await peer.close()
        server.close()
        return counters

    counters = asyncio.run(main())
    assert counters["peer_drops_timeout"] == 1
    assert counters["peer_drops_timeout_requests"] == 2  # the one that timed out, and the other


def test_a_refused_connection_is_counted():
    async def main() -> Counter[str]:
        server = await _silent_server()
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        counters: Counter[str] = Counter()
        peer = PeerClient("p", "127.0.0.1", port, timeout_s=0.5, counters=counters)
        with pytest.raises(PeerError):
            await peer.call(b"PING")
        return counters

    assert asyncio.run(main())["peer_connect_failures"] == 1


def test_a_batched_replica_request_is_written_before_request_cb_returns():
    """The batched path batches a turn's requests itself: each leaves in the call that hands
    it over, not a turn of the event loop later."""

    async def main() -> tuple[bytes, object]:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while await reader.read(100):
                writer.write(b"+OK\r\n")
                await writer.drain()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        peer = PeerClient("p", "127.0.0.1", port, timeout_s=2)
        await peer.call(b"PING")  # connected
        writes: list[bytes] = []
        link = peer._link
        assert link is not None and link.transport is not None
        real_write = link.transport.write
        link.transport.write = lambda data: (writes.append(data), real_write(data))  # type: ignore[method-assign]
        answer: asyncio.Future = asyncio.get_running_loop().create_future()
        peer.request_cb(b"*1\r\n$4\r\nPING\r\n", answer.set_result)
        written = b"".join(writes)  # before any turn of the loop
        reply = await asyncio.wait_for(answer, 2)
        await peer.close()
        server.close()
        return written, reply

    written, reply = asyncio.run(main())
    assert written == b"*1\r\n$4\r\nPING\r\n"
    assert reply == b"OK"
