"""Cache traffic: an application uses the cache system's key-value API cache-aside.

Several app servers (API keys of one user, so one namespace) read keys with Zipf popularity;
a miss is "loaded" and PUT with a TTL, as an application in front of a database would. Halfway
through, one node is taken down through the admin API: reads fail over to the other replica
and writes go to the survivors; then it comes back. The hit ratio, fail-overs and per-node
counters are read back from ``/cache/stats``, and the tier's counts are reported to the lake,
where the ``cache_hit_ratio`` asset reads them. While the node is down, every tenth read also
asks for ``?consistency=strong``: on the default two-replica tier a strong read needs both
replicas, so those of keys on the down node get a clear 503 instead of a stale answer.

Two more checks: the run's own key stream is replayed through the simulator under FIFO, LRU
and W-TinyLFU at a tenth of the keys; and a strong client (N=3, R=W=2) keeps reading and
writing with one replica down, its reads never older than the last acknowledged write, and
repairs the replica when it is back.
"""

from __future__ import annotations

import bisect
import itertools
import math
from typing import Any

from pipelines.workload import WorkloadContext

KEYS = 400
ZIPF_S = 1.0
TTL_S = 600
PER_KEY_REQUESTS = 400  # stays under the platform's per-key rate limit


class CacheWorkload:
    name = "cache"
    order = 12

    def run(self, ctx: WorkloadContext) -> None:
        reads = max(200, int(600 * ctx.scale))
        servers = [
            {"X-API-Key": ctx.api_key("cache-app", ["service"])}
            for _ in range(math.ceil(2 * reads / PER_KEY_REQUESTS))
        ]
        cdf = list(itertools.accumulate(1.0 / (r + 1) ** ZIPF_S for r in range(KEYS)))
        stats = ctx.client.get("/cache/stats", headers=servers[0]).json()
        victim = sorted(stats["nodes"])[0]
        counts = {"reads": 0, "misses": 0, "puts": 0, "errors": 0}
        strong = {"ok": 0, "below_quorum": 0, "other": 0}
        trace: list[str] = []
        for i in range(reads):
            if i == reads // 3:
                self._node(ctx, victim, up=False)
            elif i == 2 * reads // 3:
                self._node(ctx, victim, up=True)
            headers = servers[i % len(servers)]
            key = f"item-{bisect.bisect(cdf, ctx.rng.random() * cdf[-1])}"
            trace.append(key)
            got = ctx.client.get(f"/cache/keys/{key}", headers=headers)
            counts["reads"] += 1
            if reads // 3 <= i < 2 * reads // 3 and i % 10 == 0:
                sr = ctx.client.get(
                    f"/cache/keys/{key}", params={"consistency": "strong"}, headers=headers
                )
                kind = {200: "ok", 404: "ok", 503: "below_quorum"}.get(sr.status_code, "other")
                strong[kind] += 1
            if got.status_code == 404:
                counts["misses"] += 1
                value = {"id": key, "price": ctx.rng.randint(1, 500), "stock": i % 17}
                put = ctx.client.put(
                    f"/cache/keys/{key}", json={"value": value, "ttl_s": TTL_S}, headers=headers
                )
                counts["puts"] += 1
                counts["errors"] += put.status_code != 200
            elif got.status_code != 200:
                counts["errors"] += 1
        stats = ctx.client.get("/cache/stats", headers=servers[0]).json()
        # The tier reports every few seconds on use; send what is left before ingestion.
        ctx.client.app.state.services["cache"].report()
        ctx.facts[self.name] = {
            **counts,
            "strong_api": strong,
            "trace": trace,
            "quorum": quorum_drill(ctx.rng.randrange(1 << 30)),
            "victim": victim,
            "hit_ratio": stats["hit_ratio"],
            "near_hits": stats["near_hits"],
            "failovers": stats["failovers"],
            "node_errors": stats["node_errors"],
            "entries": {name: n.get("entries") for name, n in stats["nodes"].items()},
        }
        ctx.log(
            f"    {counts['reads']} reads ({counts['misses']} misses loaded and PUT), hit ratio "
            f"{stats['hit_ratio']}, {stats['failovers']} fail-overs while {victim} was down"
        )

    @staticmethod
    def _node(ctx: WorkloadContext, name: str, *, up: bool) -> None:
        ctx.client.put(
            f"/cache/nodes/{name}", json={"up": up}, headers=ctx.admin_headers
        ).raise_for_status()

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        from services.cache.hitratio import hit_ratio_by_owner
        from services.cache.simulator import intern_keys, simulate
        from warehouse.lake import Lake

        facts = ctx.facts.get(self.name, {})
        lines = [
            f"key-value API: {facts.get('reads')} Zipf reads, {facts.get('puts')} PUTs on miss, "
            f"{facts.get('errors')} errors; hit ratio {facts.get('hit_ratio')} (near-cache hits "
            f"{facts.get('near_hits')}); {facts.get('failovers')} fail-overs while "
            f"{facts.get('victim')} was down; entries per node {facts.get('entries')}",
        ]
        trace = intern_keys(facts.get("trace", []))
        if trace:
            size = max(1, len(set(trace)) // 10)
            ratios = {p: simulate(trace, size, p).hit_ratio for p in ("fifo", "lru", "wtinylfu")}
            lines.append(
                f"simulator on this run's {len(trace)} reads at {size} entries: "
                + ", ".join(f"{p} {r:.3f}" for p, r in ratios.items())
            )
        q, api = facts.get("quorum"), facts.get("strong_api")
        if q and api:
            lines.append(
                f"strong consistency (N=3, R=W=2) with {q['down']} down: {q['writes']} writes and "
                f"{q['reads']} reads succeeded, {q['stale']} stale reads, {q['repairs']} read "
                f"repairs once it was back; with both down {q['refused']} calls refused; "
                f"API ?consistency=strong on the 2-replica tier while {facts.get('victim')} was "
                f"down: {api['ok']} answered, {api['below_quorum']} 503 below quorum"
            )
        table = hit_ratio_by_owner(Lake(ctx.settings.lake_dir))
        if table.height:
            lines.append(
                "hit ratio by tier (lake): "
                + ", ".join(
                    f"{r['owner']} {r['hit_ratio']} of {r['lookups']}" for r in table.to_dicts()
                )
            )
        return lines


def quorum_drill(seed: int, keys: int = 50, rounds: int = 4) -> dict[str, Any]:
    """A strong client over three in-process nodes while one replica is down, then back.

    Every read is checked against the last write this drill acknowledged for that key.
    """
    import random

    from services.cache import CacheClient, InProcessNode, QuorumUnavailable

    rng = random.Random(seed)
    nodes = [InProcessNode(f"q{i}", 10_000, "fifo") for i in range(3)]
    client = CacheClient(nodes, replicas=3, consistency="strong", retry_down_after=0.0)
    acked: dict[str, int] = {}
    out = {"down": nodes[0].name, "writes": 0, "reads": 0, "stale": 0, "refused": 0}

    def step(version: int) -> None:
        key = f"k{rng.randrange(keys)}"
        if rng.random() < 0.3:
            client.set(key, version)
            acked[key] = version
            out["writes"] += 1
        else:
            out["stale"] += client.get(key) != acked.get(key)
            out["reads"] += 1

    for v in range(keys):
        client.set(f"k{v}", v)
        acked[f"k{v}"] = v
    nodes[0].down = True
    for v in range(keys, keys * rounds):
        step(v)
    nodes[1].down = True
    for call in (lambda: client.get("k0"), lambda: client.set("k0", -1)):
        try:
            call()
        except QuorumUnavailable:
            out["refused"] += 1
    nodes[1].down = nodes[0].down = False
    acked.pop("k0", None)  # the refused write may or may not have landed
    before = client.metrics.counts["read_repairs"]
    for key, want in acked.items():
        out["stale"] += client.get(key) != want
    out["repairs"] = client.metrics.counts["read_repairs"] - before
    return out


WORKLOAD = CacheWorkload()
