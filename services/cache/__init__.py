"""Distributed cache (system 9): a client over consistent-hashed nodes, and its simulator.

Embedded default: three in-process nodes. Scale-out: ``BLUEPRINT_REDIS_URL`` set to one or more
comma-separated Redis URLs makes each server a node behind the same client.

Consistency per client: ``BLUEPRINT_CACHE_CONSISTENCY`` (eventual or strong, with
``BLUEPRINT_CACHE_READ_QUORUM``/``WRITE_QUORUM``) sets every tier's default; see
``services.cache.client`` for the guarantees and their cost, and ``with_consistency`` for a
client of the other kind over the same nodes.

``build_cache`` is how every system's composition root makes its own cache tier; the cache
system's own service (its API: stats, owners, a key-value face) is built by
``services.cache.system.build``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from services.cache.client import CacheClient, CacheUnavailable, QuorumUnavailable
from services.cache.metrics import CacheMetrics
from services.cache.nodes import InProcessNode, NodeDown, RedisNode
from services.cache.settings import CacheSettings

__all__ = [
    "CacheClient",
    "CacheMetrics",
    "CacheSettings",
    "CacheUnavailable",
    "InProcessNode",
    "NodeDown",
    "QuorumUnavailable",
    "RedisNode",
    "build_cache",
]


def build_cache(
    settings: Any,
    emitter: Any = None,
    *,
    name: str = "platform",
    clock: Callable[[], float] = time.monotonic,
    conf: CacheSettings | None = None,
) -> CacheClient:
    """A cache tier as configured (Redis servers, else in-process nodes), for one owner.

    Each system's composition root builds its own, named after the system: its hit ratios
    reach the lake under that name. Scaled out, all of them share the Redis servers.
    """
    conf = conf or CacheSettings()
    metrics = CacheMetrics(emitter, interval=conf.report_interval_s, name=name)
    urls = [u.strip() for u in (settings.redis_url or "").split(",") if u.strip()]
    if urls:
        nodes: list[Any] = [RedisNode(f"redis-{i}", u) for i, u in enumerate(urls)]
    else:
        nodes = [
            InProcessNode(f"node-{i}", conf.node_capacity, conf.policy, clock=clock)
            for i in range(conf.nodes)
        ]
    return CacheClient(
        nodes,
        replicas=conf.replicas,
        vnodes=conf.vnodes,
        near_cache_size=conf.near_cache_size,
        metrics=metrics,
        clock=clock,
        consistency=conf.consistency,
        read_quorum=conf.read_quorum,
        write_quorum=conf.write_quorum,
        tombstone_ttl=conf.tombstone_ttl_s,
    )
