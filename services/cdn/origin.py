"""The origin: serves a directory (the blob store) with the headers a CDN needs.

Content-Type by extension, ETag and Last-Modified from the file, conditional 304s, single and
multiple ranges (Starlette's ``FileResponse``), and Cache-Control by kind: media segments are
immutable for a year; playlists and manifests are short-lived with stale-while-revalidate.
Every request is counted, so tests and benchmarks can see how many fetches reached it: the
counters (``/_origin/stats``, ``POST /_origin/reset``) answer only with the origin's control
token in ``X-CDN-Token``; an origin started without one keeps them closed (403).
"""

from __future__ import annotations

import asyncio
import hmac
import os
from collections import Counter
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from services.cdn.cachecontrol import http_date
from services.cdn.respond import etag_matches

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".mpd": "application/dash+xml",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".m4a": "audio/mp4",
    ".ts": "video/mp2t",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
SEGMENT_SUFFIXES = frozenset(
    {".m4s", ".mp4", ".m4v", ".m4a", ".ts", ".jpg", ".jpeg", ".png", ".webp"}
)
MANIFEST_SUFFIXES = frozenset({".m3u8", ".mpd"})
#: HTML files named ``*.esi.html`` are templates: served with ``Surrogate-Control:
#: content="ESI/1.0"``, so edges process their ``<esi:include>`` tags (``services.cdn.esi``).
ESI_SUFFIX = ".esi.html"

SEGMENT_CACHE_CONTROL = "public, max-age=31536000, immutable"
MANIFEST_CACHE_CONTROL = "public, max-age=2, stale-while-revalidate=30, stale-if-error=300"
DEFAULT_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=60, stale-if-error=600"

#: Players on another origin (hls.js, dash.js in a page) read media and these headers.
CORS_HEADERS = {
    "access-control-allow-origin": "*",
    "access-control-expose-headers": "Content-Length, Content-Range, ETag, Age, X-Cache",
}


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def cache_control(path: Path) -> str:
    """Segments never change under one name; playlists may (live), so they stay short."""
    suffix = path.suffix.lower()
    if suffix in SEGMENT_SUFFIXES:
        return SEGMENT_CACHE_CONTROL
    if suffix in MANIFEST_SUFFIXES:
        return MANIFEST_CACHE_CONTROL
    return DEFAULT_CACHE_CONTROL


def resolve(root: Path, url_path: str) -> Path | None:
    """The file under ``root`` a URL path names, or None if it escapes the root or is absent."""
    relative = url_path.lstrip("/")
    if not relative or "\x00" in relative:
        return None
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def create_origin_app(
    root: Path | str, *, delay_ms: int = 0, token: str | None = None
) -> Starlette:
    """An origin over ``root``. ``delay_ms`` slows every file response (to widen races in
    coalescing tests and benchmarks). ``token`` opens the request counters to whoever sends
    it as ``X-CDN-Token``; without one they stay closed."""
    root_path = Path(root).resolve()
    counts: Counter[str] = Counter()

    def refused(request: Request) -> Response | None:
        """403 unless the request carries the origin's control token."""
        if not token:
            return PlainTextResponse(
                "the origin has no control token configured\n",
                status_code=403,
                headers={"cache-control": "no-store"},
            )
        given = request.headers.get("x-cdn-token", "").encode("latin-1")
        if not hmac.compare_digest(given, token.encode()):
            return PlainTextResponse(
                "the origin's counters need its X-CDN-Token\n",
                status_code=403,
                headers={"cache-control": "no-store"},
            )
        return None

    async def serve(request: Request) -> Response:
        path = request.url.path
        counts[path] += 1
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        file = resolve(root_path, path)
        if file is None:
            return PlainTextResponse(
                "not found\n", status_code=404, headers={"cache-control": "public, max-age=10"}
            )
        stat = os.stat(file)
        headers = {"cache-control": cache_control(file), **CORS_HEADERS}
        if file.name.lower().endswith(ESI_SUFFIX):
            headers["surrogate-control"] = 'content="ESI/1.0"'  # edges assemble its includes
        response = FileResponse(
            file, stat_result=stat, media_type=content_type(file), headers=headers
        )
        etag = response.headers["etag"]
        inm = request.headers.get("if-none-match")
        ims = http_date(request.headers.get("if-modified-since"))
        if (inm is not None and etag_matches(inm, etag)) or (
            inm is None and ims is not None and int(stat.st_mtime) <= ims
        ):
            keep = ("etag", "last-modified", "cache-control", *CORS_HEADERS)
            return Response(status_code=304, headers={k: response.headers[k] for k in keep})
        return response

    async def stats(request: Request) -> Response:
        if (denied := refused(request)) is not None:
            return denied
        return JSONResponse(
            {"requests": sum(counts.values()), "by_path": dict(counts)},
            headers={"cache-control": "no-store"},
        )

    async def reset(request: Request) -> Response:
        if (denied := refused(request)) is not None:
            return denied
        counts.clear()
        return JSONResponse({"requests": 0}, headers={"cache-control": "no-store"})

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "role": "origin", "root": str(root_path)})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/_origin/stats", stats),
            Route("/_origin/reset", reset, methods=["POST"]),
            Route("/{path:path}", serve, methods=["GET", "HEAD"]),
        ]
    )
