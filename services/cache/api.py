"""Cache routes: the tier's stats and placement, a key-value face, and node fault drills.

``/cache/keys/{key}`` stores JSON values with a TTL in the cache system's own tier, per
caller, so the tier can be used and measured through its API (``/cache/stats`` shows the hit
ratio that results). ``?consistency=strong`` makes one call a quorum call (no stale read,
503 when a quorum is out of reach); ``eventual`` is the fast path with fail-over; without it
the tier's ``BLUEPRINT_CACHE_CONSISTENCY`` applies.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from services.cache.service import MAX_KEY_CHARS, CacheService
from services.deps import AdminUser, CurrentUser, system_service

router = APIRouter(prefix="/cache", tags=["cache"])
CacheDep = Annotated[CacheService, system_service("cache")]
KeyPath = Annotated[str, Path(min_length=1, max_length=MAX_KEY_CHARS)]
ConsistencyQuery = Annotated[
    Literal["eventual", "strong"] | None,
    Query(
        description=(
            "eventual: one replica, fail-over, may be stale; strong: R of N replicas answer and "
            "the newest wins (never older than an acknowledged write), 503 below quorum. "
            "Default: the tier's BLUEPRINT_CACHE_CONSISTENCY."
        )
    ),
]


class CacheStats(BaseModel):
    hits: int
    misses: int
    near_hits: int
    loads: int
    coalesced: int
    sets: int
    failovers: int
    node_errors: int
    hit_ratio: float | None
    replicas: int
    consistency: str
    read_quorum: int
    write_quorum: int
    read_repairs: int
    quorum_failures: int
    vnodes: int
    near_cache_entries: int
    nodes: dict[str, dict[str, Any]]
    down: list[str]


class Owners(BaseModel):
    key: str
    replicas: list[str]


class ValueIn(BaseModel):
    value: Any = Field(description="Any JSON value.")
    ttl_s: float | None = Field(
        default=None,
        gt=0,
        description="Seconds to keep it (default BLUEPRINT_CACHE_DEFAULT_TTL_S).",
    )


class Stored(BaseModel):
    key: str
    ttl_s: float
    replicas: int = Field(description="Replicas that took the write.")


class ValueOut(BaseModel):
    key: str
    value: Any


class NodeStateIn(BaseModel):
    up: bool


class NodeState(BaseModel):
    name: str
    up: bool
    entries: int | None = None
    evictions: int | None = None
    expired: int | None = None


@router.get("/stats", response_model=CacheStats, operation_id="cache_stats")
def cache_stats(svc: CacheDep, _user: CurrentUser) -> CacheStats:
    """Hit ratio, fail-overs and per-node entries/evictions of the cache system's tier."""
    return CacheStats(**svc.stats())


@router.get("/owners/{key}", response_model=Owners, operation_id="cache_owners")
def cache_owners(key: KeyPath, svc: CacheDep, _admin: AdminUser) -> Owners:
    """Which nodes hold ``key`` (owner first): handy when a node is being drained."""
    return Owners(key=key, replicas=svc.owners(key))


@router.get("/keys/{key}", response_model=ValueOut, operation_id="cache_get")
def cache_get(
    key: KeyPath, svc: CacheDep, user: CurrentUser, consistency: ConsistencyQuery = None
) -> ValueOut:
    """The value you stored under ``key``; 404 once it expired or was evicted."""
    return ValueOut(key=key, value=svc.get(user.user_id, key, consistency))


@router.put("/keys/{key}", response_model=Stored, operation_id="cache_put")
def cache_put(
    key: KeyPath,
    body: ValueIn,
    svc: CacheDep,
    user: CurrentUser,
    consistency: ConsistencyQuery = None,
) -> Stored:
    """Store a JSON value under ``key`` for ``ttl_s`` seconds, on every live replica."""
    acks, ttl = svc.put(user.user_id, key, body.value, body.ttl_s, consistency)
    return Stored(key=key, ttl_s=ttl, replicas=acks)


@router.delete("/keys/{key}", status_code=204, operation_id="cache_delete")
def cache_delete(
    key: KeyPath, svc: CacheDep, user: CurrentUser, consistency: ConsistencyQuery = None
) -> None:
    """Drop ``key`` (204 whether or not it was there)."""
    svc.delete(user.user_id, key, consistency)


@router.put("/nodes/{name}", response_model=NodeState, operation_id="cache_set_node_state")
def cache_set_node(name: str, body: NodeStateIn, svc: CacheDep, admin: AdminUser) -> NodeState:
    """Fault drill: take an in-process node down (reads fail over) or bring it back."""
    return NodeState(**svc.set_node_up(name, body.up, actor=admin.user_id))
