"""File sharing API (system 6) under ``/files``: content, folders, versions, trash, search,
delta sync, changes, tus uploads; the WebDAV face lives at ``/dav`` (``services.files.dav``).

Thin: every route parses, calls the one :class:`services.files.service.FilesService` the app
built, and maps the result. Every route needs an API key and acts on the caller's own tree
only (the service takes the caller's id as the owner), so no route can reach another user's
files. Writes take ``If-Match`` (412 on a stale ETag) and ``If-None-Match: *``; downloads
answer ``Range`` with 206 or 416.
"""

from __future__ import annotations

from typing import Annotated

import anyio
from a2wsgi import WSGIMiddleware
from fastapi import APIRouter, FastAPI, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from services.deps import AdminUser, CurrentUser, system_service
from services.errors import TooLarge
from services.files import schemas as s
from services.files.dav import MOUNT, make_dav_app
from services.files.grant_api import add_grant_routes
from services.files.model import Entry
from services.files.ranges import parse_etag, parse_range, quote
from services.files.service import FilesService
from services.files.settings import FilesSettings
from services.files.share_api import add_share_routes
from services.files.streaming import consume
from services.tus.routes import add_tus_routes

router = APIRouter(prefix="/files", tags=["files"])
_conf = FilesSettings()
BODY_LIMITS = {
    "/files/content": _conf.max_upload_bytes,
    "/files/uploads": _conf.max_upload_bytes,
    "/files/chunks": _conf.max_chunk_bytes,
    "/files/sync": 64 * 1024 * 1024,  # chunk lists: 200k pairs of ~80 bytes
    MOUNT: _conf.max_upload_bytes,
}
FilesDep = Annotated[FilesService, system_service("files")]
IfMatch = Annotated[str | None, Header(alias="If-Match")]
FilePath = Annotated[str, Path(max_length=4096)]
Device = Annotated[str, Header(alias="X-Device", max_length=64)]


async def startup(app: FastAPI) -> None:
    """Mount the WebDAV face (``/dav``) over the service the app built."""
    svc: FilesService = app.state.services["files"]
    dav = make_dav_app(
        svc,
        app.state.keystore.resolve,
        app.state.settings.data_dir / "files" / "dav" / "properties",
    )
    app.mount(MOUNT, WSGIMiddleware(dav, workers=8))


add_share_routes(router)
add_grant_routes(router)


def _entry(e: Entry) -> s.EntryOut:
    return s.EntryOut(**e.public())


def _uploads(svc: FilesDep):
    return svc.uploads


add_tus_routes(
    router,
    "/uploads",
    _uploads,
    op_prefix="files_upload",
    max_metadata_chars=8192,
    create_doc="Create a resumable upload (tus ``creation``). Metadata: ``path`` (required), "
    "``if_match``, ``device``, ``on_conflict`` (fail or copy). 507 over quota.",
    patch_doc="Append bytes at Upload-Offset; the last byte commits the file as a version.",
)


