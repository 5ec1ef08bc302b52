"""FastAPI dependencies shared by every service router."""

from __future__ import annotations

import re
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, Header, Request
from starlette.requests import HTTPConnection

from services.auth import KeyStore, Principal
from services.errors import Forbidden, Unauthorized
from warehouse.emitter import Emitter
from warehouse.settings import Settings

# The lookups below only read ``app.state``: they are ``async`` so FastAPI calls them on the
# event loop, where a plain ``def`` dependency would cost every request a worker-thread hop.


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _emitter(request: Request) -> Emitter:
    return request.app.state.emitter


async def _keystore(request: Request) -> KeyStore:
    return request.app.state.keystore


def system_service(system_id: str) -> Any:
    """A dependency that hands a router its system's service, as the app's composition built it.

    Use it through an ``Annotated`` alias next to the router:
    ``ShortenerDep = Annotated[ShortenerService, system_service("shortener")]``.
    """

    async def _service(request: Request) -> Any:  # async: no thread hop (see _settings)
        return request.app.state.services[system_id]

    return Depends(_service)


SettingsDep = Annotated[Settings, Depends(_settings)]
EmitterDep = Annotated[Emitter, Depends(_emitter)]
KeyStoreDep = Annotated[KeyStore, Depends(_keystore)]


_BEARER = re.compile(r"[ \t]*bearer[ \t]+(\S+)[ \t]*", re.IGNORECASE)

# Where the platform middleware leaves what it resolved for the request's key (scope state),
# so a request's key is looked up once: ``(key, Principal | None | DomainError)``.
RESOLVED_KEY = "resolved_api_key"


def api_key_from(x_api_key: str | None, authorization: str | None) -> str | None:
    """The API key a request presents: ``X-API-Key``, else ``Authorization: Bearer <key>``
    (scheme in any case, any blanks around it). Authentication and the rate limiter both read
    the key through this one function, so every spelling of a header names the same key."""
    if x_api_key and x_api_key.strip():
        return x_api_key.strip()
    if authorization:
        bearer = _BEARER.fullmatch(authorization)
        if bearer:
            return bearer.group(1)
    return None


async def _principal(
    connection: HTTPConnection, x_api_key: str | None, authorization: str | None
) -> Principal | None:
    """The caller's principal; ``None`` without a key; ``Unauthorized`` for a bad one.

    Async, so a request that the middleware already resolved costs no thread hop; a lookup
    it did not make runs in a worker thread (the key store is blocking I/O)."""
    key = api_key_from(x_api_key, authorization)
    if key is None:
        return None
    resolved = connection.scope.get("state", {}).get(RESOLVED_KEY)
    if resolved is not None and resolved[0] == key:
        principal = resolved[1]
        if isinstance(principal, Exception):
            raise principal
    else:
        keystore: KeyStore = connection.app.state.keystore
        principal = keystore.cached(key) or await anyio.to_thread.run_sync(keystore.resolve, key)
    if principal is None:
        raise Unauthorized("invalid API key")
    return principal


# ``_optional_user`` and ``_current_user`` each declare the key's headers (so every operation
# documents them) and call ``_principal`` themselves rather than depending on each other or on
# ``KeyStoreDep``: each nested dependency costs every request its own resolution pass.


async def _optional_user(
    connection: HTTPConnection,
    x_api_key: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal | None:
    return await _principal(connection, x_api_key, authorization)


async def _current_user(
    connection: HTTPConnection,
    x_api_key: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    principal = await _principal(connection, x_api_key, authorization)
    if principal is None:
        raise Unauthorized("missing API key: send X-API-Key or Authorization: Bearer <key>")
    return principal


OptionalUser = Annotated[Principal | None, Depends(_optional_user)]
CurrentUser = Annotated[Principal, Depends(_current_user)]


def require_roles(*roles: str):
    """A dependency that lets through admins and callers holding any of ``roles``."""

    async def _check(principal: CurrentUser) -> Principal:
        if not principal.has(*roles):
            raise Forbidden(f"this needs one of the roles {sorted(roles)}")
        return principal

    return Depends(_check)


AdminUser = Annotated[Principal, require_roles("admin")]
