"""Admin and stats routes of the cache tier."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.cache import get_cache
from services.deps import AdminUser, CurrentUser

router = APIRouter(prefix="/cache", tags=["cache"])


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
    vnodes: int
    near_cache_entries: int
    nodes: dict[str, dict[str, Any]]
    down: list[str]


class Owners(BaseModel):
    key: str
    replicas: list[str]


@router.get("/stats", response_model=CacheStats, operation_id="cache_stats")
def cache_stats(request: Request, _user: CurrentUser) -> CacheStats:
    """Hit ratio, fail-overs and per-node entries/evictions of the shared cache client."""
    return CacheStats(**get_cache(request.app).stats())


@router.get("/owners/{key}", response_model=Owners, operation_id="cache_owners")
def cache_owners(key: str, request: Request, _admin: AdminUser) -> Owners:
    """Which nodes hold ``key`` (owner first): handy when a node is being drained."""
    return Owners(key=key, replicas=get_cache(request.app).replicas_for(key))


async def startup(app) -> None:
    get_cache(app)


async def shutdown(app) -> None:
    cache = getattr(app.state, "cache", None)
    if cache is not None:
        cache.close()
        app.state.cache = None
