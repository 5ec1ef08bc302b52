"""Cache traffic: an application uses the cache system's key-value API cache-aside.

Several app servers (API keys of one user, so one namespace) read keys with Zipf popularity;
a miss is "loaded" and PUT with a TTL, as an application in front of a database would. Halfway
through, one node is taken down through the admin API: reads fail over to the other replica
and writes go to the survivors; then it comes back. The hit ratio, fail-overs and per-node
counters are read back from ``/cache/stats``, and the tier's counts are reported to the lake,
where the ``cache_hit_ratio`` asset reads them.
"""

from __future__ import annotations

import bisect
import itertools
import math

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
        for i in range(reads):
            if i == reads // 3:
                self._node(ctx, victim, up=False)
            elif i == 2 * reads // 3:
                self._node(ctx, victim, up=True)
            headers = servers[i % len(servers)]
            key = f"item-{bisect.bisect(cdf, ctx.rng.random() * cdf[-1])}"
            got = ctx.client.get(f"/cache/keys/{key}", headers=headers)
            counts["reads"] += 1
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
        from warehouse.lake import Lake

        facts = ctx.facts.get(self.name, {})
        lines = [
            f"key-value API: {facts.get('reads')} Zipf reads, {facts.get('puts')} PUTs on miss, "
            f"{facts.get('errors')} errors; hit ratio {facts.get('hit_ratio')} (near-cache hits "
            f"{facts.get('near_hits')}); {facts.get('failovers')} fail-overs while "
            f"{facts.get('victim')} was down; entries per node {facts.get('entries')}",
        ]
        table = hit_ratio_by_owner(Lake(ctx.settings.lake_dir))
        if table.height:
            lines.append(
                "hit ratio by tier (lake): "
                + ", ".join(
                    f"{r['owner']} {r['hit_ratio']} of {r['lookups']}" for r in table.to_dicts()
                )
            )
        return lines


WORKLOAD = CacheWorkload()
