"""Control-plane operations that fan out to the edge processes (purge, preload, stats).
``verify`` is the trust for HTTPS edges (see ``CdnService.edge_trust``)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping

import httpx

from services.cdn.routing import EdgeInfo


async def fan_out_purge(
    edges: list[EdgeInfo],
    *,
    url: str | None,
    prefix: str | None,
    tokens: Mapping[str, str],
    timeout: float = 2.0,
    verify: ssl.SSLContext | bool = True,
) -> list[dict]:
    """Purge on every edge: shields first, so edges cannot refill from a stale shield copy.

    Each edge is sent its own token (``tokens``: edge name -> token) as ``X-CDN-Token``; an
    edge with no token is not contacted and is reported failed."""
    body = {"url": url} if url is not None else {"prefix": prefix}
    results: list[dict] = []
    async with httpx.AsyncClient(timeout=timeout, trust_env=False, verify=verify) as client:
        for role in ("shield", "edge"):
            tier = [e for e in edges if e.role == role]

            async def one(edge: EdgeInfo) -> dict:
                token = tokens.get(edge.name)
                if token is None:
                    error = "no purge token registered for this edge: register it again"
                    return {"edge": edge.name, "ok": False, "purged": 0, "error": error}
                try:
                    resp = await client.post(
                        edge.url.rstrip("/") + "/_cdn/purge",
                        json=body,
                        headers={"X-CDN-Token": token},
                    )
                except httpx.HTTPError as exc:
                    return {
                        "edge": edge.name,
                        "ok": False,
                        "purged": 0,
                        "error": f"{type(exc).__name__}: {exc}"[:200],
                    }
                if resp.status_code != 200:
                    error = f"status {resp.status_code}: {resp.text[:150]}"
                    return {"edge": edge.name, "ok": False, "purged": 0, "error": error}
                try:
                    purged = int(resp.json()["purged"])
                except (ValueError, KeyError, TypeError):
                    error = f"not an edge: answered {resp.text[:100]!r}"
                    return {"edge": edge.name, "ok": False, "purged": 0, "error": error}
                return {"edge": edge.name, "ok": True, "purged": purged, "error": None}

            results.extend(await asyncio.gather(*(one(e) for e in tier)))
    return results


async def edge_stats(
    edges: list[EdgeInfo], timeout: float = 2.0, verify: ssl.SSLContext | bool = True
) -> dict[str, dict]:
    """Each reachable edge's ``/_cdn/stats`` counters."""
    out: dict[str, dict] = {}
    async with httpx.AsyncClient(timeout=timeout, trust_env=False, verify=verify) as client:
        for edge in edges:
            try:
                resp = await client.get(edge.url.rstrip("/") + "/_cdn/stats")
                if resp.status_code == 200:
                    out[edge.name] = resp.json()
            except (httpx.HTTPError, httpx.InvalidURL, ValueError):
                continue
    return out


async def fan_out_preload(
    edges: list[EdgeInfo],
    paths: list[str],
    *,
    tokens: Mapping[str, str],
    timeout: float = 30.0,
    verify: ssl.SSLContext | bool = True,
) -> list[dict]:
    """Ask every edge (at once) to warm ``paths`` through its own cache fill, with its own
    token; each edge's answer is its per-path report, or why it failed."""

    async def one(client: httpx.AsyncClient, edge: EdgeInfo) -> dict:
        failed = {"edge": edge.name, "ok": False, "paths": []}
        token = tokens.get(edge.name)
        if token is None:
            return {**failed, "error": "no token registered for this edge: register it again"}
        try:
            resp = await client.post(
                edge.url.rstrip("/") + "/_cdn/preload",
                json={"paths": paths},
                headers={"X-CDN-Token": token},
            )
        except httpx.HTTPError as exc:
            return {**failed, "error": f"{type(exc).__name__}: {exc}"[:200]}
        if resp.status_code != 200:
            return {**failed, "error": f"status {resp.status_code}: {resp.text[:150]}"}
        try:
            reports = [
                {"path": str(r["path"]), "result": str(r["result"]), "status": int(r["status"])}
                for r in resp.json()["results"]
            ]
        except (ValueError, KeyError, TypeError):
            return {**failed, "error": f"not an edge: answered {resp.text[:100]!r}"}
        return {"edge": edge.name, "ok": True, "paths": reports, "error": None}

    async with httpx.AsyncClient(timeout=timeout, trust_env=False, verify=verify) as client:
        return list(await asyncio.gather(*(one(client, e) for e in edges)))
