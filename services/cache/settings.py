"""Cache settings (``BLUEPRINT_CACHE_*``): every cache tier's shape, and the cache API's limits."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CacheSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_CACHE_", extra="ignore")

    nodes: int = Field(default=3, ge=1, description="In-process nodes per tier (embedded).")
    node_capacity: int = Field(default=50_000, ge=1, description="Entries per in-process node.")
    policy: str = Field(
        default="wtinylfu",
        description="Eviction policy of in-process nodes: fifo, lru, lfu or wtinylfu.",
    )
    replicas: int = Field(default=2, ge=1, description="Nodes holding each key.")
    consistency: Literal["eventual", "strong"] = Field(
        default="eventual",
        description=(
            "Default consistency of a tier's client: eventual (R=W=1, failover, near-cache) or "
            "strong (quorums with R + W > N, read repair; no stale reads, N hops per read)."
        ),
    )
    read_quorum: int | None = Field(
        default=None, ge=1, description="R of a strong client (default: a majority of replicas)."
    )
    write_quorum: int | None = Field(
        default=None, ge=1, description="W of a strong client (default: a majority of replicas)."
    )
    tombstone_ttl_s: float = Field(
        default=86_400.0,
        gt=0,
        description="How long a strong delete's tombstone outlives stale copies on replicas.",
    )
    vnodes: int = Field(default=160, ge=1, description="Virtual nodes per node on the ring.")
    near_cache_size: int = Field(default=256, ge=0, description="Hot keys kept in-process.")
    report_interval_s: float = Field(
        default=10.0, gt=0, description="How often a tier's hit/miss counts go to the lake."
    )
    default_ttl_s: float = Field(
        default=3600.0, gt=0, description="TTL of a value PUT through the cache API without one."
    )
    max_ttl_s: float = Field(default=7 * 86400.0, gt=0, description="Longest TTL the API takes.")
    max_value_bytes: int = Field(
        default=64 * 1024, ge=1, description="Largest value (as JSON) the cache API stores."
    )
