"""Where chunk bytes live: a :class:`BlobStore` interface and its local implementation.

The interface is the one an object store offers (put a key, get it, test it, delete it, list
keys), so S3-compatible storage can stand in for :class:`LocalBlobStore` without the layers
above changing. Keys are lowercase hex; the local layout is ``<root>/<k[:2]>/<k>``, plain
files that any object store could hold under the same names (one level of 256 folders: a
second level cost a folder creation per new chunk, measured as a sixth of upload time).

Writes are atomic and durable: bytes go to a temporary file in the same folder, are fsynced,
then renamed into place, and the folder is fsynced, so a crash leaves either the whole blob or
none of it (a temporary file left by a crash is swept by :meth:`LocalBlobStore.sweep_temp`).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

_KEY = re.compile(r"\A[0-9a-f]{16,128}\Z")
_TMP_SUFFIX = ".tmp"


class BlobStore(Protocol):
    """Content-addressed bytes by key. Implementations must make ``put`` atomic."""

    def put(self, key: str, data: bytes) -> None: ...

    def put_many(self, items: list[tuple[str, bytes]]) -> None: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def keys(self) -> Iterator[str]: ...

    def mtime(self, key: str) -> float | None: ...


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"blob key must be 16-128 lowercase hex digits, got {key[:80]!r}")
    return key


def _syncfs(fd: int) -> bool:
    """Flush the whole file system holding ``fd`` (Linux ``syncfs``); False if unavailable."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.syncfs(fd) == 0
    except (OSError, AttributeError):
        return False


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalBlobStore:
    """Blobs as files under ``root``; see the module docstring for layout and durability."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._dirs: set[str] = set()  # fan-out folders known to exist

    def _dir(self, final: Path) -> None:
        name = final.parent.name
        if name not in self._dirs:
            final.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(name)

    def path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes) -> None:
        final = self.path(key)
        self._dir(final)
        tmp = final.with_name(f"{key}.{os.getpid()}.{time.monotonic_ns()}{_TMP_SUFFIX}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        _fsync_dir(final.parent)

    def put_many(self, items: list[tuple[str, bytes]]) -> None:
        """Store several blobs with one durability barrier instead of one per blob: write
        every temporary file, flush the file system once (``syncfs``), rename them all into
        place, flush again. As with ``put``, a crash leaves each blob whole or absent; when
        this returns, all are durable. Without ``syncfs`` it falls back to ``put`` each."""
        if len(items) <= 1:
            for key, data in items:
                self.put(key, data)
            return
        staged: list[tuple[Path, Path]] = []
        for key, data in items:
            final = self.path(key)
            self._dir(final)
            tmp = final.with_name(f"{key}.{os.getpid()}.{time.monotonic_ns()}{_TMP_SUFFIX}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
            staged.append((tmp, final))
        fd = os.open(self.root, os.O_RDONLY)
        try:
            if not _syncfs(fd):
                for tmp, _final in staged:
                    tmp.unlink()
                for key, data in items:
                    self.put(key, data)
                return
            for tmp, final in staged:
                os.replace(tmp, final)
            _syncfs(fd)
        finally:
            os.close(fd)

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        path = self.path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        _fsync_dir(path.parent)

    def keys(self) -> Iterator[str]:
        for path in self.root.glob("??/*"):
            if _KEY.match(path.name):
                yield path.name

    def mtime(self, key: str) -> float | None:
        try:
            return self.path(key).stat().st_mtime
        except FileNotFoundError:
            return None

    def sweep_temp(self, older_than_s: float = 3600.0) -> int:
        """Remove temporary files a crashed writer left behind; returns how many."""
        cutoff = time.time() - older_than_s
        removed = 0
        for path in self.root.glob(f"??/*{_TMP_SUFFIX}"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed
