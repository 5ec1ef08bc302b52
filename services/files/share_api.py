"""Share-link routes: owners create, list and revoke links under ``/files/shares``; anyone
holding a token reads (or, with write rights, writes) through ``/files/s/{token}/...`` with
no API key. Unknown, expired and revoked tokens all answer 404; failed lookups are
rate-limited per client (429). Public downloads carry ``Cache-Control: public`` (unless the
link has a password) so CDN edges can serve them; a revoked link may be served by an edge for
at most ``max-age`` more seconds."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from services.deps import CurrentUser, system_service
from services.errors import Forbidden
from services.files import schemas as s
from services.files.ranges import parse_etag, parse_range, quote
from services.files.service import FilesService
from services.files.shares import Share
from services.files.streaming import consume
from services.middleware import client_bucket

PUBLIC_MAX_AGE_S = 60
Token = Annotated[str, Path(min_length=20, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
SharePassword = Annotated[str | None, Header(alias="X-Share-Password", max_length=256)]
RelPath = Annotated[str, Query(max_length=4096)]


FilesDep = Annotated[FilesService, system_service("files")]


def add_share_routes(router: APIRouter) -> None:

    def _resolve(svc: FilesService, token: str, password: str | None, request: Request) -> Share:
        client = client_bucket(request.client.host if request.client else "?")
        return svc.sharing.resolve(token, password, client)

    @router.post(
        "/shares", status_code=201, response_model=s.ShareCreated, operation_id="files_share"
    )
    def create_share(
        body: s.ShareIn, request: Request, user: CurrentUser, svc: FilesDep
    ) -> s.ShareCreated:
        """A share link to one of the caller's files or folders. The token is shown once."""
        share, token = svc.sharing.create(
            user.user_id,
            body.path,
            body.rights,
            expires_in_s=body.expires_in_s,
            password=body.password,
        )
        url = str(request.base_url).rstrip("/") + f"/files/s/{token}/content"
        return s.ShareCreated(**share.public(), token=token, url=url)

    @router.get("/shares", response_model=list[s.ShareOut], operation_id="files_shares")
    def list_shares(user: CurrentUser, svc: FilesDep) -> list[s.ShareOut]:
        """The caller's share links (without tokens)."""
        return [s.ShareOut(**x.public()) for x in svc.sharing.book.list(user.user_id)]

    @router.delete("/shares/{share_id}", status_code=204, operation_id="files_share_revoke")
    def revoke_share(
        share_id: Annotated[str, Path(pattern="^[0-9a-f]{32}$")],
        user: CurrentUser,
        svc: FilesDep,
    ) -> Response:
        """Revoke one of the caller's links: it answers 404 from now on."""
        svc.sharing.revoke(user.user_id, share_id)
        return Response(status_code=204)

    @router.get("/s/{token}/meta", response_model=s.SharedMeta, operation_id="files_shared_meta")
    def shared_meta(
        token: Token,
        request: Request,
        svc: FilesDep,
        password: SharePassword = None,
        path: RelPath = "",
    ) -> s.SharedMeta:
        """What a link shares: the entry, and a folder's children."""
        share = _resolve(svc, token, password, request)
        entry = svc.sharing.stat(share, path)
        children = None
        if entry.kind == "dir":
            children = [_rel(share, e) for e in svc.sharing.listdir(share, path)]
        return s.SharedMeta(entry=_rel(share, entry), children=children, rights=share.rights)

    @router.get("/s/{token}/content", operation_id="files_shared_download", response_class=Response)
    def shared_download(
        token: Token,
        request: Request,
        svc: FilesDep,
        password: SharePassword = None,
        path: RelPath = "",
        range_: Annotated[str | None, Header(alias="Range")] = None,
        if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
    ) -> Response:
        """The shared file's bytes (or a file's inside a shared folder: ``path``). Ranges
        answer 206 or 416."""
        share = _resolve(svc, token, password, request)
        _, ver = svc.sharing.version(share, path)
        cache = "private, no-store" if share.has_password else f"public, max-age={PUBLIC_MAX_AGE_S}"
        headers = {"ETag": quote(ver.id), "Accept-Ranges": "bytes", "Cache-Control": cache}
        if if_none_match is not None and parse_etag(if_none_match) in (ver.id, "*"):
            return Response(status_code=304, headers=headers)
        span = parse_range(range_, ver.size)
        start, end = span or (0, ver.size)
        headers["Content-Length"] = str(end - start)
        status = 200
        if span is not None:
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{ver.size}"
        return StreamingResponse(
            svc.sharing.read(share, ver, start, end),
            status_code=status,
            headers=headers,
            media_type="application/octet-stream",
        )

    @router.put(
        "/s/{token}/content",
        status_code=201,
        response_model=s.EntryOut,
        operation_id="files_shared_upload",
    )
    async def shared_upload(
        token: Token,
        request: Request,
        svc: FilesDep,
        path: Annotated[str, Query(min_length=1, max_length=4096)],
        password: SharePassword = None,
        if_match: Annotated[str | None, Header(alias="If-Match")] = None,
    ) -> s.EntryOut:
        """Write a file into a folder shared with write rights (403 for read-only links)."""
        share = await anyio.to_thread.run_sync(_resolve, svc, token, password, request)
        if share.rights != "write":
            raise Forbidden("this share link is read-only")
        etag = parse_etag(if_match)
        entry = await consume(
            request.stream(), lambda pieces: svc.sharing.write(share, path, pieces, etag)
        )
        return _rel(share, entry)


def _rel(share: Share, entry) -> s.EntryOut:
    """An entry as the link holder sees it: paths relative to the shared item."""
    out = entry.public()
    base = share.path
    rel = entry.path[len(base) + 1 :] if entry.path.startswith(base + "/") else ""
    out["path"] = rel
    out["name"] = entry.name
    return s.EntryOut(**out)
