"""The tus routes (discovery, creation, offset, append, termination) over an upload desk.

A system mounts them with :func:`add_tus_routes`, handing it a dependency that yields its desk
(anything shaped like :class:`TusDesk`). Every route but discovery (``OPTIONS``) needs an API
key (``X-API-Key`` or ``Authorization: Bearer``): 401 without one, with the tus headers so tus
clients (tuspy, tus-js-client) read the error in their protocol. ``HEAD``, ``PATCH`` and
``DELETE`` of an upload are for its creator and admins only; the desk answers anyone else 404,
as for an upload that does not exist (an upload URL is not a capability).
"""

# No "from __future__ import annotations": the route functions below annotate with a local
# alias (Desk) that FastAPI must see evaluated.

from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, Header, Request, Response
from starlette.requests import ClientDisconnect

from services.auth import Principal
from services.deps import KeyStoreDep, api_key_from
from services.errors import DomainError
from services.tus.protocol import (
    TUS_EXTENSIONS,
    TUS_VERSION,
    parse_int_header,
    parse_metadata,
    parse_upload_length,
    require_offset_content_type,
    require_tus,
    tus_headers,
    tus_unauthorized,
)


class TusUpload(Protocol):
    id: str
    offset: int
    length: int


class TusDesk(Protocol):
    """What the routes need from a system's uploads."""

    max_bytes: int

    def create(self, user_id: str, length: int, meta: dict[str, str]) -> TusUpload: ...

    def status(self, upload_id: str, user_id: str, is_admin: bool = False) -> TusUpload: ...

    async def append(
        self,
        upload_id: str,
        offset: int,
        chunks: AsyncIterable[bytes],
        user_id: str,
        is_admin: bool = False,
    ) -> int: ...

    def terminate(self, upload_id: str, user_id: str, is_admin: bool = False) -> None: ...


def _tus_user(
    keystore: KeyStoreDep,
    x_api_key: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    """The caller of a tus route: 401, with the tus headers, without a valid API key."""
    key = api_key_from(x_api_key, authorization)
    if key is None:
        raise tus_unauthorized("missing API key: send X-API-Key or Authorization: Bearer <key>")
    try:
        principal = keystore.resolve(key)
    except DomainError as exc:  # a key the key store refuses, with its reason
        exc.headers.update(tus_headers())
        raise
    if principal is None:
        raise tus_unauthorized("invalid API key")
    return principal


TusUser = Annotated[Principal, Depends(_tus_user)]
TusHeader = Annotated[str | None, Header(alias="Tus-Resumable")]


async def body_stream(request: Request) -> AsyncIterator[bytes]:
    """The request body as it arrives; a client that goes away just ends it."""
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect:
        return


def add_tus_routes(
    router: APIRouter,
    path: str,
    desk: Callable[..., Any],
    *,
    op_prefix: str,
    max_metadata_chars: int,
    create_doc: str = "Create an upload (tus ``creation``).",
    patch_doc: str = "Append bytes at Upload-Offset of the caller's upload.",
) -> None:
    """Mount the tus routes at ``path`` under ``router`` (whose prefix the Location header
    includes). ``desk`` is a FastAPI dependency returning the system's :class:`TusDesk`."""
    Desk = Annotated[Any, Depends(desk)]
    item = path + "/{upload_id}"

    def options(d: Desk) -> Response:
        return Response(
            status_code=204,
            headers=tus_headers(
                **{
                    "Tus-Version": TUS_VERSION,
                    "Tus-Extension": TUS_EXTENSIONS,
                    "Tus-Max-Size": str(d.max_bytes),
                }
            ),
        )

    def create(
        request: Request,
        user: TusUser,
        d: Desk,
        tus_resumable: TusHeader = None,
        upload_length: Annotated[str | None, Header(alias="Upload-Length")] = None,
        upload_metadata: Annotated[str | None, Header(alias="Upload-Metadata")] = None,
    ) -> Response:
        require_tus(tus_resumable)
        length = parse_upload_length(upload_length)
        meta = parse_metadata(upload_metadata, max_metadata_chars)
        up = d.create(user.user_id, length, meta)
        location = str(request.base_url).rstrip("/") + f"{router.prefix}{path}/{up.id}"
        return Response(
            status_code=201, headers=tus_headers(Location=location, **{"Upload-Offset": "0"})
        )

    def head(upload_id: str, user: TusUser, d: Desk, tus_resumable: TusHeader = None) -> Response:
        require_tus(tus_resumable)
        up = d.status(upload_id, user.user_id, user.has("admin"))
        return Response(
            status_code=200,
            headers=tus_headers(
                **{"Upload-Offset": str(up.offset), "Upload-Length": str(up.length)}
            ),
        )

    async def patch(
        upload_id: str,
        request: Request,
        user: TusUser,
        d: Desk,
        tus_resumable: TusHeader = None,
        upload_offset: Annotated[str | None, Header(alias="Upload-Offset")] = None,
        content_type: Annotated[str | None, Header(alias="Content-Type")] = None,
    ) -> Response:
        require_tus(tus_resumable)
        require_offset_content_type(content_type)
        offset = parse_int_header("Upload-Offset", upload_offset)
        new_offset = await d.append(
            upload_id, offset, body_stream(request), user.user_id, user.has("admin")
        )
        return Response(status_code=204, headers=tus_headers(**{"Upload-Offset": str(new_offset)}))

    def delete(upload_id: str, user: TusUser, d: Desk, tus_resumable: TusHeader = None) -> Response:
        require_tus(tus_resumable)
        d.terminate(upload_id, user.user_id, user.has("admin"))
        return Response(status_code=204, headers=tus_headers())

    options.__doc__ = "Server capabilities, as tus clients discover them."
    create.__doc__ = create_doc
    head.__doc__ = "The current offset of the caller's upload, so an interrupted client resumes."
    patch.__doc__ = patch_doc
    delete.__doc__ = "tus ``termination``: drop the caller's unfinished upload."
    router.add_api_route(
        path, options, methods=["OPTIONS"], status_code=204, operation_id=f"{op_prefix}_options"
    )
    router.add_api_route(
        path, create, methods=["POST"], status_code=201, operation_id=f"{op_prefix}_create"
    )
    router.add_api_route(item, head, methods=["HEAD"], operation_id=f"{op_prefix}_offset")
    router.add_api_route(
        item, patch, methods=["PATCH"], status_code=204, operation_id=f"{op_prefix}_patch"
    )
    router.add_api_route(
        item, delete, methods=["DELETE"], status_code=204, operation_id=f"{op_prefix}_delete"
    )
