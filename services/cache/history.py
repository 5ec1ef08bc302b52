"""A register checker for cache clients: random concurrent histories with injected failures.

``run_history`` drives several clients of one consistency over three in-process nodes from
threads, while a chaos thread takes nodes down and up (sometimes two at once, so quorums
fail), and records every call's start, end, value and outcome. ``stale_reads`` then finds what
an atomic register forbids: a read older than a write acknowledged before the read began, or
older than what an earlier read returned. Strong clients must show none; eventual ones show
many. Used by the tests and by ``blueprint cache check-consistency``.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from services.cache.client import CacheClient, Consistency
from services.cache.nodes import CacheUnavailable, InProcessNode

Op = dict[str, Any]


class JitterNode(InProcessNode):
    """An in-process node that yields the GIL inside every call, so threads interleave."""

    def __init__(self, name: str, seed: int) -> None:
        super().__init__(name, 10_000)
        self.rng = random.Random(seed)

    def get(self, key: str) -> bytes | None:
        time.sleep(self.rng.random() * 0.0003)
        return super().get(key)

    def set_versioned(self, key: str, value: bytes, ttl: float | None = None) -> bytes | None:
        time.sleep(self.rng.random() * 0.0003)
        return super().set_versioned(key, value, ttl)


def op(kind: str, value: Any, start: float, end: float, ok: bool = True) -> Op:
    """One call: ``w`` (write of a unique value) or ``r`` (read; None is a miss)."""
    return {"kind": kind, "value": value, "start": start, "end": end, "ok": ok}


def stale_reads(history: list[Op]) -> list[tuple[str, Op, Op]]:
    """Reads that returned a value (or nothing) older than a write acknowledged before the
    read began ("stale"), and reads older than an earlier read ("went back").

    A write that failed has no end: it may or may not have taken effect. A value x is older
    than y when x's write ended before y's write started.
    """
    inf = float("inf")
    writes = {o["value"]: o for o in history if o["kind"] == "w"}
    end = {v: (o["end"] if o["ok"] else inf) for v, o in writes.items()}
    acked = [o for o in writes.values() if o["ok"]]
    reads = [o for o in history if o["kind"] == "r" and o["ok"]]
    bad: list[tuple[str, Op, Op]] = []
    for r in reads:
        for w in acked:
            if w["end"] < r["start"] and (r["value"] is None or end[r["value"]] < w["start"]):
                bad.append(("stale", r, w))
                break
    for r1 in reads:
        if r1["value"] is None:
            continue
        for r2 in reads:
            if r1["end"] < r2["start"] and (
                r2["value"] is None or end[r2["value"]] < writes[r1["value"]]["start"]
            ):
                bad.append(("went back", r1, r2))
    return bad


def run_history(
    consistency: Consistency,
    seed: int,
    threads: int = 4,
    ops: int = 150,
    keys: int = 3,
    down_chance: float = 0.25,
) -> dict[str, list[Op]]:
    """Per key, the calls of ``threads`` clients making ``ops`` calls each (40% writes)."""
    nodes = [JitterNode(f"n{i}", seed * 10 + i) for i in range(3)]
    clients = [
        CacheClient(nodes, replicas=3, consistency=consistency, retry_down_after=0.0)
        for _ in range(threads)
    ]
    histories: dict[str, list[Op]] = {f"key{k}": [] for k in range(keys)}
    lock = threading.Lock()
    stop = threading.Event()

    def chaos() -> None:
        rng = random.Random(seed + 1)
        while not stop.is_set():
            for node in nodes:
                node.down = rng.random() < down_chance
            time.sleep(0.002)
        for node in nodes:
            node.down = False

    def worker(t: int) -> None:
        rng = random.Random(seed * 100 + t)
        for i in range(ops):
            key = f"key{rng.randrange(keys)}"
            start = time.perf_counter()
            if rng.random() < 0.4:
                value: Any = f"{t}-{i}"
                try:
                    clients[t].set(key, value)
                    ok = True
                except CacheUnavailable:  # strong: below W; eventual: no replica left
                    ok = False
                call = op("w", value, start, time.perf_counter(), ok)
            else:
                try:
                    value, ok = clients[t].get(key), True
                except CacheUnavailable:
                    value, ok = None, False
                call = op("r", value, start, time.perf_counter(), ok)
            with lock:
                histories[key].append(call)

    monkey = threading.Thread(target=chaos, daemon=True)
    monkey.start()
    workers = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    stop.set()
    monkey.join(5)
    return histories
