"""FastAPI dependencies shared by every service router."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request

from services.auth import KeyStore, Principal
from services.errors import Forbidden, Unauthorized
from warehouse.emitter import Emitter
from warehouse.settings import Settings


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _emitter(request: Request) -> Emitter:
    return request.app.state.emitter


def _keystore(request: Request) -> KeyStore:
    return request.app.state.keystore


def system_service(system_id: str) -> Any:
    """A dependency that hands a router its system's service, as the app's composition built it.

    Use it through an ``Annotated`` alias next to the router:
    ``ShortenerDep = Annotated[ShortenerService, system_service("shortener")]``.
    """

    def _service(request: Request) -> Any:
        return request.app.state.services[system_id]

    return Depends(_service)


SettingsDep = Annotated[Settings, Depends(_settings)]
EmitterDep = Annotated[Emitter, Depends(_emitter)]
KeyStoreDep = Annotated[KeyStore, Depends(_keystore)]


def api_key_from(x_api_key: str | None, authorization: str | None) -> str | None:
    if x_api_key:
        return x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def _optional_user(
    keystore: KeyStoreDep,
    x_api_key: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal | None:
    key = api_key_from(x_api_key, authorization)
    if key is None:
        return None
    principal = keystore.resolve(key)
    if principal is None:
        raise Unauthorized("invalid API key")
    return principal


def _current_user(principal: Annotated[Principal | None, Depends(_optional_user)]) -> Principal:
    if principal is None:
        raise Unauthorized("missing API key: send X-API-Key or Authorization: Bearer <key>")
    return principal


OptionalUser = Annotated[Principal | None, Depends(_optional_user)]
CurrentUser = Annotated[Principal, Depends(_current_user)]


def require_roles(*roles: str):
    """A dependency that lets through admins and callers holding any of ``roles``."""

    def _check(principal: CurrentUser) -> Principal:
        if not principal.has(*roles):
            raise Forbidden(f"this needs one of the roles {sorted(roles)}")
        return principal

    return Depends(_check)


AdminUser = Annotated[Principal, require_roles("admin")]
