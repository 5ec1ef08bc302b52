"""Which edge serves a client: edges have a region with coordinates, a health checker probes
each edge's ``/healthz``, and the router picks the nearest healthy one (great-circle
distance), so a dead edge's clients fail over to the next nearest.

The registry lives in the ``cdn`` store (SQLite by default) so every API process sees it,
with each edge's purge token in a table of its own (``cdn_edge_tokens``), so nothing that
lists edges can hand a token out by accident.
"""

from __future__ import annotations

import asyncio
import math
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)

#: Named regions and a representative city's coordinates (lat, lon).
REGIONS: dict[str, tuple[float, float]] = {
    "us-east": (38.9, -77.0),
    "us-west": (37.4, -122.1),
    "sa-east": (-23.5, -46.6),
    "eu-west": (53.35, -6.26),
    "eu-central": (50.1, 8.7),
    "af-south": (-33.9, 18.4),
    "ap-south": (19.1, 72.9),
    "ap-southeast": (1.35, 103.8),
    "ap-northeast": (35.7, 139.7),
    "oc-east": (-33.9, 151.2),
}

metadata = MetaData()
edges_table = Table(
    "cdn_edges",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("url", String(300), nullable=False),
    Column("region", String(64), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("role", String(16), nullable=False),
    Column("healthy", Boolean, nullable=False, default=True),
    Column("checked_at", Float, nullable=True),
    Column("last_error", String(300), nullable=True),
)
#: The token the control plane sends to each edge's ``/_cdn/purge`` (the edge's own, never the
#: admin key). Kept in plain text: the control plane has to present it.
edge_tokens_table = Table(
    "cdn_edge_tokens",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("token", String(256), nullable=False, unique=True),
)


@dataclass
class EdgeInfo:
    name: str
    url: str
    region: str
    lat: float
    lon: float
    role: str = "edge"
    healthy: bool = True
    checked_at: float | None = None
    last_error: str | None = None


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


class EdgeRegistry:
    """Edges and their last known health, in the ``cdn`` database (``clock`` stamps checks)."""

    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock
        metadata.create_all(engine)

    def upsert(self, edge: EdgeInfo, token: str) -> None:
        """Add or replace ``edge`` together with its purge token."""
        values = vars(edge).copy()
        with self.engine.begin() as conn:
            conn.execute(delete(edges_table).where(edges_table.c.name == edge.name))
            conn.execute(delete(edge_tokens_table).where(edge_tokens_table.c.name == edge.name))
            conn.execute(insert(edges_table).values(**values))
            conn.execute(insert(edge_tokens_table).values(name=edge.name, token=token))

    def remove(self, name: str) -> bool:
        with self.engine.begin() as conn:
            conn.execute(delete(edge_tokens_table).where(edge_tokens_table.c.name == name))
            return conn.execute(delete(edges_table).where(edges_table.c.name == name)).rowcount > 0

    def tokens(self) -> dict[str, str]:
        """Edge name -> its purge token (edges registered before tokens existed have none)."""
        with self.engine.connect() as conn:
            return {row.name: row.token for row in conn.execute(select(edge_tokens_table))}

    def token_owner(self, token: str) -> str | None:
        """The edge that holds ``token``, if any."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(edge_tokens_table.c.name).where(edge_tokens_table.c.token == token)
            ).scalar_one_or_none()

    def all(self) -> list[EdgeInfo]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(edges_table).order_by(edges_table.c.name)).mappings()
            return [EdgeInfo(**row) for row in rows]

    def close(self) -> None:
        self.engine.dispose()

    def set_health(self, name: str, healthy: bool, error: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(edges_table)
                .where(edges_table.c.name == name)
                .values(healthy=healthy, checked_at=self.clock(), last_error=error)
            )


async def probe(
    edges: list[EdgeInfo], timeout: float = 1.0, verify: ssl.SSLContext | bool = True
) -> dict[str, str | None]:
    """GET each edge's /healthz concurrently: name -> None when healthy, else the reason.
    ``verify`` is the trust for HTTPS edges (``services.cdn.tls``)."""
    if not edges:
        return {}

    async def one(client: httpx.AsyncClient, edge: EdgeInfo) -> tuple[str, str | None]:
        try:
            resp = await client.get(edge.url.rstrip("/") + "/healthz")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return edge.name, f"{type(exc).__name__}: {exc}"[:300]
        return edge.name, None if resp.status_code == 200 else f"status {resp.status_code}"

    async with httpx.AsyncClient(timeout=timeout, trust_env=False, verify=verify) as client:
        results = await asyncio.gather(*(one(client, e) for e in edges))
    return dict(results)


async def check_health(registry: EdgeRegistry, timeout: float = 1.0) -> list[EdgeInfo]:
    """Probe every registered edge and record the result."""
    edges = registry.all()
    results = await probe(edges, timeout)
    for edge in edges:
        error = results.get(edge.name)
        registry.set_health(edge.name, error is None, error)
    return registry.all()


def nearest_healthy(
    edges: list[EdgeInfo], point: tuple[float, float], role: str = "edge"
) -> tuple[EdgeInfo, float] | None:
    """The healthy edge of ``role`` closest to ``point``, with its distance in km."""
    candidates = [
        (haversine_km(point, (e.lat, e.lon)), e.name, e)
        for e in edges
        if e.healthy and e.role == role
    ]
    if not candidates:
        return None
    distance, _, edge = min(candidates)
    return edge, distance
