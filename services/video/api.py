"""Video streaming API: tus 1.0 resumable uploads under ``/videos/uploads``. The catalogue,
playback, engagement and search routes live in ``services.video.playback`` and mount on this
router. Routes parse the tus headers and call :class:`services.video.service.VideoService`;
its errors carry the tus headers clients need (``Tus-Resumable``, ``Upload-Offset``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from starlette.requests import ClientDisconnect

from services.deps import CurrentUser
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
)

upload_router = APIRouter(prefix="/videos", tags=["video"])

UPLOAD_PATH = "/uploads"  # under the router prefix: /videos/uploads
# PATCH bodies stream to disk, so a client may send the whole file in one request (tuspy's
# default); the service still caps the total by Upload-Length and the upload cap.
BODY_LIMITS = {"/videos/uploads": VideoSettings().max_upload_bytes}

TusHeader = Annotated[str | None, Header(alias="Tus-Resumable")]


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
    user: CurrentUser,
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
def upload_head(upload_id: str, svc: VideoDep, tus_resumable: TusHeader = None) -> Response:
    """The current offset, so an interrupted client can resume."""
    require_tus(tus_resumable)
    up = svc.uploads.status(upload_id)
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
    svc: VideoDep,
    tus_resumable: TusHeader = None,
    upload_offset: Annotated[str | None, Header(alias="Upload-Offset")] = None,
    content_type: Annotated[str | None, Header(alias="Content-Type")] = None,
) -> Response:
    """Append bytes at Upload-Offset; the last chunk triggers admission (422 with a reason)."""
    require_tus(tus_resumable)
    require_offset_content_type(content_type)
    offset = parse_int_header("Upload-Offset", upload_offset)
    new_offset = await svc.uploads.append(upload_id, offset, _body(request))
    return Response(status_code=204, headers=tus_headers(**{"Upload-Offset": str(new_offset)}))


@upload_router.delete(
    UPLOAD_PATH + "/{upload_id}", status_code=204, operation_id="video_upload_delete"
)
def upload_delete(
    upload_id: str, user: CurrentUser, svc: VideoDep, tus_resumable: TusHeader = None
) -> Response:
    """tus ``termination``: drop an unfinished upload."""
    require_tus(tus_resumable)
    svc.uploads.terminate(upload_id, user.user_id, user.has("admin"))
    return Response(status_code=204, headers=tus_headers())


#: What the app mounts: uploads first, then catalogue, playback and engagement.
router = APIRouter()
router.include_router(upload_router)
router.include_router(playback_router)
