"""The key-value store seen from the platform: ring ownership and key placement for the
configured cluster shape, the staleness (PBS) the lake's replica latencies predict, and the
live state of a running cluster (its nodes speak RESP; see ``services/kv/node.py``).

The data path is the nodes' Redis protocol, not HTTP: this service is the control plane.
"""

from __future__ import annotations

import redis

from services.errors import Invalid, NotFound
from services.kv.pbs import DEFAULT_T_MS, consistency_probability, replica_latencies
from services.kv.ring import Ring, key_hash
from services.kv.settings import KvSettings
from warehouse.emitter import Emitter
from warehouse.lake import Lake
from warehouse.settings import Settings

NAME = "kv"
MAX_KEY_BYTES = 512


class KvService:
    def __init__(
        self,
        settings: Settings,
        emitter: Emitter,
        conf: KvSettings,
        names: list[str] | None = None,
    ) -> None:
        """``names``: the ring's members as a running node's gossip table shows them (by
        default ``n1..nK`` for the configured shape)."""
        self.settings = settings
        self.emitter = emitter
        self.conf = conf
        self.names = names or [f"n{i + 1}" for i in range(conf.nodes)]
        self.ring = Ring(self.names, conf.vnodes)

    def close(self) -> None:
        """Nothing to release: the nodes are their own processes."""

    @property
    def n(self) -> int:
        return min(self.conf.n, len(self.names))

    def ring_shares(self) -> list[dict]:
        """Per node: the token ranges it holds a replica of and its share of the hash space."""
        space = 1 << 64
        sizes = [
            (t - self.ring.tokens[i - 1]) % space if i else (t + space - self.ring.tokens[-1])
            for i, t in enumerate(self.ring.tokens)
        ]
        out = []
        for name in self.names:
            ranges = self.ring.ranges_of(name, self.n)
            primary = sum(sizes[i] for i, o in enumerate(self.ring.owners) if o == name)
            out.append(
                {
                    "name": name,
                    "ranges": len(ranges),
                    "primary_share": round(primary / space, 4),
                    "replica_share": round(sum(sizes[i] for i in ranges) / space, 4),
                }
            )
        return out

    def placement(self, key: str) -> dict:
        try:
            raw = key.encode("utf-8")
        except UnicodeEncodeError:
            raise Invalid("the key must be valid UTF-8 text") from None
        if not raw or len(raw) > MAX_KEY_BYTES:
            raise Invalid(f"the key must be 1 to {MAX_KEY_BYTES} bytes")
        return {
            "key": key,
            "hash": key_hash(raw),
            "range": self.ring.range_of(raw),
            "replicas": self.ring.preference_list(raw, self.n),
        }

    def staleness(self, n: int, r: int, w: int) -> dict:
        if not (1 <= r <= n and 1 <= w <= n):
            raise Invalid("need 1 <= r, w <= n")
        writes, reads = replica_latencies(Lake(self.settings.lake_dir))
        if not writes or not reads:
            raise NotFound("no replica latencies in the lake yet: run the kv workload, then ingest")
        probs = consistency_probability(writes, reads, n, r, w, DEFAULT_T_MS)
        return {
            "n": n,
            "r": r,
            "w": w,
            "samples": {"write": len(writes), "read": len(reads)},
            "points": [
                {"t_ms": t, "p_consistent": round(p, 4)}
                for t, p in zip(DEFAULT_T_MS, probs, strict=True)
            ],
        }

    def cluster(self) -> dict:
        """Each configured seed's view: node states and its counters (or why it is silent)."""
        nodes = []
        for seed in filter(None, (s.strip() for s in self.conf.seeds.split(","))):
            host, _, port = seed.rpartition(":")
            entry: dict = {"address": seed, "reachable": False, "ring": {}, "stats": {}}
            try:
                client = redis.Redis(
                    host=host,
                    port=int(port),
                    socket_timeout=self.conf.status_timeout_s,
                    socket_connect_timeout=self.conf.status_timeout_s,
                    protocol=2,
                )
                with client:
                    ring = client.execute_command("KV.RING")
                    flat = client.execute_command("KV.STATS")
                entry["reachable"] = True
                entry["ring"] = {n.decode(): s.decode() for n, s in ring}
                entry["stats"] = {
                    k.decode(): int(v) for k, v in zip(flat[::2], flat[1::2], strict=True)
                }
            except (redis.RedisError, OSError, ValueError) as exc:
                entry["error"] = type(exc).__name__
            nodes.append(entry)
        return {"configured": bool(nodes), "nodes": nodes}
