"""The messaging system's composition root: the only place its service is put together."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from services.cache import build_cache
from services.chat.bus import make_bus
from services.chat.push import Pusher
from services.chat.service import ChatService
from services.chat.settings import ChatSettings
from services.chat.store import ChatStore
from services.db import make_engine
from warehouse.emitter import Emitter
from warehouse.settings import Settings

NEEDS = ("notify", "files")  # push wake-ups; attachments


def build(
    settings: Settings,
    emitter: Emitter,
    *,
    notify: Any = None,
    files: Any = None,
    conf: ChatSettings | None = None,
    clock: Callable[[], float] = time.time,
) -> ChatService:
    """The messaging service over its store (SQLite, or PostgreSQL when scaled out), its
    cache tier (presence) and, when given, the notification service for push wake-ups and the
    file service for attachments. With a Redis (``BLUEPRINT_REDIS_URL``) several processes
    share delivery through its pub/sub (``services.chat.bus``); otherwise it is in-process.

    ``clock`` is wall time: edit windows, retention and presence follow it, so tests move
    time instead of sleeping.
    """
    conf = conf or ChatSettings()
    cache = build_cache(settings, emitter, name="chat", clock=time.monotonic)
    pusher = Pusher(notify, emitter) if notify is not None else None
    return ChatService(
        ChatStore(make_engine(settings, "chat")),
        conf,
        emitter,
        cache,
        clock=clock,
        pusher=pusher,
        files=files,
        bus=make_bus(settings.redis_url, conf.bus_channel),
    )
