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

from fastapi import APIRouter, Request

from services.tus.routes import add_tus_routes
from services.video.drm_api import router as drm_router
from services.video.live_api import router as live_router
from services.video.playback import VideoDep
from services.video.playback import router as playback_router
from services.video.settings import VideoSettings
from services.video.uploads import Uploads
from services.video.watch import router as watch_router

upload_router = APIRouter(prefix="/videos", tags=["video"])

UPLOAD_PATH = "/uploads"  # under the router prefix: /videos/uploads
# PATCH bodies stream to disk, so a client may send the whole file in one request (tuspy's
# default); the service still caps the total by Upload-Length and the upload cap.
BODY_LIMITS = {"/videos/uploads": VideoSettings().max_upload_bytes}


def _uploads(request: Request, svc: VideoDep) -> Uploads:
    return svc.uploads


add_tus_routes(
    upload_router,
    UPLOAD_PATH,
    _uploads,
    op_prefix="video_upload",
    max_metadata_chars=VideoSettings().max_metadata_chars,
    create_doc="Create an upload (tus ``creation``); metadata: title, description, tags.",
    patch_doc="Append bytes at Upload-Offset of the caller's upload; the last chunk triggers "
    "admission (422 with a reason).",
)

#: What the app mounts: uploads first, then catalogue, playback and engagement, then the
#: watch page and the rendition files (their ``/videos/{id}/{name}`` route goes last).
router = APIRouter()
router.include_router(live_router)  # before ``/videos/{id}``: "live" is no video id
router.include_router(drm_router)
router.include_router(upload_router)
router.include_router(playback_router)
router.include_router(watch_router)
