"""The ranked news feed's HTTP API (system 8)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sse_starlette.sse import EventSourceResponse

from services.deps import CurrentUser, EmitterDep
from services.feed.live import FeedBroker
from services.feed.ranking import FeedPolicy, build_feed
from services.recs.api import router as recs_router
from services.recs.api import startup as recs_startup
from services.recs.serving import server_for
from services.social.api import SocialRoute, post_out
from services.social.schemas import PostOut
from warehouse.events import Event

feed_router = APIRouter(prefix="/feed", tags=["feed"], route_class=SocialRoute)


async def startup(app) -> None:
    await recs_startup(app)
    app.state.feed_broker = FeedBroker()
    if not hasattr(app.state, "feed_policy"):
        app.state.feed_policy = FeedPolicy()


class FeedItem(PostOut):
    score: float


class FeedOut(BaseModel):
    viewer: str
    ranked_by: str
    reason: str
    ranker_version: str | None
    als_version: str | None
    candidates: dict[str, int]
    elapsed_ms: float
    items: list[FeedItem]


@feed_router.get("", response_model=FeedOut, operation_id="feed_ranked")
def ranked_feed(
    request: Request,
    me: CurrentUser,
    emitter: EmitterDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> FeedOut:
    """The caller's ranked feed. ``ranked_by`` says whether the promoted model ranked it or it
    fell back to reverse-chronological order (and ``reason`` says why)."""
    store = request.app.state.social
    feed = build_feed(
        me.user_id,
        store,
        server_for(request.app).current(),
        limit=limit,
        policy=request.app.state.feed_policy,
    )
    # Impressions are the ranker's exposure signal; likes after them are its labels.
    emitter.emit_events(
        [
            Event(
                system="feed",
                type="impression",
                actor=me.user_id,
                entity=str(p.id),
                attrs={
                    "kind": "post",
                    "position": i,
                    "score": round(s, 6),
                    "ranked_by": feed.ranked_by,
                    "model_version": feed.ranker_version,
                },
            )
            for i, (p, s) in enumerate(zip(feed.posts, feed.scores, strict=True))
        ]
    )
    return FeedOut(
        viewer=me.user_id,
        ranked_by=feed.ranked_by,
        reason=feed.reason,
        ranker_version=feed.ranker_version,
        als_version=feed.als_version,
        candidates=feed.candidates,
        elapsed_ms=round(feed.elapsed_ms, 3),
        items=[
            FeedItem(**post_out(p).model_dump(), score=s)
            for p, s in zip(feed.posts, feed.scores, strict=True)
        ],
    )


@feed_router.get("/stream", operation_id="feed_live", response_class=EventSourceResponse)
async def live_feed(
    request: Request,
    me: CurrentUser,
    max_seconds: Annotated[float, Query(gt=0, le=3600)] = 300,
) -> EventSourceResponse:
    """Server-sent events: a ``post`` event whenever an account the caller follows posts.
    The stream ends after ``max_seconds``; clients reconnect (EventSource does so itself)."""
    broker: FeedBroker = request.app.state.feed_broker
    loop_sub = broker.subscribe(me.user_id)
    deadline = time.monotonic() + max_seconds

    async def events() -> AsyncIterator[dict]:
        try:
            yield {"event": "ready", "data": "{}"}
            while time.monotonic() < deadline:
                try:
                    msg = await asyncio.wait_for(loop_sub[1].get(), timeout=1.0)
                except TimeoutError:
                    if await request.is_disconnected():
                        break
                    continue
                yield {"event": "post", "id": str(msg["id"]), "data": orjson.dumps(msg).decode()}
        finally:
            broker.unsubscribe(me.user_id, loop_sub)

    return EventSourceResponse(events(), ping=15)


router = APIRouter()
router.include_router(feed_router)
router.include_router(recs_router)
