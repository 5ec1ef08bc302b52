"""The news feed's composition root: the only place its service is put together.

The feed needs the social network (its posts, follows and new-post notifications), so the
social service is built first and handed in (``NEEDS``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from services.feed.service import FeedService
from services.feed.serving import ModelServer
from services.feed.settings import FeedSettings
from services.social.service import SocialService
from warehouse.emitter import Emitter
from warehouse.settings import Settings

NEEDS = ("social",)


def build(
    settings: Settings,
    emitter: Emitter,
    *,
    social: SocialService,
    conf: FeedSettings | None = None,
    clock: Callable[[], float] = time.time,
) -> FeedService:
    """The feed over the social service, serving the registry's production models.

    The models are loaded here, once, so the first request does not pay for it; afterwards
    the server hot-swaps them when a promotion or rollback moves a stage pointer.
    """
    conf = conf or FeedSettings()
    server = ModelServer.for_dir(settings.models_dir, conf.model_check_interval_s)
    return FeedService(social, emitter, server=server, conf=conf, clock=clock)
