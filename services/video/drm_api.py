"""DRM routes: protect a video (AES-128 HLS, ClearKey CENC DASH), issue playback tokens, and
the key server (the raw key for HLS, a ClearKey license for DASH).

Protecting needs the owner's API key (404 for anyone else); a playback token needs any valid
API key (the viewer it is bound to). The key server needs no API key: the playback token is the
credential, sent as ``X-Playback-Token`` (hls.js ``xhrSetup``) or ``?token=`` (players that
cannot set headers). Mounted before the catalogue's ``/videos/{id}/{name}`` route.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from services.deps import CurrentUser
from services.video.playback import VideoDep

router = APIRouter(prefix="/videos", tags=["video"])


class ProtectedOut(BaseModel):
    video_id: str
    hls: str = Field(description="The encrypted master playlist (AES-128 segments).")
    key_uri: str = Field(description="The key server: send a playback token to get the key.")
    dash: str = Field(description="The DASH manifest of the CENC-encrypted ladder (ClearKey).")
    license_uri: str = Field(description="The ClearKey license server for DASH players.")


class JwkOut(BaseModel):
    kty: str
    kid: str = Field(description="The key id, base64url without padding.")
    k: str = Field(description="The content key, base64url without padding.")


class LicenseOut(BaseModel):
    keys: list[JwkOut]
    type: str


class TokenOut(BaseModel):
    token: str = Field(description="Send as X-Playback-Token (or ?token=) to the key server.")
    expires: float


@router.post(
    "/{video_id}/drm",
    response_model=ProtectedOut,
    status_code=201,
    operation_id="video_drm_protect",
)
def protect(video_id: str, svc: VideoDep, user: CurrentUser) -> ProtectedOut:
    """Encrypt the video's ladder with a new AES-128 key and withdraw the clear ladder."""
    done = svc.protect(video_id, user.user_id, user.has("admin"))
    return ProtectedOut(
        video_id=done.video_id,
        hls=done.hls,
        key_uri=done.key_uri,
        dash=done.dash,
        license_uri=done.license_uri,
    )


@router.post("/{video_id}/drm/token", response_model=TokenOut, operation_id="video_drm_token")
def token(video_id: str, svc: VideoDep, user: CurrentUser) -> TokenOut:
    """A playback token bound to this video and the caller, valid for a few minutes."""
    t = svc.playback_token(video_id, user.user_id)
    return TokenOut(token=t.token, expires=t.expires)


@router.get(
    "/{video_id}/drm/key",
    operation_id="video_drm_key",
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The key."}},
)
def key(
    video_id: str,
    svc: VideoDep,
    x_playback_token: Annotated[str | None, Header(max_length=2048)] = None,
    token: str | None = Query(default=None, max_length=2048),
) -> Response:
    """The 16-byte AES-128 key, for a valid playback token only (403 otherwise)."""
    data = svc.content_key(video_id, x_playback_token or token)
    return Response(
        data, media_type="application/octet-stream", headers={"Cache-Control": "no-store"}
    )


@router.post(
    "/{video_id}/drm/clearkey", response_model=LicenseOut, operation_id="video_drm_license"
)
def clearkey(
    video_id: str,
    svc: VideoDep,
    x_playback_token: Annotated[str | None, Header(max_length=2048)] = None,
    token: str | None = Query(default=None, max_length=2048),
) -> JSONResponse:
    """A W3C ClearKey license (JWK set) for the DASH ladder, for a valid playback token only
    (403 otherwise). The EME request body (the key ids asked for) is not needed: a video has
    one key."""
    lic = LicenseOut(**svc.clearkey_license(video_id, x_playback_token or token))
    return JSONResponse(lic.model_dump(), headers={"Cache-Control": "no-store"})
