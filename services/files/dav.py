"""The WebDAV face of the file service at ``/dav/<user>/...`` (RFC 4918 classes 1 and 2).

WsgiDAV (a well-kept WebDAV server library: PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK,
UNLOCK, If headers, dead properties) speaks the protocol; this module is its provider over
:class:`services.files.service.FilesService`, so WebDAV clients (rclone, cadaver, davfs2,
desktop file managers) see the same trees, versions and quotas as the HTTP API. It is a WSGI
app, mounted into the ASGI app through ``a2wsgi``.

Authentication: HTTP Basic with the user id and an API key as the password (as Nextcloud's app
passwords), or ``Authorization: Bearer <key>``. A user sees only ``/dav/<their id>/``; any
other user's folder is 404. Dead properties persist in a shelve under the data directory and
locks live in memory, both keyed by URL (which includes the user id): run one API process
when WebDAV locks matter.
"""

from __future__ import annotations

import base64
import binascii
import io
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from wsgidav import util
from wsgidav.dav_error import (
    HTTP_BAD_REQUEST,
    HTTP_FORBIDDEN,
    HTTP_NOT_FOUND,
    DAVError,
)
from wsgidav.dav_provider import DAVCollection, DAVNonCollection, DAVProvider
from wsgidav.error_printer import ErrorPrinter
from wsgidav.prop_man.property_manager import ShelvePropertyManager
from wsgidav.request_resolver import RequestResolver
from wsgidav.wsgidav_app import WsgiDAVApp

from services.errors import DomainError
from services.files.model import Entry, Version
from services.files.service import FilesService

MOUNT = "/dav"
USER_KEY = "files.user"


def _dav_error(exc: DomainError) -> DAVError:
    return DAVError(exc.status, context_info=exc.message)


def _call(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    try:
        return fn(*args, **kw)
    except DomainError as exc:
        raise _dav_error(exc) from exc


class VersionReader(io.RawIOBase):
    """A seekable, read-only file over a version's chunks (WsgiDAV seeks for ranges)."""

    def __init__(self, svc: FilesService, version: Version) -> None:
        self.svc = svc
        self.owner = version.owner
        self.keys = svc.chunk_keys(version)
        self.chunks = version.chunks
        self.size = version.size
        self.starts: list[int] = []
        pos = 0
        for _, n in self.chunks:
            self.starts.append(pos)
            pos += n
        self.pos = 0
        self._cache: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer: Any) -> int:
        if self.pos >= self.size:
            return 0
        i = bisect_right(self.starts, self.pos) - 1
        if self._cache is None or self._cache[0] != i:
            h = self.chunks[i][0]
            self._cache = (i, self.svc.chunks.get(h, owner=self.owner, wrapped=self.keys.get(h)))
        data = self._cache[1]
        inner = self.pos - self.starts[i]
        n = min(len(buffer), len(data) - inner)
        buffer[:n] = data[inner : inner + n]
        self.pos += n
        return n


class _Resource:
    provider: FilesProvider
    environ: dict

    @property
    def owner(self) -> str:
        return self.environ[USER_KEY]

    @property
    def svc(self) -> FilesService:
        return self.provider.svc

    def _props_move(self, dest_path: str, *, with_children: bool, move: bool) -> None:
        pm = self.provider.prop_manager
        if not pm:
            return
        src = self.get_ref_url()  # type: ignore[attr-defined]
        dst = self.provider.get_resource_inst(dest_path, self.environ).get_ref_url()
        if move:
            pm.move_properties(src, dst, with_children=with_children, environ=self.environ)
        else:
            pm.copy_properties(src, dst, self.environ)


class _PutBody:
    """What a PUT writes into. WsgiDAV hands an object with ``writelines`` the whole body as
    an iterator of blocks read from the request, which goes straight to :meth:`FileRes.store`."""

    def __init__(self, res: FileRes) -> None:
        self.res = res

    def writelines(self, blocks: Iterable[bytes]) -> None:
        self.res.store(blocks)

    def close(self) -> None:
        pass


