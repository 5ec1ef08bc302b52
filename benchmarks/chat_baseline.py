"""The baseline of ``make bench-chat``: a bare ``websockets`` broadcast server.

It does the same fan-out as the messaging service (each message to every connection of its
group) and nothing else: no store, no sequence numbers, no acknowledgements, no ordering
guarantee beyond one socket's. The difference is the cost of durability and ordering.
Run as ``python -m benchmarks.chat_baseline PORT``.
"""

from __future__ import annotations

import asyncio
import sys
from collections import defaultdict

import orjson
import websockets

GROUPS: dict[str, set] = defaultdict(set)


async def handler(ws) -> None:
    hello = orjson.loads(await ws.recv())
    groups = hello["groups"]
    for g in groups:
        GROUPS[g].add(ws)
    try:
        async for raw in ws:
            frame = orjson.loads(raw)
            out = orjson.dumps(
                {"type": "msg", "conv": frame["conv"], "body": frame["body"], "ts": frame.get("ts")}
            ).decode()
            websockets.broadcast(GROUPS[frame["conv"]], out)
    finally:
        for g in groups:
            GROUPS[g].discard(ws)


async def main(port: int) -> None:
    async with websockets.serve(handler, "127.0.0.1", port, max_size=2**20):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
