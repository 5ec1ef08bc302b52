"""CDN control plane: register edges, watch their health, route clients to the nearest
healthy edge, and purge by URL or prefix across all edges and shields."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from pydantic import BaseModel, Field, model_validator

from services.cdn.control import edge_stats, fan_out_purge
from services.cdn.routing import REGIONS, EdgeInfo, EdgeRegistry, check_health, nearest_healthy
from services.db import make_engine
from services.deps import AdminUser, EmitterDep, SettingsDep

router = APIRouter(prefix="/cdn", tags=["cdn"])

#: Seconds between background health probes; routing re-probes when data is older than 2x.
PROBE_SECONDS = 5.0


def registry(request: Request) -> EdgeRegistry:
    state = request.app.state
    if getattr(state, "cdn_registry", None) is None:
        state.cdn_registry = EdgeRegistry(make_engine(state.settings, "cdn"))
    return state.cdn_registry


async def startup(app: FastAPI) -> None:
    app.state.cdn_registry = EdgeRegistry(make_engine(app.state.settings, "cdn"))

    async def loop() -> None:
        while True:
            await asyncio.sleep(PROBE_SECONDS)
            with contextlib.suppress(Exception):
                await check_health(app.state.cdn_registry)

    app.state.cdn_probe_task = asyncio.get_running_loop().create_task(loop())


async def shutdown(app: FastAPI) -> None:
    task = getattr(app.state, "cdn_probe_task", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class EdgeIn(BaseModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    url: str = Field(pattern=r"^https?://[^\s/]+(:\d+)?/?$", max_length=300)
    region: str = Field(min_length=1, max_length=64)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    role: Literal["edge", "shield"] = "edge"


class EdgeOut(BaseModel):
    name: str
    url: str
    region: str
    lat: float
    lon: float
    role: str
    healthy: bool
    checked_at: float | None
    last_error: str | None


class RouteOut(BaseModel):
    edge: str
    url: str
    region: str
    distance_km: float
    location: str | None


class PurgeIn(BaseModel):
    url: str | None = Field(default=None, max_length=2000)
    prefix: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def one_target(self) -> PurgeIn:
        given = [v for v in (self.url, self.prefix) if v is not None]
        if len(given) != 1 or not given[0].startswith("/"):
            raise ValueError("give exactly one of 'url' or 'prefix', starting with '/'")
        return self


class PurgeResult(BaseModel):
    edge: str
    ok: bool
    purged: int
    error: str | None


class PurgeOut(BaseModel):
    target: str
    results: list[PurgeResult]


def _out(edge: EdgeInfo) -> EdgeOut:
    return EdgeOut(**vars(edge))


@router.get("/regions", response_model=dict[str, tuple[float, float]], operation_id="cdn_regions")
def regions() -> dict[str, tuple[float, float]]:
    """Known region names and their coordinates (lat, lon)."""
    return REGIONS


@router.post("/edges", response_model=EdgeOut, status_code=201, operation_id="cdn_register_edge")
def register_edge(body: EdgeIn, request: Request, admin: AdminUser, emitter: EmitterDep) -> EdgeOut:
    """Add (or replace) an edge or shield; coordinates default to its region's."""
    if body.lat is None or body.lon is None:
        if body.region not in REGIONS:
            raise HTTPException(
                422, f"unknown region {body.region!r}: give lat/lon or one of {sorted(REGIONS)}"
            )
        lat, lon = REGIONS[body.region]
    else:
        lat, lon = body.lat, body.lon
    edge = EdgeInfo(body.name, body.url.rstrip("/"), body.region, lat, lon, body.role)
    registry(request).upsert(edge)
    emitter.emit(
        "cdn",
        "edge_registered",
        actor=admin.user_id,
        entity=edge.name,
        attrs={"region": edge.region, "role": edge.role, "url": edge.url},
    )
    return _out(edge)


@router.get("/edges", response_model=list[EdgeOut], operation_id="cdn_list_edges")
def list_edges(request: Request) -> list[EdgeOut]:
    """Every registered edge with its last health-check result."""
    return [_out(e) for e in registry(request).all()]


@router.delete("/edges/{name}", status_code=204, operation_id="cdn_remove_edge")
def remove_edge(name: str, request: Request, admin: AdminUser) -> None:
    if not registry(request).remove(name):
        raise HTTPException(404, f"no edge named {name!r}")


@router.post("/health/check", response_model=list[EdgeOut], operation_id="cdn_check_health")
async def probe_now(request: Request, admin: AdminUser) -> list[EdgeOut]:
    """Probe every edge's /healthz now (the background loop does it every few seconds)."""
    return [_out(e) for e in await check_health(registry(request))]


@router.get("/stats", response_model=dict[str, dict], operation_id="cdn_edge_stats")
async def stats(request: Request, admin: AdminUser) -> dict[str, dict]:
    """Live cache counters of every reachable edge."""
    return await edge_stats(registry(request).all())


@router.get("/route", response_model=RouteOut, operation_id="cdn_route")
async def route(
    request: Request,
    emitter: EmitterDep,
    region: str | None = Query(default=None, max_length=64),
    lat: float | None = Query(default=None, ge=-90, le=90),
    lon: float | None = Query(default=None, ge=-180, le=180),
    path: str | None = Query(default=None, max_length=2000, pattern=r"^/"),
) -> RouteOut:
    """The nearest healthy edge for a client in ``region`` (or at ``lat``/``lon``)."""
    if lat is not None and lon is not None:
        point = (lat, lon)
    elif region is not None:
        if region not in REGIONS:
            raise HTTPException(422, f"unknown region {region!r}: one of {sorted(REGIONS)}")
        point = REGIONS[region]
    else:
        raise HTTPException(422, "give a region, or both lat and lon")
    reg = registry(request)
    edges = reg.all()
    if any(e.checked_at is None or time.time() - e.checked_at > 2 * PROBE_SECONDS for e in edges):
        edges = await check_health(reg)
    found = nearest_healthy(edges, point)
    if found is None:
        raise HTTPException(503, "no healthy edge is registered")
    edge, distance = found
    emitter.emit(
        "cdn",
        "route",
        entity=edge.name,
        attrs={"region": region, "edge_region": edge.region, "distance_km": round(distance, 1)},
    )
    location = edge.url + path if path else None
    return RouteOut(
        edge=edge.name,
        url=edge.url,
        region=edge.region,
        distance_km=round(distance, 1),
        location=location,
    )


@router.post("/purge", response_model=PurgeOut, operation_id="cdn_purge")
async def purge(
    body: PurgeIn, request: Request, admin: AdminUser, settings: SettingsDep, emitter: EmitterDep
) -> PurgeOut:
    """Purge a URL or a prefix on every shield, then every edge."""
    results = await fan_out_purge(
        registry(request).all(), url=body.url, prefix=body.prefix, token=settings.admin_api_key
    )
    target = body.url or body.prefix or ""
    emitter.emit(
        "cdn",
        "purge",
        actor=admin.user_id,
        entity=target,
        attrs={
            "kind": "url" if body.url else "prefix",
            "purged": sum(r["purged"] for r in results),
            "failed": [r["edge"] for r in results if not r["ok"]],
        },
    )
    return PurgeOut(target=target, results=[PurgeResult(**r) for r in results])