class FileRes(_Resource, DAVNonCollection):
    """A file; ``entry`` is None between a PUT's create and its commit."""

    def __init__(self, path: str, environ: dict, rel: str, entry: Entry | None) -> None:
        super().__init__(path, environ)
        self.rel = rel
        self.entry = entry

    def get_content_length(self) -> int:
        return self.entry.size if self.entry else 0

    def get_content_type(self) -> str:
        return util.guess_mime_type(self.path, self.environ["wsgidav.config"])

    def get_creation_date(self) -> float:
        return self.entry.modified if self.entry else time.time()

    def get_last_modified(self) -> float:
        return self.entry.modified if self.entry else time.time()

    def get_display_name(self) -> str:
        return self.rel.rsplit("/", 1)[-1]

    def get_etag(self) -> str | None:
        return self.entry.etag if self.entry else None

    def support_etag(self) -> bool:
        return True

    def support_ranges(self) -> bool:
        return True

    def get_content(self) -> io.BufferedReader:
        if self.entry is None:
            return io.BufferedReader(io.BytesIO(b""))  # type: ignore[arg-type]
        version = _call(self.svc.version_of, self.entry)
        return io.BufferedReader(VersionReader(self.svc, version), 256 * 1024)

    def begin_write(self, *, content_type: str | None = None) -> Any:
        return _PutBody(self)

    def store(self, body: Iterable[bytes]) -> None:
        """Commit a PUT's body as a new version while it arrives (chunked, sealed and written
        as :meth:`FilesService.put_stream` does for the HTTP API), so no temporary file holds
        it. A declared ``Content-Length`` is checked against the quota before any byte is
        read; a body that fails midway leaves nothing visible."""
        if_match = None
        if "HTTP_IF_MATCH" in self.environ and self.entry is not None:
            if_match = self.entry.etag  # WsgiDAV checked it; the commit re-checks it
        length = str(self.environ.get("CONTENT_LENGTH") or "")
        self.entry = _call(
            self.svc.put_stream,
            self.owner,
            self.rel,
            body,
            size=int(length) if length.isdigit() else None,
            if_match=if_match,
            if_none_match=self.entry is None and "HTTP_IF_NONE_MATCH" in self.environ,
            device="webdav",
            parents=False,
        )

    def end_write(self, *, with_errors: bool) -> None:
        """Nothing to do: :meth:`store` committed the body, or left nothing behind."""

    def delete(self) -> None:
        _call(self.svc.delete, self.owner, self.rel)
        self.remove_all_properties(recursive=True)
        self.remove_all_locks(recursive=True)

    def copy_move_single(self, dest_path: str, *, is_move: bool) -> None:
        dest = self.provider.rel_path(dest_path, self.environ)
        if is_move:
            _call(self.svc.move, self.owner, self.rel, dest, overwrite=True)
        else:
            _call(self.svc.copy, self.owner, self.rel, dest, overwrite=True)
        self._props_move(dest_path, with_children=False, move=is_move)

    def support_recursive_move(self, dest_path: str) -> bool:
        return True

    def move_recursive(self, dest_path: str) -> None:
        dest = self.provider.rel_path(dest_path, self.environ)
        _call(self.svc.move, self.owner, self.rel, dest)
        self._props_move(dest_path, with_children=True, move=True)


class FolderRes(_Resource, DAVCollection):
    """A folder; ``rel`` is ``""`` for the user's root."""

    def __init__(self, path: str, environ: dict, rel: str, entry: Entry) -> None:
        super().__init__(path, environ)
        self.rel = rel
        self.entry = entry

    def get_display_name(self) -> str:
        return self.rel.rsplit("/", 1)[-1] if self.rel else self.owner

    def get_creation_date(self) -> float:
        return self.entry.modified

    def get_last_modified(self) -> float:
        return self.entry.modified

    def get_etag(self) -> None:
        return None

    def get_used_bytes(self) -> int:
        return self.svc.usage(self.owner)["used_bytes"]

    def get_available_bytes(self) -> int:
        u = self.svc.usage(self.owner)
        return max(u["quota_bytes"] - u["used_bytes"], 0)

    def get_member_names(self) -> list[str]:
        return [e.name for e in _call(self.svc.listdir, self.owner, self.rel)]

    def get_member(self, name: str) -> Any:
        return self.provider.get_resource_inst(util.join_uri(self.path, name), self.environ)

    def _child(self, name: str) -> str:
        return f"{self.rel}/{name}" if self.rel else name

    def create_empty_resource(self, name: str) -> FileRes:
        path = util.join_uri(self.path, name)
        rel = _call(self.provider.check_rel, self._child(name))
        if self.environ.get("REQUEST_METHOD") == "PUT":
            return FileRes(path, self.environ, rel, None)  # committed by store
        # LOCK on an unmapped URL creates an empty resource (RFC 4918, 9.10.4).
        entry = _call(self.svc.put_file, self.owner, rel, b"", device="webdav", parents=False)
        return FileRes(path, self.environ, rel, entry)

    def create_collection(self, name: str) -> None:
        _call(self.svc.mkdir, self.owner, self._child(name))

    def support_recursive_delete(self) -> bool:
        return True

    def delete(self) -> None:
        if not self.rel:
            raise DAVError(HTTP_FORBIDDEN, context_info="the root folder cannot be deleted")
        _call(self.svc.delete, self.owner, self.rel)
        self.remove_all_properties(recursive=True)
        self.remove_all_locks(recursive=True)

    def copy_move_single(self, dest_path: str, *, is_move: bool) -> None:
        dest = self.provider.rel_path(dest_path, self.environ)
        try:
            self.svc.stat(self.owner, dest)
        except DomainError:
            _call(self.svc.mkdir, self.owner, dest)
        self._props_move(dest_path, with_children=False, move=is_move)

    def support_recursive_move(self, dest_path: str) -> bool:
        return bool(self.rel)

    def move_recursive(self, dest_path: str) -> None:
        dest = self.provider.rel_path(dest_path, self.environ)
        _call(self.svc.move, self.owner, self.rel, dest)
        self._props_move(dest_path, with_children=True, move=True)


