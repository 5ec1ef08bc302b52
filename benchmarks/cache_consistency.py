"""What strong consistency costs: ops/s of a strong cache client against an eventual one.

Both clients run the same operation stream (Zipf keys, 90% reads and 10% writes, JSON values)
over the same kind of tier: three nodes, every key on all three (N=3). Eventual is the
platform default (R=W=1, near-cache on: what callers get when they do not ask for more);
strong uses majority quorums (R=W=2) with read repair, and no near-cache. Rounds alternate
the two so background load hits both alike, and the figure is the median per-round ratio.

In-process nodes measure the client's own work (the quorum path's N node calls and version
handling); private ``redis-server`` processes on loopback, when the binary exists, add the
network hops (never the shared Redis).

Used by ``bench-edge``; ``python -m benchmarks.cache_consistency`` runs it alone.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from benchmarks.private_servers import private_redis
from services.cache import CacheClient, InProcessNode, RedisNode


def _ops(n: int, keys: int, seed: int = 3) -> list[tuple[str, str, int]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        key = f"item:{int(rng.paretovariate(1.1)) % keys}"
        out.append(("set" if rng.random() < 0.1 else "get", key, i))
    return out


def _run(client: CacheClient, ops: list[tuple[str, str, int]]) -> float:
    """ops/s of ``client`` over ``ops``."""
    get, put = client.get, client.set
    t0 = time.perf_counter()
    for op, key, i in ops:
        if op == "get":
            get(key)
        else:
            put(key, {"id": key, "n": i})
    return len(ops) / (time.perf_counter() - t0)


def compare(
    make_nodes: Callable[[], list], ops: list[tuple[str, str, int]], rounds: int = 3
) -> tuple[float, float, float, float]:
    """Median ops/s of eventual, strong and eventual without near-cache, and the median
    per-round strong/eventual ratio."""
    rates: dict[str, list[float]] = {"eventual": [], "strong": [], "eventual-no-near": []}
    for _ in range(rounds):
        for mode in rates:
            client = CacheClient(
                make_nodes(),
                replicas=3,
                consistency="strong" if mode == "strong" else "eventual",
                near_cache_size=0 if mode == "eventual-no-near" else 256,
            )
            for _op, key, i in ops[:2000]:  # warm: keys exist, so reads are mostly hits
                client.set(key, {"id": key, "n": i})
            rates[mode].append(_run(client, ops))
            client.close()
    ratio = statistics.median(
        s / e for s, e in zip(rates["strong"], rates["eventual"], strict=True)
    )
    ev, st, bare = (statistics.median(rates[m]) for m in rates)
    return ev, st, bare, ratio


def consistency_figures(log, n: int = 60_000, keys: int = 5_000) -> dict[str, float | None]:
    """strong/eventual ops/s ratio in process (always) and over private Redis (if present)."""
    ops = _ops(n, keys)
    ev, st, bare, ratio = compare(
        lambda: [InProcessNode(f"n{i}", 2 * keys, "wtinylfu") for i in range(3)], ops
    )
    log(
        f"  in-process N=3: eventual (R=W=1) {ev:,.0f} ops/s ({bare:,.0f} without near-cache), "
        f"strong (R=W=2) {st:,.0f} ops/s, strong/eventual {ratio:.2f}"
    )
    out: dict[str, float | None] = {"in_process": ratio, "redis": None}
    with private_redis(3) as urls:
        if urls is None:
            log("  redis-server not found: the Redis figure is skipped")
            return out
        few = ops[: n // 10]
        ev, st, bare, ratio = compare(
            lambda: [RedisNode(f"r{i}", u) for i, u in enumerate(urls)], few, rounds=3
        )
        log(
            f"  private Redis x3 N=3: eventual {ev:,.0f} ops/s ({bare:,.0f} without near-cache), "
            f"strong {st:,.0f} ops/s, strong/eventual {ratio:.2f}"
        )
        out["redis"] = ratio
    return out


if __name__ == "__main__":
    res = consistency_figures(print)
    redis = "n/a" if res["redis"] is None else f"{res['redis']:.2f}"
    print(
        f"RESULT cache_strong_vs_eventual={res['in_process']:.2f} "
        f"cache_strong_vs_eventual_redis={redis}"
    )
