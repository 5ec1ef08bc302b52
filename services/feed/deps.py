"""How the feed's routers get the feed service (as the app's composition built it)."""

from __future__ import annotations

from typing import Annotated

from services.deps import system_service
from services.feed.service import FeedService

FeedDep = Annotated[FeedService, system_service("feed")]
