"""Key-value store routes: ring ownership, a key's placement, predicted staleness (PBS) and
a running cluster's state. Data goes through the nodes' Redis protocol, not these routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from services.deps import CurrentUser, system_service
from services.kv.service import MAX_KEY_BYTES, KvService

router = APIRouter(prefix="/kv", tags=["kv"])
KvDep = Annotated[KvService, system_service("kv")]
Quorum = Annotated[int, Query(ge=1, le=16)]


class NodeShare(BaseModel):
    name: str
    ranges: int
    primary_share: float
    replica_share: float


class RingOut(BaseModel):
    n: int
    vnodes: int
    nodes: list[NodeShare]


class PlacementOut(BaseModel):
    key: str
    hash: int
    range: int
    replicas: list[str]


class StalenessPoint(BaseModel):
    t_ms: float
    p_consistent: float


class StalenessOut(BaseModel):
    n: int
    r: int
    w: int
    samples: dict[str, int]
    points: list[StalenessPoint]


class NodeStatus(BaseModel):
    address: str
    reachable: bool
    ring: dict[str, str]
    stats: dict[str, int]
    error: str | None = None


class ClusterOut(BaseModel):
    configured: bool
    nodes: list[NodeStatus]


@router.get("/ring", response_model=RingOut, operation_id="kv_ring")
def kv_ring(svc: KvDep, _user: CurrentUser) -> RingOut:
    """Each node's token ranges and share of the hash space, primary and as a replica."""
    return RingOut(n=svc.n, vnodes=svc.conf.vnodes, nodes=svc.ring_shares())


@router.get("/placement/{key}", response_model=PlacementOut, operation_id="kv_placement")
def kv_placement(
    svc: KvDep,
    _user: CurrentUser,
    key: Annotated[str, Path(min_length=1, max_length=MAX_KEY_BYTES)],
) -> PlacementOut:
    """The token range a key falls in and its preference list (its N replicas in order)."""
    return PlacementOut(**svc.placement(key))


@router.get("/staleness", response_model=StalenessOut, operation_id="kv_staleness")
def kv_staleness(
    svc: KvDep, _user: CurrentUser, n: Quorum = 3, r: Quorum = 1, w: Quorum = 1
) -> StalenessOut:
    """P(a read t ms after a write's commit sees it) for (N, R, W), from logged latencies."""
    return StalenessOut(**svc.staleness(n, r, w))


@router.get("/cluster", response_model=ClusterOut, operation_id="kv_cluster")
def kv_cluster(svc: KvDep, _user: CurrentUser) -> ClusterOut:
    """The node states and counters of the running cluster at ``BLUEPRINT_KV_SEEDS``."""
    return ClusterOut(**svc.cluster())
