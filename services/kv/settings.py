"""Key-value store settings (``BLUEPRINT_KV_*``): the cluster's shape and where one runs."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class KvSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_KV_", extra="ignore")

    nodes: int = Field(default=5, ge=1, le=64, description="Nodes in the cluster (n1..nK).")
    vnodes: int = Field(default=64, ge=1, le=1024, description="Virtual nodes per node.")
    n: int = Field(default=3, ge=1, le=16, description="Replicas per key.")
    r: int = Field(default=2, ge=1, le=16, description="Replicas a read waits for.")
    w: int = Field(default=2, ge=1, le=16, description="Replicas a write waits for.")
    consistency: Literal["eventual", "linearizable"] = "eventual"
    seeds: str = Field(
        default="",
        description="Comma-separated host:port of running nodes, for /kv/cluster (empty: none).",
    )
    status_timeout_s: float = Field(default=0.5, gt=0, le=10)
