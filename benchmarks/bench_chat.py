"""Messaging benchmark (``make bench-chat``): throughput against a bare broadcast server,
latency at half the maximum rate, chaos, resync and memory per idle connection.

- Throughput: 200 connected clients in 50 conversations of 4, every client sending as fast
  as it can; messages delivered per second by the messaging service (stored, sequenced,
  acknowledged) over the same fan-out by a bare ``websockets`` broadcast server
  (``benchmarks.chat_baseline``) in the same run: the cost of durability and ordering.
  ``BENCH_CHAT_ROUNDS`` (3) interleaved rounds; the medians are reported, with each
  server's CPU per delivery (``/proc``; what to compare on a loaded machine).
- Scale-out: the same with two server processes on a private PostgreSQL and a private
  ``redis-server`` (``benchmarks.chat_scaleout``), clients alternating between them; its
  figures, with lost, duplicated and reordered deliveries, on the ``SCALEOUT`` line just
  before the last.
- Latency: send-to-deliver p99 with the same clients paced at half the service's maximum,
  for 5 s after a 1 s warm-up (the server first drains the flood before it).
- The load client reads each socket in one loop with no timer per frame: a costlier client
  caps the bare server first and flatters the ratio (the same client measured 0.38 with a
  timer per frame and about 0.23 without).
- Chaos: ``BENCH_CHAT_CHAOS`` messages (default 50,000) through a proxy that cuts connections
  and adds delay, with the server killed (SIGKILL) and restarted half way; lost, duplicated
  and reordered rows counted against the stored log, on every device.
- Resync: time for a device to catch up on 1,000 rows queued while it was away.
- Memory: growth of the server's resident memory per idle connection, at 5,000.

Every server runs in its own process on loopback; the load comes from this process.
Last line: ``RESULT chat_msgs_per_s=<x> chat_ratio=<x> chat_p99_ms=<x> chat_lost=<n>
chat_dupes=<n> chat_reorders=<n> chat_resync_s=<x> chat_kib_per_conn=<x>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson
import websockets

from benchmarks.chat_load import GROUP, Lean, Setup, close_all, connect_lean, flood, paced
from benchmarks.chat_scaleout import ScaleOut
from services.chat.chaos import DroppingProxy
from services.chat.client import ChatClient
from services.chat.process import ServerProcess, free_port

CLIENTS = 200
PER_CLIENT = int(os.environ.get("BENCH_CHAT_PER_CLIENT", "25"))
CHAOS = int(os.environ.get("BENCH_CHAT_CHAOS", "50000"))
IDLE = int(os.environ.get("BENCH_CHAT_IDLE", "5000"))
ROUNDS = int(os.environ.get("BENCH_CHAT_ROUNDS", "3"))
RESYNC = 1000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SETTLE_S = 0.5


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


# -- the phases ----------------------------------------------------------------------------
class Baseline:
    """The bare broadcast server (``benchmarks.chat_baseline``) in its own process."""

    def __enter__(self) -> Baseline:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.chat_baseline", str(self.port)]
        )
        time.sleep(1.5)
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def cpu_s(pids: list[int]) -> float:
    """CPU seconds (user and system, every thread) the processes have used so far."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


async def measured(clients: list[Lean], pids: list[int]) -> tuple[float, float]:
    """One flood: deliveries per second, and the servers' CPU microseconds per delivery
    (read ``SETTLE_S`` after the last delivery, so the acks and spool appends after it
    count)."""
    delivered, used = sum(c.delivered for c in clients), cpu_s(pids)
    rate = await flood(clients, PER_CLIENT)
    await asyncio.sleep(SETTLE_S)
    done = sum(c.delivered for c in clients) - delivered
    return rate, (cpu_s(pids) - used) / max(1, done) * 1e6


