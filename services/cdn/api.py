"""CDN control plane routes: register edges, watch their health, route clients to the nearest
healthy edge, and purge by URL or prefix across all edges and shields.

The edges themselves are separate processes (``services.cdn.run``); the background health
probe is a task of this app's event loop, started and stopped here, run by the service.

Who may call what: clients need no key for ``/cdn/route`` and ``/cdn/regions`` (that is how
they find an edge). Everything else is the control plane and needs the admin key, listing
edges included: the list holds every edge's and shield's internal address and raw health
errors, which clients never need. Edge tokens are write-only: given (or generated and shown
once) at registration, never listed.
"""

from __future__ import annotations

from typing import Annotated, Literal

import httpx
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, Field, field_validator, model_validator

from services.cdn.preload import MAX_PATHS
from services.cdn.routing import EdgeInfo
from services.cdn.service import TOKEN_PATTERN, CdnService
from services.deps import AdminUser, system_service

router = APIRouter(prefix="/cdn", tags=["cdn"])
CdnDep = Annotated[CdnService, system_service("cdn")]


async def startup(app: FastAPI) -> None:
    app.state.services["cdn"].start_probing()


async def shutdown(app: FastAPI) -> None:
    await app.state.services["cdn"].stop_probing()


class EdgeIn(BaseModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    # No control characters in the host: httpx refuses such URLs when the edge is probed.
    url: str = Field(pattern=r"^https?://[^\s/\x00-\x1f\x7f]+(:\d+)?/?$", max_length=300)
    region: str = Field(min_length=1, max_length=64)

    @field_validator("url")
    @classmethod
    def _probeable(cls, url: str) -> str:
        """The URL the platform will probe: what httpx cannot request (an invalid IDNA
        host, say) is refused here, not found later by the health checks."""
        try:
            httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise ValueError(f"not a usable URL: {exc}") from exc
        return url

    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    role: Literal["edge", "shield"] = "edge"
    token: str | None = Field(
        default=None,
        pattern=TOKEN_PATTERN,
        description="The purge token this edge process was started with (its own, never the "
        "admin key). Leave it out to have one generated: the answer then shows it, once.",
    )


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


class RegisteredEdgeOut(EdgeOut):
    token: str | None = Field(
        description="The generated purge token, shown only now: configure the edge process "
        "with it. Null when the request gave the token."
    )


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


class PreloadIn(BaseModel):
    paths: list[Annotated[str, Field(min_length=1, max_length=2000, pattern=r"^/([^/]|$)")]] = (
        Field(min_length=1, max_length=MAX_PATHS)
    )
    edges: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None,
        max_length=100,
        description="Edge (or shield) names to warm; default: every edge, not the shields.",
    )


class PreloadPath(BaseModel):
    path: str
    result: Literal["stored", "not-cacheable", "error"]
    status: int


class PreloadEdge(BaseModel):
    edge: str
    ok: bool
    paths: list[PreloadPath]
    error: str | None


class PreloadOut(BaseModel):
    results: list[PreloadEdge]


def _out(edge: EdgeInfo) -> EdgeOut:
    return EdgeOut(**vars(edge))


#: ``[lat, lon]``: a list of exactly two numbers (a tuple would give ``prefixItems``, which
#: OpenAPI 3.1 tooling rejects in response schemas).
LatLon = Annotated[list[float], Field(min_length=2, max_length=2)]


@router.get("/regions", response_model=dict[str, LatLon], operation_id="cdn_regions")
def regions(svc: CdnDep) -> dict[str, list[float]]:
    """Known region names and their coordinates ``[lat, lon]``."""
    return {name: list(point) for name, point in svc.regions().items()}


@router.post(
    "/edges",
    response_model=RegisteredEdgeOut,
    status_code=201,
    operation_id="cdn_register_edge",
)
def register_edge(body: EdgeIn, svc: CdnDep, admin: AdminUser) -> RegisteredEdgeOut:
    """Add (or replace) an edge or shield with its purge token; coordinates default to its
    region's. 422 when the token is the admin key, 409 when another edge holds it."""
    done = svc.register(
        name=body.name,
        url=body.url,
        region=body.region,
        role=body.role,
        lat=body.lat,
        lon=body.lon,
        token=body.token,
        actor=admin.user_id,
    )
    return RegisteredEdgeOut(**vars(done.edge), token=done.token)


@router.get("/edges", response_model=list[EdgeOut], operation_id="cdn_list_edges")
def list_edges(svc: CdnDep, _admin: AdminUser) -> list[EdgeOut]:
    """Every registered edge with its last health-check result (admin only; no tokens)."""
    return [_out(e) for e in svc.edges()]


@router.delete("/edges/{name}", status_code=204, operation_id="cdn_remove_edge")
def remove_edge(name: str, svc: CdnDep, admin: AdminUser) -> None:
    svc.remove(name, actor=admin.user_id)


@router.post("/health/check", response_model=list[EdgeOut], operation_id="cdn_check_health")
async def probe_now(svc: CdnDep, _admin: AdminUser) -> list[EdgeOut]:
    """Probe every edge's /healthz now (the background loop does it every few seconds)."""
    return [_out(e) for e in await svc.check_health()]


@router.get("/stats", response_model=dict[str, dict], operation_id="cdn_edge_stats")
async def stats(svc: CdnDep, _admin: AdminUser) -> dict[str, dict]:
    """Live cache counters of every reachable edge."""
    return await svc.edge_stats()


@router.get("/route", response_model=RouteOut, operation_id="cdn_route")
async def route(
    svc: CdnDep,
    region: str | None = Query(default=None, max_length=64),
    lat: float | None = Query(default=None, ge=-90, le=90),
    lon: float | None = Query(default=None, ge=-180, le=180),
    path: str | None = Query(default=None, max_length=2000, pattern=r"^/"),
) -> RouteOut:
    """The nearest healthy edge for a client in ``region`` (or at ``lat``/``lon``); with
    ``path``, ``location`` is the full URL to fetch there."""
    found = await svc.route(region=region, lat=lat, lon=lon, path=path)
    return RouteOut(
        edge=found.edge.name,
        url=found.edge.url,
        region=found.edge.region,
        distance_km=found.distance_km,
        location=found.location,
    )


@router.post("/purge", response_model=PurgeOut, operation_id="cdn_purge")
async def purge(body: PurgeIn, svc: CdnDep, admin: AdminUser) -> PurgeOut:
    """Purge a URL or a prefix on every shield, then every edge."""
    done = await svc.purge(url=body.url, prefix=body.prefix, actor=admin.user_id)
    return PurgeOut(target=done.target, results=[PurgeResult(**r) for r in done.results])


@router.post("/preload", response_model=PreloadOut, operation_id="cdn_preload")
async def preload(body: PreloadIn, svc: CdnDep, admin: AdminUser) -> PreloadOut:
    """Warm paths on chosen edges before clients ask: each edge fetches them through its own
    cache (the origin's cache rules apply) and reports stored, not-cacheable or error."""
    results = await svc.preload(body.paths, names=body.edges, actor=admin.user_id)
    return PreloadOut(results=[PreloadEdge(**r) for r in results])