@router.get("/content/{path:path}", operation_id="files_download", response_class=Response)
def download(
    path: FilePath,
    user: CurrentUser,
    svc: FilesDep,
    range_: Annotated[str | None, Header(alias="Range")] = None,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """The bytes of a file (or of one of its versions). ``Range`` gets 206 (or 416)."""
    entry = svc.stat(user.user_id, path)
    ver = svc.version_of(entry, version)
    headers = {"ETag": quote(ver.id), "Accept-Ranges": "bytes"}
    if if_none_match is not None and parse_etag(if_none_match) in (ver.id, "*"):
        return Response(status_code=304, headers=headers)
    span = parse_range(range_, ver.size)
    start, end = span or (0, ver.size)
    _, body = svc.open_file(user.user_id, entry.path, start, end, version=version)
    headers["Content-Length"] = str(end - start)
    status = 200
    if span is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{ver.size}"
    return StreamingResponse(
        body, status_code=status, headers=headers, media_type="application/octet-stream"
    )


@router.put(
    "/content/{path:path}", status_code=201, response_model=s.WriteOut, operation_id="files_put"
)
async def upload(
    path: FilePath,
    request: Request,
    response: Response,
    user: CurrentUser,
    svc: FilesDep,
    if_match: IfMatch = None,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
    content_length: Annotated[str | None, Header(alias="Content-Length")] = None,
    device: Device = "",
    on_conflict: Annotated[str, Query(pattern="^(fail|copy)$")] = "fail",
) -> s.WriteOut:
    """Write a file as a new version. ``If-Match`` (412 when stale), ``If-None-Match: *``
    (create only); ``on_conflict=copy`` writes a conflict copy instead of answering 412.
    507 past the quota, before the body is stored."""
    etag = parse_etag(if_match)
    create_only = if_none_match is not None and if_none_match.strip() == "*"
    if content_length is not None and content_length.isdigit():
        if int(content_length) > svc.conf.max_upload_bytes:
            raise TooLarge(f"files are at most {svc.conf.max_upload_bytes} bytes")
        await anyio.to_thread.run_sync(svc.check_write, user.user_id, path, int(content_length))
    size = int(content_length) if content_length is not None and content_length.isdigit() else None
    entry = await consume(
        request.stream(),
        lambda pieces: svc.put_stream(
            user.user_id,
            path,
            pieces,
            size=size,
            if_match=etag,
            if_none_match=create_only,
            device=device,
            on_conflict=on_conflict,
        ),
    )
    response.headers["ETag"] = quote(entry.etag)
    return s.WriteOut(**entry.public(), conflict_copy=entry.path != path.rstrip("/"))


@router.delete("/content/{path:path}", status_code=204, operation_id="files_delete")
def delete(path: FilePath, user: CurrentUser, svc: FilesDep, if_match: IfMatch = None) -> Response:
    """Move a file or folder to the trash (``If-Match`` guards it)."""
    svc.delete(user.user_id, path, if_match=parse_etag(if_match))
    return Response(status_code=204)


@router.get("/meta/{path:path}", response_model=s.EntryOut, operation_id="files_stat")
def stat(path: FilePath, user: CurrentUser, svc: FilesDep) -> s.EntryOut:
    """A file's or folder's metadata."""
    return _entry(svc.stat(user.user_id, path))


@router.get("/list", response_model=list[s.EntryOut], operation_id="files_list")
def list_folder(
    user: CurrentUser,
    svc: FilesDep,
    path: Annotated[str, Query(max_length=4096)] = "",
) -> list[s.EntryOut]:
    """The children of a folder (the root by default)."""
    return [_entry(e) for e in svc.listdir(user.user_id, path)]


@router.post("/folders", status_code=201, response_model=s.EntryOut, operation_id="files_mkdir")
def mkdir(body: s.FolderIn, user: CurrentUser, svc: FilesDep) -> s.EntryOut:
    """Create a folder (409 when it exists or, without ``parents``, its parent does not)."""
    return _entry(svc.mkdir(user.user_id, body.path, parents=body.parents))


@router.post("/move", response_model=s.EntryOut, operation_id="files_move")
def move(body: s.MoveIn, user: CurrentUser, svc: FilesDep) -> s.EntryOut:
    """Rename or move a file or folder (412 when the target exists, unless ``overwrite``)."""
    return _entry(svc.move(user.user_id, body.src, body.dst, overwrite=body.overwrite))


@router.post("/copy", response_model=s.EntryOut, operation_id="files_copy")
def copy(body: s.MoveIn, user: CurrentUser, svc: FilesDep) -> s.EntryOut:
    """Copy a file or folder (no bytes are copied: the copy shares its chunks)."""
    return _entry(svc.copy(user.user_id, body.src, body.dst, overwrite=body.overwrite))


@router.get("/versions", response_model=list[s.VersionOut], operation_id="files_versions")
def versions(
    user: CurrentUser, svc: FilesDep, path: Annotated[str, Query(max_length=4096)]
) -> list[s.VersionOut]:
    """A file's versions, newest first."""
    return [s.VersionOut(**v.public()) for v in svc.versions(user.user_id, path)]


@router.post("/versions/restore", response_model=s.EntryOut, operation_id="files_restore_version")
def restore_version(body: s.RestoreVersionIn, user: CurrentUser, svc: FilesDep) -> s.EntryOut:
    """Make an old version current again (as a new version)."""
    return _entry(svc.restore_version(user.user_id, body.path, body.version))


@router.get("/trash", response_model=list[s.TrashItem], operation_id="files_trash")
def trash(user: CurrentUser, svc: FilesDep) -> list[s.TrashItem]:
    """What the caller deleted, newest first."""
    return [s.TrashItem(**t) for t in svc.trash(user.user_id)]


@router.post(
    "/trash/{trash_id}/restore", response_model=s.EntryOut, operation_id="files_trash_restore"
)
def trash_restore(
    trash_id: Annotated[str, Path(pattern="^[0-9a-f]{32}$")], user: CurrentUser, svc: FilesDep
) -> s.EntryOut:
    """Put a deleted item back (409 when its path is taken again)."""
    restored = svc.restore_trash(user.user_id, trash_id)
    return _entry(svc.stat(user.user_id, restored))


@router.delete("/trash", status_code=204, operation_id="files_trash_empty")
def trash_empty(user: CurrentUser, svc: FilesDep) -> Response:
    """Delete everything in the caller's trash for good."""
    svc.purge_trash(user.user_id)
    return Response(status_code=204)


@router.get("/search", response_model=list[s.EntryOut], operation_id="files_search")
def search(
    user: CurrentUser,
    svc: FilesDep,
    q: Annotated[s.CleanText, Query(min_length=1, max_length=255)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[s.EntryOut]:
    """The caller's files and folders whose name contains ``q`` (case-insensitive)."""
    return [_entry(e) for e in svc.search(user.user_id, q, limit)]


@router.get("/usage", response_model=s.UsageOut, operation_id="files_usage")
def usage(user: CurrentUser, svc: FilesDep) -> s.UsageOut:
    """Bytes the caller is charged (every version kept, trash included) and their quota."""
    return s.UsageOut(**svc.usage(user.user_id))


# -- delta sync -------------------------------------------------------------------------
@router.post("/sync/plan", response_model=s.PlanOut, operation_id="files_sync_plan")
def sync_plan(body: s.PlanIn, user: CurrentUser, svc: FilesDep) -> s.PlanOut:
    """Step 1: send the new version's chunk list; learn which chunks to upload."""
    missing, plan_id = svc.plan(user.user_id, body.path, body.chunks, if_match=body.if_match)
    sizes = dict(body.chunks)
    return s.PlanOut(
        missing=missing,
        missing_bytes=sum(sizes[h] for h in missing),
        total_bytes=sum(n for _, n in body.chunks),
        plan_id=plan_id,
    )


@router.put("/chunks/{chunk_hash}", response_model=s.ChunkOut, operation_id="files_put_chunk")
async def put_chunk(
    chunk_hash: Annotated[str, Path(pattern="^[0-9a-f]{64}$")],
    request: Request,
    user: CurrentUser,
    svc: FilesDep,
) -> s.ChunkOut:
    """Step 2: upload one chunk; 422 (nothing stored) when its bytes do not hash to the
    name."""
    data = await request.body()
    stored = await anyio.to_thread.run_sync(svc.put_chunk, user.user_id, chunk_hash, data)
    return s.ChunkOut(hash=chunk_hash, stored=stored)


@router.post("/chunks", response_model=s.ChunksOut, operation_id="files_put_chunks")
async def put_chunks(request: Request, user: CurrentUser, svc: FilesDep) -> s.ChunksOut:
    """Step 2 for several chunks at once (up to the chunk size limit in all): the body is, per
    chunk, its SHA-256 (32 bytes), its length (4 bytes, big-endian) and its bytes. All are
    verified before any is stored (422 names the first that does not match); the new ones
    are stored together."""
    data = await request.body()
    received, stored = await anyio.to_thread.run_sync(svc.put_chunks, user.user_id, data)
    return s.ChunksOut(received=received, stored=stored)


@router.post("/sync/commit", response_model=s.WriteOut, operation_id="files_sync_commit")
def sync_commit(
    body: s.CommitIn, response: Response, user: CurrentUser, svc: FilesDep
) -> s.WriteOut:
    """Step 3: commit the version atomically: the chunk list, or the ``plan_id`` step 1 gave
    (so the list crosses the network once). 409 naming chunks still missing; 412 or a
    conflict copy when ``if_match`` is stale."""
    entry, version = svc.commit_chunks(
        user.user_id,
        body.path,
        body.chunks,
        plan_id=body.plan_id,
        if_match=body.if_match,
        if_none_match=body.if_none_match,
        device=body.device,
        on_conflict=body.on_conflict,
        bytes_changed=body.bytes_changed,
    )
    response.headers["ETag"] = quote(entry.etag)
    return s.WriteOut(
        **entry.public(), version=version.number, conflict_copy=entry.path != body.path
    )


@router.get("/changes", response_model=s.ChangesOut, operation_id="files_changes")
async def changes(
    user: CurrentUser,
    svc: FilesDep,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    wait: Annotated[float, Query(ge=0, le=120)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> s.ChangesOut:
    """Changes after ``cursor``, in the caller's tree and in folders shared with them (at
    ``shared/<owner>/...``; grants and revocations are ``grant`` and ``revoke`` changes);
    ``wait`` seconds of long-poll when there are none yet."""
    found, cursor = await svc.wait_changes(user.user_id, cursor, wait, limit)
    return s.ChangesOut(changes=[s.ChangeOut(**c.public()) for c in found], cursor=cursor)


# -- admin ------------------------------------------------------------------------------
@router.post("/gc", response_model=s.GcOut, operation_id="files_gc")
def gc(_admin: AdminUser, svc: FilesDep) -> s.GcOut:
    """Collect unreferenced chunks past the grace period (admin)."""
    return s.GcOut(**svc.collect_garbage().public())


@router.put("/quotas/{user_id}", response_model=s.UsageOut, operation_id="files_set_quota")
def set_quota(
    user_id: Annotated[str, Path(max_length=128, pattern=r"^[A-Za-z0-9_.@:-]+$")],
    body: s.QuotaIn,
    _admin: AdminUser,
    svc: FilesDep,
) -> s.UsageOut:
    """Set a user's quota (admin)."""
    svc.store.set_quota(user_id, body.quota_bytes)
    return s.UsageOut(**svc.usage(user_id))
