"""Users, conversations and the load client of the messaging benchmark
(``benchmarks.bench_chat``), for both servers: lean connections that count deliveries and
their latency, a flood at full speed and a paced send at a given rate."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time

import httpx
import orjson
import websockets

from services.chat.process import ServerProcess

GROUP = 4


class Setup:
    """Users, keys and conversations on our server (``n_users`` users, groups of ``GROUP``)."""

    def __init__(self, srv: ServerProcess, n_users: int) -> None:
        admin = {"X-API-Key": srv.admin_key()}
        with httpx.Client(base_url=srv.url, trust_env=False, timeout=60) as http:
            self.keys = [
                http.post(
                    "/auth/keys", json={"user_id": f"b{i:04d}", "roles": ["user"]}, headers=admin
                ).json()["api_key"]
                for i in range(n_users)
            ]
            self.convs = []
            for g in range(n_users // GROUP):
                members = [f"b{i:04d}" for i in range(g * GROUP + 1, (g + 1) * GROUP)]
                r = http.post(
                    "/chat/conversations",
                    json={"members": members},
                    headers={"X-API-Key": self.keys[g * GROUP]},
                )
                r.raise_for_status()
                self.convs.append(r.json()["id"])


class Lean:
    """One connection: counts deliveries and their latency (send time is in the text)."""

    def __init__(self, ws, conv: str, ours: bool) -> None:
        self.ws, self.conv, self.ours = ws, conv, ours
        self.delivered = 0
        self.latencies: list[tuple[float, float]] = []  # (sent at, send-to-deliver ms)
        self.last_seq = 0
        self.unacked = 0
        self.start = 0  # the cursor it connected with
        self.seqs: list[int] = []  # every message seq delivered to it, in order

    async def read(self) -> None:
        """Until cancelled (websockets' ``recv`` loses nothing to a cancel): one ``recv`` per
        frame, no timer per frame, so the client spends its core on the frames."""
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                f = orjson.loads(raw)
                if f.get("type") != "msg" or (self.ours and f["kind"] != "message"):
                    continue
                self.delivered += 1
                sent = float(f["body"]["text"])
                self.latencies.append((sent, (time.time() - sent) * 1000))
                if self.ours:
                    self.seqs.append(f["seq"])
                    self.last_seq = f["seq"]
                    self.unacked += 1
                    if self.unacked >= 32:
                        self.unacked = 0
                        await self.ws.send(
                            orjson.dumps(
                                {"type": "ack", "conv": self.conv, "seq": self.last_seq}
                            ).decode()
                        )

    async def send(self) -> None:
        frame = {
            "type": "send",
            "conv": self.conv,
            "client_id": os.urandom(8).hex(),
            "body": {"text": f"{time.time():.6f}"},
        }
        await self.ws.send(orjson.dumps(frame).decode())


async def connect_lean(urls: list[str], setup: Setup | None, n: int, ours: bool) -> list[Lean]:
    """``n`` clients in groups of ``GROUP``, connected to ``urls`` in turn."""
    out = []
    for i in range(n):
        url = urls[i % len(urls)]
        ws = await websockets.connect(url, max_size=2**22, proxy=None, ping_interval=None)
        g = i // GROUP
        conv = setup.convs[g] if setup else f"g{g}"
        if ours:
            await ws.send(
                orjson.dumps(
                    {"type": "hello", "device": "bench", "api_key": setup.keys[i]}
                ).decode()
            )
            welcome = orjson.loads(await ws.recv())
            cursor = {c["conv"]: c["cursor"] for c in welcome["conversations"]}
            lean = Lean(ws, conv, ours)
            lean.last_seq = lean.start = cursor.get(conv, 0)
        else:
            await ws.send(orjson.dumps({"groups": [conv]}).decode())
            lean = Lean(ws, conv, ours)
        out.append(lean)
    return out


async def flood(clients: list[Lean], per_client: int, timeout: float = 300) -> float:
    """Every client sends ``per_client`` as fast as it can; deliveries per second."""
    readers = [asyncio.create_task(c.read()) for c in clients]
    expected = len(clients) * per_client * GROUP
    start_count = sum(c.delivered for c in clients)
    started = time.perf_counter()

    async def sender(c: Lean) -> None:
        for i in range(per_client):
            await c.send()
            if i % 5 == 4:
                await asyncio.sleep(0)

    await asyncio.gather(*(sender(c) for c in clients))
    deadline = time.monotonic() + timeout
    while sum(c.delivered for c in clients) - start_count < expected:
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - started
    await _stop(readers)
    return (sum(c.delivered for c in clients) - start_count) / elapsed


async def paced(
    clients: list[Lean], rate: float, seconds: float, warm_up: float = 1.0
) -> list[float]:
    """Send at ``rate`` messages per second in all; the send-to-deliver latencies (ms) of
    the messages sent after ``warm_up`` seconds, so the steady state is measured, not the
    server still draining what came before the pacing started."""
    for c in clients:
        c.latencies.clear()
    readers = [asyncio.create_task(c.read()) for c in clients]
    interval = len(clients) / rate
    measured_from = time.time() + warm_up

    async def sender(c: Lean, offset: float) -> None:
        await asyncio.sleep(offset)
        end = time.monotonic() + warm_up + seconds
        nxt = time.monotonic()
        while time.monotonic() < end:
            await c.send()
            nxt += interval
            await asyncio.sleep(max(0.0, nxt - time.monotonic()))

    await asyncio.gather(*(sender(c, i * interval / len(clients)) for i, c in enumerate(clients)))
    await asyncio.sleep(2.0)
    await _stop(readers)
    return [ms for c in clients for sent, ms in c.latencies if sent >= measured_from]


async def _stop(readers: list[asyncio.Task]) -> None:
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)


async def close_all(clients: list[Lean]) -> None:
    await asyncio.gather(*(c.ws.close() for c in clients), return_exceptions=True)
