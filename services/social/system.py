"""The social network's composition root: the only place its service is put together."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from services.cache import build_cache
from services.db import make_engine
from services.notify.service import NotifyService
from services.social.handles import audit_handles
from services.social.media import MediaResolver
from services.social.notifying import SocialNotifier
from services.social.service import SocialService
from services.social.settings import SocialSettings
from services.social.store import SocialStore
from services.social.timelines import timelines_on
from warehouse.emitter import Emitter
from warehouse.settings import Settings

# Mentions, replies, likes, reposts and follows are told through notifications; posts attach
# their authors' videos and files.
NEEDS = ("notify", "video", "files")


def build(
    settings: Settings,
    emitter: Emitter,
    *,
    conf: SocialSettings | None = None,
    clock: Callable[[], float] = time.monotonic,
    notify: NotifyService | None = None,
    video: Any = None,
    files: Any = None,
) -> SocialService:
    """The social network over its store and its own cache tier (Redis when scaled out).

    Home timelines live in the cache tier (``timelines_on``); ``clock`` times its entries
    (the popular-posts list, trends), so tests pass a fake one instead of sleeping. Fan-outs a
    crash interrupted are finished here, before the service answers anyone, and stored
    handles that break the canonical rule (older rows) are logged (``audit_handles``).
    With ``notify``, the people an action concerns are told of it (``notifying``); with
    ``video`` and ``files``, posts may attach the author's videos and files (``media``).
    """
    conf = conf or SocialSettings()
    cache = build_cache(settings, emitter, name="social", clock=clock)
    store = SocialStore(
        make_engine(settings, "social"),
        timelines_on(cache, conf.timeline_cap),
        fanout_threshold=conf.fanout_threshold,
        fanout_batch=conf.fanout_batch,
        cache=cache,
        popular_ttl_s=conf.popular_ttl_s,
    )
    audit_handles(store.engine)
    store.resume_fanouts()
    return SocialService(
        store,
        cache,
        emitter,
        conf=conf,
        lake_dir=settings.lake_dir,
        notifier=SocialNotifier(notify) if notify is not None else None,
        media=MediaResolver(video, files),
    )