async def interleaved(
    base: Baseline, urls: list[str], pids: list[int], setup: Setup, label: str
) -> tuple[float, float, list[Lean]]:
    """``ROUNDS`` floods of each server, alternating which goes first: the median of our
    deliveries per second and of the per-round ratios (load on a shared machine moves both
    within a round far less than between rounds). Our clients stay connected. Each round
    also reports the servers' CPU per delivery (``pids``: ours), the figure to compare on a
    loaded machine, where wall-clock rates mostly measure the neighbours."""
    base_clients = await connect_lean([f"ws://127.0.0.1:{base.port}"], None, CLIENTS, ours=False)
    ours = await connect_lean(urls, setup, CLIENTS, ours=True)
    rates, ratios, our_cpu, base_cpu = [], [], [], []
    for r in range(ROUNDS):
        if r % 2:
            (ours_rate, ours_us), (base_rate, base_us) = (
                await measured(ours, pids),
                await measured(base_clients, [base.proc.pid]),
            )
        else:
            (base_rate, base_us), (ours_rate, ours_us) = (
                await measured(base_clients, [base.proc.pid]),
                await measured(ours, pids),
            )
        rates.append(ours_rate)
        ratios.append(ours_rate / base_rate)
        our_cpu.append(ours_us)
        base_cpu.append(base_us)
        print(
            f"{label} round {r + 1}: ours {ours_rate:.0f} deliveries/s, bare broadcast "
            f"{base_rate:.0f}/s, ratio {ours_rate / base_rate:.3f}; server CPU per delivery "
            f"ours {ours_us:.1f} us, bare {base_us:.1f} us (load {os.getloadavg()[0]:.1f})"
        )
    print(
        f"{label}: server CPU per delivery, medians: ours {statistics.median(our_cpu):.1f} us, "
        f"bare broadcast {statistics.median(base_cpu):.1f} us"
    )
    await close_all(base_clients)
    return statistics.median(rates), statistics.median(ratios), ours


def throughput_and_latency(root: Path) -> tuple[float, float, float]:
    with Baseline() as base, ServerProcess(root / "throughput", log_path=root / "tp.log") as srv:
        setup = Setup(srv, CLIENTS)

        async def ours() -> tuple[float, float, list[float]]:
            rate, ratio, clients = await interleaved(
                base, [srv.ws_url], [srv.proc.pid], setup, "throughput"
            )
            lat = await paced(clients, rate / GROUP / 2, 5.0)
            await close_all(clients)
            return rate, ratio, lat

        our_rate, ratio, latencies = asyncio.run(ours())
    print(
        f"throughput: ours {our_rate:.0f} deliveries/s, ratio {ratio:.3f} "
        f"(medians of {ROUNDS} interleaved rounds)"
    )
    print(
        f"latency at half the maximum ({our_rate / GROUP / 2:.0f} msg/s): "
        f"p50 {p(latencies, 0.5):.1f} ms, p99 {p(latencies, 0.99):.1f} ms "
        f"({len(latencies)} deliveries)"
    )
    return our_rate, ratio, p(latencies, 0.99)


def scale_out(root: Path) -> tuple[float, float, int, int, int]:
    """Two server processes (``benchmarks.chat_scaleout``): throughput, and every device's
    delivered seqs against the stored log."""
    with Baseline() as base, ScaleOut(root / "scaleout") as pair:
        a, b = pair.servers
        setup = Setup(a, CLIENTS)

        async def run() -> tuple[float, float, list[Lean]]:
            rate, ratio, clients = await interleaved(
                base, [a.ws_url, b.ws_url], [a.proc.pid, b.proc.pid], setup, "scale-out"
            )
            await close_all(clients)
            return rate, ratio, clients

        rate, ratio, clients = asyncio.run(run())
        lost = dupes = reorders = 0
        with httpx.Client(base_url=b.url, trust_env=False, timeout=60) as http:
            for g, conv in enumerate(setup.convs):
                rows = _history(http, setup.keys[g * GROUP], conv)
                for c in clients[g * GROUP : (g + 1) * GROUP]:
                    want = {m["seq"] for m in rows if m["kind"] == "message" and m["seq"] > c.start}
                    lost += len(want - set(c.seqs))
                    dupes += len(c.seqs) - len(set(c.seqs))
                    reorders += sum(1 for x, y in itertools.pairwise(c.seqs) if y < x)
    print(
        f"scale-out: 2 processes, {rate:.0f} deliveries/s, ratio {ratio:.3f}; "
        f"lost={lost} duplicated={dupes} reordered={reorders}"
    )
    return rate, ratio, lost, dupes, reorders


