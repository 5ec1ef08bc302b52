"""The file system's composition root: the only place its service is put together.

Folder grants and edits of shared files are announced through the notification system
(``NEEDS``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from services.db import make_engine
from services.files.blobs import BlobStore
from services.files.chunkstore import ChunkStore
from services.files.granting import Granting
from services.files.grants import GrantBook
from services.files.packs import PackStore
from services.files.service import FilesService
from services.files.settings import FilesSettings
from services.files.shares import ShareBook
from services.files.sharing import Sharing
from services.files.store import FileStore
from services.files.uploads import FileUploads
from warehouse.emitter import Emitter
from warehouse.secrets import secret
from warehouse.settings import Settings

SECRET_NAME = "files_chunk_secret"
NEEDS = ("notify",)


def build(
    settings: Settings,
    emitter: Emitter,
    notify: Any = None,
    *,
    conf: FilesSettings | None = None,
    clock: Callable[[], float] = time.time,
    blobs: BlobStore | None = None,
) -> FilesService:
    """The file service: its tables (SQLite, or PostgreSQL when scaled out), chunks in a
    content-addressed pack store under ``<data_dir>/blobs/files`` (or ``blobs``), sealed with
    a key derived from a secret generated once under ``<data_dir>/secrets``."""
    conf = conf or FilesSettings()
    key = secret(settings.data_dir, SECRET_NAME).encode() if conf.encrypt_at_rest else None
    store = FileStore(
        make_engine(settings, "files"),
        default_quota=conf.default_quota_bytes,
        max_versions=conf.max_versions,
    )
    blob_store = blobs or PackStore(settings.blobs_dir / "files", store.engine)
    svc = FilesService(store, ChunkStore(blob_store, key), emitter, conf, clock=clock)
    svc.grants = GrantBook(store.engine)
    svc.granting = Granting(svc, svc.grants, notify, window_s=conf.edit_notice_window_s)
    svc.on_edit = svc.granting.edited
    svc.sharing = Sharing(svc, ShareBook(store.engine, conf.share_guess_limit))
    svc.uploads = FileUploads(svc, settings.data_dir / "files" / "uploads")
    return svc
