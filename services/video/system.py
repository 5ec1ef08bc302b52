"""The video system's composition root: the only place its service is put together."""

from __future__ import annotations

import time
from collections.abc import Callable

from services.db import make_engine
from services.video.service import VideoService
from services.video.settings import VideoSettings
from services.video.store import VideoStore
from warehouse.emitter import Emitter
from warehouse.settings import Settings


def build(
    settings: Settings,
    emitter: Emitter,
    *,
    conf: VideoSettings | None = None,
    clock: Callable[[], float] = time.time,
) -> VideoService:
    """The video service over its store (SQLite, or PostgreSQL when scaled out), with sources
    under ``<data_dir>/video`` and renditions in the blob store."""
    return VideoService(
        VideoStore(make_engine(settings, "video")),
        emitter,
        settings,
        conf=conf or VideoSettings(),
        clock=clock,
    )
