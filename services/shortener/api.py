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

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from starlette.routing import Mount

from services.deps import CurrentUser, system_service
from services.shortener.redirect import redirect_app
from services.shortener.service import ShortenerService
from services.shortener.store import Link

router = APIRouter(tags=["shortener"])
ShortenerDep = Annotated[ShortenerService, system_service("shortener")]


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


def _out(svc: ShortenerService, link: Link) -> LinkOut:
    return LinkOut(
        code=link.code,
        short_url=svc.short_url(link.code),
        url=link.url,
        custom=link.custom,
        created_at=datetime.fromtimestamp(link.created_at, UTC),
        expires_at=None
        if link.expires_at is None
        else datetime.fromtimestamp(link.expires_at, UTC),
    )


def _timestamp(ts: datetime | None) -> float | None:
    if ts is None:
        return None
    return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).timestamp()


@router.post(
    "/shortener/links", response_model=LinkOut, status_code=201, operation_id="shortener_create"
)
def create_link(body: LinkIn, svc: ShortenerDep, user: CurrentUser) -> LinkOut:
    """Shorten ``url`` (optionally with a custom alias and an expiry)."""
    link = svc.create(
        user.user_id,
        body.url,
        body.alias,
        _timestamp(body.expires_at),
        ttl_seconds=body.ttl_seconds,
        rate_key=user.key_id,
    )
    return _out(svc, link)


@router.get("/shortener/links", response_model=list[LinkOut], operation_id="shortener_list")
def list_links(
    svc: ShortenerDep, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[LinkOut]:
    """Your live links, newest first."""
    return [_out(svc, link) for link in svc.links_of(user.user_id, limit)]


@router.get("/shortener/links/{code}", response_model=LinkOut, operation_id="shortener_get")
def get_link(code: str, svc: ShortenerDep, user: CurrentUser) -> LinkOut:
    return _out(svc, svc.get(code, user.user_id, user.has("admin")))


@router.delete(
    "/shortener/links/{code}",
    status_code=204,
    response_class=Response,
    operation_id="shortener_delete",
)
def delete_link(code: str, svc: ShortenerDep, user: CurrentUser) -> Response:
    """Delete a link you own; its short URL answers 404 from then on."""
    svc.delete(code, user.user_id, user.has("admin"))
    return Response(status_code=204)


async def startup(app) -> None:
    if not any(getattr(r, "name", None) == "shortener_redirect" for r in app.router.routes):
        app.router.routes.insert(0, Mount("/s", app=redirect_app, name="shortener_redirect"))
