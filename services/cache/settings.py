"""Cache knobs, read from ``BLUEPRINT_CACHE_*`` environment variables."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class CacheSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_CACHE_", extra="ignore")

    nodes: int = 3
    node_capacity: int = 50_000
    policy: str = "wtinylfu"
    replicas: int = 2
    vnodes: int = 160
    near_cache_size: int = 256
    report_interval_s: float = 10.0