class TopRes(DAVCollection):
    """``/``: lists only the caller's own folder."""

    def get_member_names(self) -> list[str]:
        return [self.environ[USER_KEY]]

    def get_member(self, name: str) -> Any:
        return self.provider.get_resource_inst(util.join_uri(self.path, name), self.environ)

    def get_etag(self) -> None:
        return None


class FilesProvider(DAVProvider):
    """Maps ``/<user>/<path>`` to the user's tree; other users' folders do not exist."""

    def __init__(self, svc: FilesService) -> None:
        super().__init__()
        self.svc = svc

    def is_readonly(self) -> bool:
        return False

    def check_rel(self, rel: str) -> str:
        from services.files import names

        return names.normalize(rel, allow_root=True)

    def rel_path(self, path: str, environ: dict) -> str:
        """The user-relative path of a DAV path ``/<user>/a/b`` (404 for other users)."""
        parts = path.strip("/").split("/", 1)
        if not parts[0] or parts[0] != environ[USER_KEY]:
            raise DAVError(HTTP_NOT_FOUND)
        rel = parts[1] if len(parts) > 1 else ""
        try:
            return self.check_rel(rel)
        except DomainError as exc:
            raise DAVError(HTTP_BAD_REQUEST, context_info=exc.message) from exc

    def get_resource_inst(self, path: str, environ: dict) -> Any:
        self._count_get_resource_inst += 1
        if path.strip("/") == "":
            return TopRes("/", environ)
        try:
            rel = self.rel_path(path, environ)
        except DAVError as exc:
            if exc.value == HTTP_NOT_FOUND:
                return None
            raise
        owner = environ[USER_KEY]
        try:
            entry = self.svc.stat(owner, rel)
        except DomainError as exc:
            if exc.status == 404:
                return None
            raise _dav_error(exc) from exc
        if entry.kind == "dir":
            return FolderRes(path, environ, rel, entry)
        return FileRes(path, environ, rel, entry)


class DavAuth:
    """WSGI middleware: Basic (user id + API key) or Bearer; 401 otherwise."""

    def __init__(self, app: Any, resolve: Callable[[str], Any]) -> None:
        self.app = app
        self.resolve = resolve

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        user = self._user(environ.get("HTTP_AUTHORIZATION", ""))
        if user is None:
            body = b"authenticate with Basic (user id, API key as password) or Bearer <key>\n"
            start_response(
                "401 Unauthorized",
                [
                    ("WWW-Authenticate", 'Basic realm="files", charset="UTF-8"'),
                    ("Content-Type", "text/plain"),
                    ("Content-Length", str(len(body))),
                ],
            )
            return [body]
        environ[USER_KEY] = user
        environ["wsgidav.auth.user_name"] = user
        environ["wsgidav.auth.realm"] = "files"
        environ["wsgidav.auth.roles"] = None
        environ["wsgidav.auth.permissions"] = None
        return self.app(environ, start_response)

    def _user(self, header: str) -> str | None:
        scheme, _, value = header.strip().partition(" ")
        value = value.strip()
        try:
            if scheme.lower() == "bearer" and value:
                principal = self.resolve(value)
                return principal.user_id if principal else None
            if scheme.lower() == "basic" and value:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
                user, _, key = decoded.partition(":")
                principal = self.resolve(key) if key else None
                if principal is not None and principal.user_id == user:
                    return user
        except (binascii.Error, UnicodeDecodeError, DomainError):
            return None
        return None


def make_dav_app(svc: FilesService, resolve: Callable[[str], Any], props_path: Path) -> Any:
    """The WSGI WebDAV app (mounted at :data:`MOUNT`)."""
    props_path.parent.mkdir(parents=True, exist_ok=True)
    config = {
        "provider_mapping": {"/": FilesProvider(svc)},
        "mount_path": MOUNT,
        "middleware_stack": [ErrorPrinter, RequestResolver],
        "http_authenticator": {"domain_controller": None},
        "simple_dc": {"user_mapping": {"*": True}},
        "lock_storage": True,
        "property_manager": ShelvePropertyManager(str(props_path)),
        "add_header_MS_Author_Via": True,
        "dir_browser": {"enable": False},
        "logging": {"enable": False},
        "verbose": 0,
        "suppress_version_info": True,
    }
    return DavAuth(WsgiDAVApp(config), resolve)