def chaos(root: Path) -> tuple[int, int, int]:
    srv = ServerProcess(root / "chaos", log_path=root / "chaos.log").start()
    try:
        n_users = 20
        setup = Setup(srv, n_users)

        async def run() -> tuple[list[ChatClient], int]:
            proxy = await DroppingProxy(srv.port, mean_life_s=2.0, jitter_s=0.003).start()
            url = f"ws://127.0.0.1:{proxy.port}/chat/ws"
            clients = [ChatClient(url, setup.keys[i], "d", ack_every=64) for i in range(n_users)]
            stop = asyncio.Event()
            tasks = [asyncio.create_task(c.run_forever(stop)) for c in clients]
            killed = False
            for i in range(CHAOS):
                c = clients[i % n_users]
                await c.send(
                    setup.convs[(i % n_users) // GROUP], {"text": f"c{i}"}, client_id=f"c{i}"
                )
                if i % 200 == 199:
                    while sum(len(x.pending) for x in clients) > 2000:
                        await asyncio.sleep(0.01)
                if not killed and i >= CHAOS // 2:
                    killed = True
                    await asyncio.to_thread(srv.kill)
                    await asyncio.to_thread(srv.start)
            for c in clients:
                await c.wait_for(lambda c=c: not c.pending, 600)
            # Late is not lost: give every device the time to catch up (through cuts) with
            # the stored log; whatever is still missing after a minute is counted as lost.
            last = await asyncio.to_thread(_last_seqs, srv, setup)
            for i, c in enumerate(clients):
                conv = setup.convs[i // GROUP]
                with contextlib.suppress(TimeoutError):
                    await c.wait_for(
                        lambda c=c, conv=conv: c.cursors.get(conv, 0) >= last[conv], 60
                    )
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            await proxy.close()
            print(f"chaos: {CHAOS} messages, {proxy.cuts} connections cut, one kill -9")
            return clients, proxy.cuts

        clients, _cuts = asyncio.run(run())
        lost = dupes = reorders = 0
        with httpx.Client(base_url=srv.url, trust_env=False, timeout=60) as http:
            for g, conv in enumerate(setup.convs):
                members = range(g * GROUP, (g + 1) * GROUP)
                for n, i in enumerate(members):
                    rows = _history(http, setup.keys[i], conv)
                    if n == 0:  # the stored log: every message once
                        texts = [m["body"]["text"] for m in rows if m["kind"] == "message"]
                        sent = {f"c{k}" for k in range(CHAOS) if (k % n_users) // GROUP == g}
                        lost += len(sent - set(texts))
                        dupes += len(texts) - len(set(texts))
                    got, want = clients[i].seqs(conv), [m["seq"] for m in rows]
                    lost += len(set(want) - set(got))
                    dupes += clients[i].log.duplicates + len(got) - len(set(got))
                    reorders += clients[i].log.reorders + (got != sorted(got))
        print(f"chaos: lost={lost} duplicated={dupes} reordered={reorders}")
        return lost, dupes, reorders
    finally:
        srv.stop()


def _last_seqs(srv: ServerProcess, setup: Setup) -> dict[str, int]:
    """The last stored seq of every conversation of ``setup``."""
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=60) as http:
        return {
            conv: max([0, *(m["seq"] for m in _history(http, setup.keys[g * GROUP], conv))])
            for g, conv in enumerate(setup.convs)
        }


def _history(http: httpx.Client, key: str, conv: str) -> list[dict]:
    rows: list[dict] = []
    after = 0
    while True:
        page = http.get(
            f"/chat/conversations/{conv}/messages",
            params={"after": after, "limit": 1000},
            headers={"X-API-Key": key},
        ).json()
        rows += page["messages"]
        if page["next_after"] >= page["last_seq"] or page["next_after"] == after:
            return rows
        after = page["next_after"]


def resync_and_memory(root: Path) -> tuple[float, float, float]:
    with ServerProcess(root / "resync", log_path=root / "resync.log") as srv:
        setup = Setup(srv, GROUP)
        conv = setup.convs[0]

        async def resync() -> float:
            sender = ChatClient(srv.ws_url, setup.keys[0], "d")
            away = ChatClient(srv.ws_url, setup.keys[1], "d")
            await away.connect()
            await away.close()
            await sender.connect()
            reader = asyncio.create_task(sender.run())
            for i in range(RESYNC):
                await sender.send(conv, {"text": f"q{i}"})
            await sender.wait_for(lambda: not sender.pending, 120)
            last = max(sender.accepted.values())
            await sender.close()
            await reader
            started = time.perf_counter()
            await away.connect()
            task = asyncio.create_task(away.run())
            await away.wait_for(lambda: away.cursors.get(conv, 0) >= last, 120)
            took = time.perf_counter() - started
            await away.close()
            await task
            assert len([r for r in away.log.applied if r.kind == "message"]) == RESYNC
            return took

        took = asyncio.run(resync())
        print(f"resync: {RESYNC} queued rows caught up in {took:.2f} s")
        users = 50
        keys = Setup(srv, users).keys

        async def idle() -> float:
            before = rss_kib(srv.proc.pid)
            conns = []
            for i in range(IDLE):
                ws = await websockets.connect(srv.ws_url, proxy=None, ping_interval=None)
                hello = {"type": "hello", "device": f"idle{i}", "api_key": keys[i % users]}
                await ws.send(orjson.dumps(hello).decode())
                await ws.recv()  # welcome
                conns.append(ws)
            await asyncio.sleep(2)
            after = rss_kib(srv.proc.pid)
            await asyncio.gather(*(w.close() for w in conns), return_exceptions=True)
            return (after - before) / IDLE

        kib = asyncio.run(idle())
    with Baseline() as base:
        base_kib = asyncio.run(idle_baseline(base.port, base.proc.pid))
    print(
        f"memory: {kib:.1f} KiB per idle connection at {IDLE} "
        f"(bare broadcast server: {base_kib:.1f} KiB)"
    )
    return took, kib, base_kib


def _base_hello(i: int) -> dict:
    return {"groups": [f"idle{i % 50}"]}


async def idle_baseline(port: int, pid: int) -> float:
    before = rss_kib(pid)
    conns = []
    for i in range(IDLE):
        ws = await websockets.connect(f"ws://127.0.0.1:{port}", proxy=None, ping_interval=None)
        await ws.send(orjson.dumps(_base_hello(i)).decode())
        conns.append(ws)
    await asyncio.sleep(2)
    after = rss_kib(pid)
    await asyncio.gather(*(w.close() for w in conns), return_exceptions=True)
    return (after - before) / IDLE


def presence_cost(root: Path) -> None:
    """Heartbeats of 5,000 users every few seconds: cache writes and time per heartbeat, as
    kept (a key renewed once per third of the TTL) against renewing on every heartbeat."""
    from services.cache import build_cache
    from services.chat.presence import Presence
    from warehouse.settings import get_settings

    settings = get_settings().model_copy(update={"data_dir": root / "presence"})
    clock = [0.0]
    users = [f"p{i}" for i in range(5000)]
    results = {}
    for name, ttl_third in (("kept", True), ("every heartbeat", False)):
        cache = build_cache(settings, None, name="chat-bench")
        presence = Presence(cache, None, 30.0, clock=lambda: clock[0])
        started = time.perf_counter()
        for tick in range(10):  # 10 rounds, one heartbeat per user every 5 s
            clock[0] = tick * 5.0
            for user in users:
                if ttl_third:
                    presence.heartbeat(user)
                else:
                    cache.set("chat:presence:" + user, {"last_seen": clock[0]}, ttl=30.0)
                    presence.writes += 1
        elapsed = time.perf_counter() - started
        results[name] = (elapsed / (10 * len(users)) * 1e6, presence.writes / (10 * len(users)))
        cache.close()
    (kept_us, kept_w), (naive_us, naive_w) = results["kept"], results["every heartbeat"]
    print(
        f"presence: {kept_w:.2f} cache writes per heartbeat ({naive_w:.2f} renewing every "
        f"time), {kept_us:.1f} us per heartbeat ({kept_us / naive_us:.2f} of renewing)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as tmp:
        root = Path(tmp)
        presence_cost(root)
        rate, ratio, p99 = throughput_and_latency(root)
        rate2, ratio2, lost2, dupes2, reorders2 = scale_out(root)
        took, kib, _base_kib = resync_and_memory(root)
        lost, dupes, reorders = chaos(root)
    print(
        f"SCALEOUT chat2_msgs_per_s={rate2:.0f} chat2_ratio={ratio2:.3f} chat2_lost={lost2} "
        f"chat2_dupes={dupes2} chat2_reorders={reorders2}"
    )
    print(
        f"RESULT chat_msgs_per_s={rate:.0f} chat_ratio={ratio:.3f} chat_p99_ms={p99:.1f} "
        f"chat_lost={lost} chat_dupes={dupes} chat_reorders={reorders} "
        f"chat_resync_s={took:.2f} chat_kib_per_conn={kib:.1f}"
    )


if __name__ == "__main__":
    main()
