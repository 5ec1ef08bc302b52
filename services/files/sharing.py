"""What a share link lets its holder do: read the shared file, or list and read (and, with
write rights, write) inside the shared folder. Every action acts on the owner's tree as the
owner, confined to the shared path, and is an event."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from services.errors import DomainError, Forbidden, Invalid, NotFound
from services.files import names
from services.files.grants import MOUNT
from services.files.model import Entry, Version
from services.files.service import FilesService
from services.files.shares import Share, ShareBook


@dataclass(frozen=True)
class Attachment:
    """One of a user's files attached to something others see (a post, a chat message)."""

    name: str
    size: int
    url: str  # its read-only share link: ``/files/s/<token>/content``
    share_id: str  # revoked when what it is attached to goes away


class Sharing:
    def __init__(self, svc: FilesService, book: ShareBook) -> None:
        self.svc = svc
        self.book = book

    def create(
        self,
        owner: str,
        path: str,
        rights: str,
        *,
        expires_in_s: float | None = None,
        password: str | None = None,
    ) -> tuple[Share, str]:
        place = self.svc.at(owner, path, "read", allow_root=True)
        if place.tree != owner or place.virtual is not None:
            raise Forbidden("only the owner of a folder makes share links to it")
        entry = self.svc.stat(owner, path)
        if entry.path == "":
            raise Invalid("share a file or a folder, not your whole root")
        share, token = self.book.create(
            owner,
            entry.path,
            rights,
            self.svc.clock(),
            expires_in_s=expires_in_s,
            password=password,
        )
        self.svc.emitter.emit(
            "files",
            "share",
            actor=owner,
            entity=share.id,
            attrs={"path": entry.path, "rights": rights, "kind": entry.kind},
        )
        return share, token

    def attach(self, owner: str, path: str) -> Attachment:
        """A read-only link to ``owner``'s file at ``path``, for the people who see what it is
        attached to. A missing path, another user's file (it is not in ``owner``'s tree) and a
        folder are all ``Invalid`` (422) saying so."""
        try:
            entry = self.svc.stat(owner, path)
        except DomainError as exc:
            raise Invalid(f"no file {path!r} of yours to attach: {exc}") from exc
        if entry.kind != "file":
            raise Invalid(f"no file {path!r} of yours to attach: a folder is not a file")
        share, token = self.create(owner, entry.path, "read")
        name = entry.path.rsplit("/", 1)[-1]
        return Attachment(name, entry.size, f"/files/s/{token}/content", share.id)

    def detach(self, owner: str, share_ids: list[str]) -> None:
        """Revoke the links of attachments whose post or message is gone (or never stored)."""
        for share_id in share_ids:
            try:
                self.revoke(owner, share_id)
            except NotFound:
                continue

    def revoke(self, owner: str, share_id: str) -> None:
        self.book.revoke(owner, share_id)
        self.svc.emitter.emit("files", "share_revoked", actor=owner, entity=share_id)

    def resolve(self, token: str, password: str | None, client: str) -> Share:
        share = self.book.resolve(token, password, client, self.svc.clock())
        if share.path.split("/")[0] == MOUNT:
            # A link made before ``shared`` was the mount point of folders shared with its
            # owner: it must not reach other users' folders through the owner's grants.
            raise NotFound("no such share link")
        return share

    def stat(self, share: Share, rel: str = "") -> Entry:
        return self.svc.stat(share.owner, share.inside(rel))

    def listdir(self, share: Share, rel: str = "") -> list[Entry]:
        entry = self.stat(share, rel)
        if entry.kind != "dir":
            raise Invalid("this link shares a file, not a folder")
        return self.svc.store.children(share.owner, entry.path)

    def version(self, share: Share, rel: str = "") -> tuple[Entry, Version]:
        entry = self.stat(share, rel)
        if entry.kind != "file":
            raise NotFound("this link shares a folder: name a file inside it")
        return entry, self.svc.version_of(entry)

    def read(self, share: Share, ver: Version, start: int, end: int) -> Iterator[bytes]:
        self.svc.emitter.emit(
            "files",
            "share_download",
            actor="anonymous",
            entity=share.id,
            attrs={"owner": share.owner, "bytes": end - start},
        )
        return self.svc.read_version(ver, start, end)

    def write(
        self, share: Share, rel: str, pieces: Iterable[bytes | list[bytes]], if_match: str | None
    ) -> Entry:
        """Store a body arriving in ``pieces`` at ``rel`` inside a folder shared for writing."""
        if share.rights != "write":
            raise Forbidden("this share link is read-only")
        root = self.svc.stat(share.owner, share.path)
        if root.kind != "dir":
            raise Forbidden("write links to a file cannot replace it; share its folder")
        path = share.inside(names.normalize(rel))
        entry = self.svc.put_stream(
            share.owner, path, pieces, if_match=if_match, device=f"share-{share.id[:8]}"
        )
        self.svc.emitter.emit(
            "files",
            "share_upload",
            actor="anonymous",
            entity=share.id,
            attrs={"owner": share.owner, "path": path},
        )
        return entry
