"""Video streaming API: tus 1.0 resumable uploads under ``/videos/uploads``. The catalogue,
playback, engagement and search routes live in ``services.video.playback`` and mount on this
router. Routes parse the tus headers and call :class:`services.video.service.VideoService`;
its errors carry the tus headers clients need (``Tus-Resumable``, ``Upload-Offset``).

Every tus route but the capability discovery (``OPTIONS``) needs an API key (``X-API-Key`` or
``Authorization: Bearer``): 401 without a valid one. ``HEAD``, ``PATCH`` and ``DELETE`` of an
upload are for its creator and admins only; anyone else gets 404, as for an upload that does
not exist (an upload URL is not a capability, and a 403 would confirm the upload exists).
Errors keep the tus headers, so tus clients (tuspy, tus-js-client) read them in their
protocol; give those clients the key as a header on every request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from starlette.requests import ClientDisconnect

from services.auth import Principal
from services.deps import KeyStoreDep, api_key_from
from services.errors import DomainError
from services.video.playback import VideoDep
from services.video.playback import router as playback_router
from services.video.settings import VideoSettings
from services.video.tus import (
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
from services.video.watch import router as watch_router

upload_router = APIRouter(prefix="/videos", tags=["video"])

UPLOAD_PATH = "/uploads"  # under the router prefix: /videos/uploads
# PATCH bodies stream to disk, so a client may send the whole file in one request (tuspy's
# default); the service still caps the total by Upload-Length and the upload cap.
BODY_LIMITS = {"/videos/uploads": VideoSettings().max_upload_bytes}

TusHeader = Annotated[str | None, Header(alias="Tus-Resumable")]


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


async def _body(request: Request) -> AsyncIterator[bytes]:
    """The request body as it arrives; a client that goes away just ends it."""
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect:
        return


@upload_router.options(UPLOAD_PATH, status_code=204, operation_id="video_upload_options")
def upload_options(svc: VideoDep) -> Response:
    """Server capabilities, as tus clients discover them."""
    return Response(
        status_code=204,
        headers=tus_headers(
            **{
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": str(svc.uploads.max_bytes),
            }
        ),
    )


@upload_router.post(UPLOAD_PATH, status_code=201, operation_id="video_upload_create")
def upload_create(
    request: Request,
    user: TusUser,
    svc: VideoDep,
    tus_resumable: TusHeader = None,
    upload_length: Annotated[str | None, Header(alias="Upload-Length")] = None,
    upload_metadata: Annotated[str | None, Header(alias="Upload-Metadata")] = None,
) -> Response:
    """Create an upload (tus ``creation``); metadata: title, description, tags."""
    require_tus(tus_resumable)
    length = parse_upload_length(upload_length)
    meta = parse_metadata(upload_metadata, svc.conf.max_metadata_chars)
    up = svc.uploads.create(user.user_id, length, meta)
    location = str(request.base_url).rstrip("/") + f"/videos{UPLOAD_PATH}/{up.id}"
    return Response(
        status_code=201, headers=tus_headers(Location=location, **{"Upload-Offset": "0"})
    )


@upload_router.head(UPLOAD_PATH + "/{upload_id}", operation_id="video_upload_offset")
def upload_head(
    upload_id: str, user: TusUser, svc: VideoDep, tus_resumable: TusHeader = None
) -> Response:
    """The current offset of the caller's upload, so an interrupted client can resume."""
    require_tus(tus_resumable)
    up = svc.uploads.status(upload_id, user.user_id, user.has("admin"))
    return Response(
        status_code=200,
        headers=tus_headers(**{"Upload-Offset": str(up.offset), "Upload-Length": str(up.length)}),
    )


@upload_router.patch(
    UPLOAD_PATH + "/{upload_id}", status_code=204, operation_id="video_upload_patch"
)
async def upload_patch(
    upload_id: str,
    request: Request,
    user: TusUser,
    svc: VideoDep,
    tus_resumable: TusHeader = None,
    upload_offset: Annotated[str | None, Header(alias="Upload-Offset")] = None,
    content_type: Annotated[str | None, Header(alias="Content-Type")] = None,
) -> Response:
    """Append bytes at Upload-Offset of the caller's upload; the last chunk triggers admission
    (422 with a reason)."""
    require_tus(tus_resumable)
    require_offset_content_type(content_type)
    offset = parse_int_header("Upload-Offset", upload_offset)
    new_offset = await svc.uploads.append(
        upload_id, offset, _body(request), user.user_id, user.has("admin")
    )
    return Response(status_code=204, headers=tus_headers(**{"Upload-Offset": str(new_offset)}))


@upload_router.delete(
    UPLOAD_PATH + "/{upload_id}", status_code=204, operation_id="video_upload_delete"
)
def upload_delete(
    upload_id: str, user: TusUser, svc: VideoDep, tus_resumable: TusHeader = None
) -> Response:
    """tus ``termination``: drop the caller's unfinished upload."""
    require_tus(tus_resumable)
    svc.uploads.terminate(upload_id, user.user_id, user.has("admin"))
    return Response(status_code=204, headers=tus_headers())


#: What the app mounts: uploads first, then catalogue, playback and engagement, then the
#: watch page and the rendition files (their ``/videos/{id}/{name}`` route goes last).
router = APIRouter()
router.include_router(upload_router)
router.include_router(playback_router)
router.include_router(watch_router)
