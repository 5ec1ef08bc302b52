"""Preload (pre-warm): an edge fetches named paths through its own cache fill, before any
client asks, so the first client request is a hit.

The fill is the ordinary one (``Edge.handle``): the origin's cache rules decide what is kept,
and a preload racing client requests for the same path shares their single upstream fetch.
Each path is reported ``stored`` (in the cache now), ``not-cacheable`` (the origin forbids
storing it, or it is too large) or ``error`` (the upstream failed or answered 5xx).
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.cdn.edge import Edge

#: Most paths one preload call may name, and how many are fetched at once.
MAX_PATHS = 100
CONCURRENCY = 8
#: A path on this edge's own authority: starts with one '/', no whitespace or controls.
_PATH = re.compile(r"/(?!/)[^\s\x00-\x1f\x7f]{0,1999}")


def bad_paths(paths: object) -> str | None:
    """Why ``paths`` is not a preload list (None when it is)."""
    if not isinstance(paths, list) or not 1 <= len(paths) <= MAX_PATHS:
        return f"'paths' must be a list of 1 to {MAX_PATHS} paths"
    for path in paths:
        if not isinstance(path, str) or not _PATH.fullmatch(path):
            return f"not a path on this edge (one leading '/', no spaces): {str(path)[:80]!r}"
    return None


async def warm(edge: Edge, paths: list[str]) -> list[dict]:
    """Fill each path through ``edge``'s cache; one report per path, in order."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(path: str) -> dict:
        async with gate:
            headers: dict[str, str] = {}
            cache, reply, stream = await edge.handle(path, headers)
            status = stream.status if stream is not None else reply.status if reply else 0
            if stream is not None:  # too large to keep: it would have streamed through
                await stream.aclose()
            if cache == "ERROR" or status >= 500:
                result = "error"
            elif edge.store.get(edge.store.key_for(path, headers)) is not None:
                result = "stored"
            else:
                result = "not-cacheable"
            edge.stats["preloaded"] += result == "stored"
            return {"path": path, "result": result, "status": status, "cache": cache}

    return list(await asyncio.gather(*(one(p) for p in paths)))
