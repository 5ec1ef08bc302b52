"""The CDN control plane: the edge registry, health probing, nearest-healthy routing and purge.

Edges and shields are separate processes (``services.cdn.edge``); this service knows where
they are (the ``cdn`` store, shared by every API process), probes their ``/healthz``, sends
each client to the nearest healthy edge, and fans purges out to them, shields first. Every
change and every routing decision is an event in the lake.

Each edge has a purge token of its own: the one its process was started with, given when the
edge is registered, or one the control plane generates at registration (shown once, for the
operator to configure the edge with). Purges go to each edge with that edge's token, so a
leaked edge token purges one edge only, and the admin API key never leaves the control plane.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
import secrets
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dns.rcode

from services.auth import hash_key
from services.cdn.control import edge_stats, fan_out_preload, fan_out_purge
from services.cdn.dns import Answer, DnsRouter, SubnetMap
from services.cdn.preload import bad_paths
from services.cdn.routing import REGIONS, EdgeInfo, EdgeRegistry, nearest_healthy, probe
from services.cdn.settings import CdnSettings
from services.errors import Conflict, Invalid, NotFound, Unavailable
from warehouse.emitter import Emitter

NAME = "cdn"
ROLES = ("edge", "shield")
#: What an edge token may look like: 16 to 256 URL-safe or base64 characters (a header value).
_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]{16,256}")
TOKEN_PATTERN = f"^{_TOKEN.pattern}$"


def new_edge_token() -> str:
    """A fresh 256-bit edge token."""
    return secrets.token_urlsafe(32)


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    """Where a client should go: the edge, how far it is, and the full URL when a path was
    given."""

    edge: EdgeInfo
    distance_km: float
    location: str | None


@dataclass(frozen=True)
class Registered:
    """A registered edge; ``token`` is set only when the control plane generated it (the one
    time it is shown)."""

    edge: EdgeInfo
    token: str | None


@dataclass(frozen=True)
class Purge:
    """What one purge did on each edge (``results``: edge, ok, purged, error)."""

    target: str
    results: list[dict]


class CdnService:
    """Owns the edge registry (with each edge's purge token), the probe task and the clock.

    ``admin_key_hash`` (``services.auth.hash_key`` of the admin API key) is only there to
    refuse the admin key as an edge's token.
    """

    def __init__(
        self,
        registry: EdgeRegistry,
        emitter: Emitter,
        *,
        conf: CdnSettings,
        admin_key_hash: str | None = None,
        clock: Callable[[], float] = time.time,
        edge_ca: Path | None = None,
    ) -> None:
        self.registry = registry
        self.emitter = emitter
        self.conf = conf
        self.admin_key_hash = admin_key_hash
        self.clock = clock
        self.edge_ca = edge_ca
        self._probe_task: asyncio.Task | None = None

    def edge_trust(self) -> ssl.SSLContext | bool:
        """How the control plane verifies HTTPS edges: the system's roots plus the CDN's local
        CA (``services.cdn.tls``) once it exists."""
        if self.edge_ca is None or not self.edge_ca.exists():
            return True
        context = ssl.create_default_context()
        context.load_verify_locations(cafile=str(self.edge_ca))
        return context

    def close(self) -> None:
        if self._probe_task is not None:
            self._probe_task.cancel()
            self._probe_task = None
        self.registry.close()

    # -- registry ----------------------------------------------------------------------------
    @staticmethod
    def regions() -> dict[str, tuple[float, float]]:
        """Known region names and their coordinates (lat, lon)."""
        return REGIONS

    def register(
        self,
        *,
        name: str,
        url: str,
        region: str,
        role: str = "edge",
        lat: float | None = None,
        lon: float | None = None,
        token: str | None = None,
        actor: str | None = None,
    ) -> Registered:
        """Add (or replace) an edge or shield; coordinates default to its region's.

        ``token`` is the purge token the edge process was configured with; without one, a
        new token is generated and returned (once) in :class:`Registered`. The admin key is
        refused as a token (422), and so is another edge's token (409).
        """
        if role not in ROLES:
            raise Invalid(f"role must be one of {list(ROLES)}")
        if lat is None or lon is None:
            lat, lon = self._point(region)
        generated = token is None
        token = new_edge_token() if token is None else self._check_token(name, token)
        edge = EdgeInfo(name, url.rstrip("/"), region, lat, lon, role)
        self.registry.upsert(edge, token)
        self.emitter.emit(
            NAME,
            "edge_registered",
            actor=actor,
            entity=edge.name,
            attrs={"region": edge.region, "role": edge.role, "url": edge.url},
        )
        return Registered(edge, token if generated else None)

    def _check_token(self, name: str, token: str) -> str:
        if not _TOKEN.fullmatch(token):
            raise Invalid("an edge token has 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -")
        if self.admin_key_hash is not None and hmac.compare_digest(
            hash_key(token), self.admin_key_hash
        ):
            raise Invalid("an edge token must be the edge's own, never the admin API key")
        owner = self.registry.token_owner(token)
        if owner is not None and owner != name:
            raise Conflict("that token belongs to another edge: give each edge its own")
        return token

    def edges(self) -> list[EdgeInfo]:
        """Every registered edge with its last health-check result."""
        return self.registry.all()

    def remove(self, name: str, *, actor: str | None = None) -> None:
        if not self.registry.remove(name):
            raise NotFound(f"no edge named {name!r}")
        self.emitter.emit(NAME, "edge_removed", actor=actor, entity=name)

    @staticmethod
    def _point(region: str) -> tuple[float, float]:
        try:
            return REGIONS[region]
        except KeyError:
            raise Invalid(
                f"unknown region {region!r}: give lat/lon or one of {sorted(REGIONS)}"
            ) from None

    # -- health ------------------------------------------------------------------------------
    async def check_health(self) -> list[EdgeInfo]:
        """Probe every edge's ``/healthz`` now and record the results; a change of health is
        an ``edge_down``/``edge_up`` event."""
        edges = self.registry.all()
        results = await probe(edges, self.conf.probe_timeout_s, self.edge_trust())
        for edge in edges:
            error = results.get(edge.name)
            self.registry.set_health(edge.name, error is None, error)
            if edge.checked_at is not None and edge.healthy != (error is None):
                self.emitter.emit(
                    NAME,
                    "edge_up" if error is None else "edge_down",
                    entity=edge.name,
                    attrs={"region": edge.region, "role": edge.role, "error": error},
                )
        return self.registry.all()

    async def probe_forever(self) -> None:
        """Probe every ``probe_interval_s`` seconds until cancelled; a failed round is logged."""
        while True:
            await asyncio.sleep(self.conf.probe_interval_s)
            try:
                await self.check_health()
            except Exception:  # noqa: BLE001 - the next round tries again
                log.warning("CDN health probe round failed", exc_info=True)

    def start_probing(self) -> None:
        """Run ``probe_forever`` as a task of the running event loop (the app's)."""
        if self._probe_task is None or self._probe_task.done():
            self._probe_task = asyncio.get_running_loop().create_task(self.probe_forever())

    async def stop_probing(self) -> None:
        task, self._probe_task = self._probe_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- routing -----------------------------------------------------------------------------
    async def route(
        self,
        *,
        region: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
        path: str | None = None,
    ) -> Route:
        """The nearest healthy edge for a client in ``region`` (or at ``lat``/``lon``).

        Health older than twice the probe interval is refreshed first. ``Invalid`` without a
        place, ``Unavailable`` when no edge is healthy.
        """
        if lat is not None and lon is not None:
            point = (lat, lon)
        elif region is not None:
            if region not in REGIONS:
                raise Invalid(f"unknown region {region!r}: one of {sorted(REGIONS)}")
            point = REGIONS[region]
        else:
            raise Invalid("give a region, or both lat and lon")
        if path is not None and not path.startswith("/"):
            raise Invalid("path must start with '/'")
        found = nearest_healthy(await self.fresh_edges(), point)
        if found is None:
            raise Unavailable("no healthy edge is registered")
        edge, distance = found
        self.emitter.emit(
            NAME,
            "route",
            entity=edge.name,
            attrs={"region": region, "edge_region": edge.region, "distance_km": round(distance, 1)},
        )
        return Route(edge, round(distance, 1), edge.url + path if path else None)

    async def fresh_edges(self) -> list[EdgeInfo]:
        """Every edge, its health re-probed first when older than twice the probe interval."""
        edges = self.registry.all()
        horizon = self.clock() - 2 * self.conf.probe_interval_s
        if any(e.checked_at is None or e.checked_at < horizon for e in edges):
            edges = await self.check_health()
        return edges

    def dns_router(self) -> DnsRouter:
        """Routing by DNS over the same registry and health (``services.cdn.dns``)."""
        subnets = SubnetMap(self.conf.dns_subnets, self.conf.dns_default_region)

        def record(answer: Answer, qname: str) -> None:
            attrs = {"qname": qname, "rcode": dns.rcode.to_text(answer.rcode)}
            if answer.region:
                attrs["client_region"] = answer.region
            self.emitter.emit(NAME, "dns_answer", entity=answer.edge, attrs=attrs)

        return DnsRouter(
            self.conf.dns_zone,
            self.fresh_edges,
            subnets,
            ttl=self.conf.dns_ttl_s,
            on_answer=record,
        )

    # -- purge and live stats ----------------------------------------------------------------
    async def purge(
        self,
        *,
        url: str | None = None,
        prefix: str | None = None,
        actor: str | None = None,
        names: list[str] | None = None,
    ) -> Purge:
        """Purge a URL or a prefix on every registered edge (or on the edges ``names``):
        shields first, so an edge cannot refill from a stale shield copy. Each edge gets its
        own token; an edge without one is reported failed. 404 for an unknown name."""
        given = [v for v in (url, prefix) if v is not None]
        if len(given) != 1 or not given[0].startswith("/"):
            raise Invalid("give exactly one of 'url' or 'prefix', starting with '/'")
        targets = self.registry.all()
        if names is not None:
            unknown = sorted(set(names) - {e.name for e in targets})
            if unknown:
                raise NotFound(f"no edge named {', '.join(map(repr, unknown))}")
            targets = [e for e in targets if e.name in names]
        results = await fan_out_purge(
            targets,
            url=url,
            prefix=prefix,
            tokens=self.registry.tokens(),
            timeout=self.conf.control_timeout_s,
            verify=self.edge_trust(),
        )
        self.emitter.emit(
            NAME,
            "purge",
            actor=actor,
            entity=given[0],
            attrs={
                "kind": "url" if url is not None else "prefix",
                "purged": sum(r["purged"] for r in results),
                "failed": [r["edge"] for r in results if not r["ok"]],
            },
        )
        return Purge(given[0], results)

    async def preload(
        self, paths: list[str], *, names: list[str] | None = None, actor: str | None = None
    ) -> list[dict]:
        """Warm ``paths`` on the edges ``names`` (default: every edge, not the shields, which
        warm through the edges' fills): each edge fetches them through its own cache, with its
        own token. 404 for an unknown name, 422 for a bad path list."""
        problem = bad_paths(paths)
        if problem is not None:
            raise Invalid(problem)
        edges = self.registry.all()
        if names is not None:
            unknown = sorted(set(names) - {e.name for e in edges})
            if unknown:
                raise NotFound(f"no edge named {', '.join(map(repr, unknown))}")
            targets = [e for e in edges if e.name in names]
        else:
            targets = [e for e in edges if e.role == "edge"]
        results = await fan_out_preload(
            targets,
            paths,
            tokens=self.registry.tokens(),
            timeout=self.conf.preload_timeout_s,
            verify=self.edge_trust(),
        )
        stored = sum(p["result"] == "stored" for r in results for p in r["paths"])
        self.emitter.emit(
            NAME,
            "preload",
            actor=actor,
            entity=paths[0],
            attrs={
                "paths": len(paths),
                "stored": stored,
                "failed": [r["edge"] for r in results if not r["ok"]],
            },
        )
        return results

    async def edge_stats(self) -> dict[str, dict]:
        """Live cache counters of every reachable edge."""
        return await edge_stats(
            self.registry.all(), timeout=self.conf.control_timeout_s, verify=self.edge_trust()
        )
