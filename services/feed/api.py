"""The news feed's HTTP API (system 8): the ranked feed and the models behind it.

One router mounts two: ``services.feed.feed_routes`` (``GET /feed``, ``GET /feed/stream``)
and ``services.feed.recs_routes`` (recommendations, similar items, ranking, interaction
events and serving status). Both reach ``FeedService`` through ``FeedDep``.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.feed.feed_routes import router as feed_router
from services.feed.recs_routes import router as recs_router

router = APIRouter()
router.include_router(feed_router)
router.include_router(recs_router)
