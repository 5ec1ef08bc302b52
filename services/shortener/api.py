"""Shortener routes: manage links under ``/shortener/links``, follow them at ``GET /s/{code}``.

Redirects live under ``/s/`` rather than at ``/{code}``: one app mounts every system, and a
catch-all ``/{code}`` would shadow their routes. A reverse proxy can still map
``https://sho.rt/<code>`` to ``/s/<code>``. The redirect itself is a raw ASGI app mounted at
``/s`` by ``startup`` as the app's *first* route (see ``services.shortener.redirect``: 302 by
default, 404 unknown or deleted, 410 expired): matched after a dozen systems' routes it would
spend more time in routing than in redirecting. It is not in the OpenAPI schema.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.routing import Mount

from services.cache import get_cache
from services.cache.nodes import InProcessNode
from services.db import make_engine
from services.deps import CurrentUser
from services.shortener.clicks import ClickRecorder
from services.shortener.codes import InvalidAlias
from services.shortener.redirect import redirect_app
from services.shortener.safety import UnsafeURL
from services.shortener.service import Forbidden, NotFound, ShortenerService
from services.shortener.store import CodeTaken, Link, LinkStore

router = APIRouter(tags=["shortener"])


class LinkIn(BaseModel):
    url: str = Field(min_length=1, max_length=8192, description="http(s) target")
    alias: str | None = Field(default=None, max_length=64, description="custom code")
    expires_at: datetime | None = Field(default=None, description="absolute expiry (UTC)")
    ttl_seconds: int | None = Field(default=None, gt=0, le=10 * 365 * 86400)


class LinkOut(BaseModel):
    code: str
    short_url: str
    url: str
    custom: bool
    created_at: datetime
    expires_at: datetime | None


def _service(request: Request) -> ShortenerService:
    return request.app.state.shortener


def _out(request: Request, link: Link) -> LinkOut:
    base = request.app.state.settings.public_base_url.rstrip("/")
    return LinkOut(
        code=link.code,
        short_url=f"{base}/s/{link.code}",
        url=link.url,
        custom=link.custom,
        created_at=datetime.fromtimestamp(link.created_at, UTC),
        expires_at=None
        if link.expires_at is None
        else datetime.fromtimestamp(link.expires_at, UTC),
    )


@router.post(
    "/shortener/links", response_model=LinkOut, status_code=201, operation_id="shortener_create"
)
def create_link(body: LinkIn, request: Request, user: CurrentUser) -> LinkOut:
    """Shorten ``url`` (optionally with a custom alias and an expiry)."""
    svc = _service(request)
    wait = svc.create_limiter.acquire(user.key_id)
    if wait > 0:
        raise HTTPException(
            429,
            "link creation rate limit for this API key exceeded; retry later",
            headers={"Retry-After": svc.create_limiter.retry_after_header(wait)},
        )
    if body.expires_at is not None and body.ttl_seconds is not None:
        raise HTTPException(422, "give expires_at or ttl_seconds, not both")
    expires = None
    if body.expires_at is not None:
        ts = body.expires_at
        expires = (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).timestamp()
    elif body.ttl_seconds is not None:
        expires = svc.clock() + body.ttl_seconds
    try:
        link = svc.create(user.user_id, body.url, body.alias, expires)
    except (UnsafeURL, InvalidAlias, ValueError) as exc:
        raise HTTPException(422, str(exc)) from exc
    except CodeTaken as exc:
        raise HTTPException(409, f"code {body.alias or exc} is already taken") from exc
    return _out(request, link)


@router.get("/shortener/links", response_model=list[LinkOut], operation_id="shortener_list")
def list_links(
    request: Request, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[LinkOut]:
    """Your live links, newest first."""
    return [_out(request, link) for link in _service(request).store.by_owner(user.user_id, limit)]


@router.get("/shortener/links/{code}", response_model=LinkOut, operation_id="shortener_get")
def get_link(code: str, request: Request, user: CurrentUser) -> LinkOut:
    link = _service(request).store.get(code)
    if link is None or link.deleted_at is not None:
        raise HTTPException(404, f"no link {code!r}")
    if link.owner != user.user_id and not user.has("admin"):
        raise HTTPException(403, "this link belongs to another user")
    return _out(request, link)


@router.delete(
    "/shortener/links/{code}",
    status_code=204,
    response_class=Response,
    operation_id="shortener_delete",
)
def delete_link(code: str, request: Request, user: CurrentUser) -> Response:
    """Delete a link you own; its short URL answers 404 from then on."""
    try:
        _service(request).delete(code, user.user_id, user.has("admin"))
    except NotFound as exc:
        raise HTTPException(404, f"no link {code!r}") from exc
    except Forbidden as exc:
        raise HTTPException(403, "this link belongs to another user") from exc
    return Response(status_code=204)


async def startup(app) -> None:
    if not any(getattr(r, "name", None) == "shortener_redirect" for r in app.router.routes):
        app.router.routes.insert(0, Mount("/s", app=redirect_app, name="shortener_redirect"))
    cache = get_cache(app)
    store = LinkStore(make_engine(app.state.settings, "shortener"))
    app.state.shortener = ShortenerService(store, cache, app.state.emitter, app.state.settings)
    app.state.shortener_local_cache = all(
        isinstance(n, InProcessNode) for n in cache.nodes.values()
    )
    app.state.shortener_clicks = ClickRecorder(app.state.emitter)


async def shutdown(app) -> None:
    clicks = getattr(app.state, "shortener_clicks", None)
    if clicks is not None:
        clicks.close()
