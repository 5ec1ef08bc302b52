"""The ranked news feed's routes: ``GET /feed`` and its live stream ``GET /feed/stream``.

Both are the caller's own (``MyHandle``: the caller's canonical user id, as in the social
network); nobody reads another's feed.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sse_starlette.sse import EventSourceResponse

from services.feed.deps import FeedDep
from services.social.deps import MyHandle
from services.social.schemas import PostOut, post_out

router = APIRouter(prefix="/feed", tags=["feed"])
POLL_S = 1.0  # how often a quiet stream checks whether its client went away


class FeedItem(PostOut):
    score: float
    reasons: list[str]
    reposted_by: list[str]


class FeedOut(BaseModel):
    viewer: str
    ranked_by: str
    reason: str
    ranker_version: str | None
    als_version: str | None
    candidates: dict[str, int]
    elapsed_ms: float
    items: list[FeedItem]


@router.get("", response_model=FeedOut, operation_id="feed_ranked")
def ranked_feed(
    me: MyHandle, feed: FeedDep, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> FeedOut:
    """The caller's ranked feed. ``ranked_by`` says whether the promoted model ranked it or it
    fell back to reverse-chronological order (and ``reason`` says why). Reposts are folded into
    the post they repost (``reposted_by``); no author has more than two of any ten consecutive
    items; each item's ``reasons`` say where it came from and what placed it there."""
    ranked = feed.feed(me, limit)
    return FeedOut(
        viewer=me,
        ranked_by=ranked.ranked_by,
        reason=ranked.reason,
        ranker_version=ranked.ranker_version,
        als_version=ranked.als_version,
        candidates=ranked.candidates,
        elapsed_ms=round(ranked.elapsed_ms, 3),
        items=[
            FeedItem(**post_out(p).model_dump(), score=s, reasons=why, reposted_by=who)
            for p, s, why, who in zip(
                ranked.posts, ranked.scores, ranked.reasons, ranked.reposted_by, strict=True
            )
        ],
    )


@router.get("/stream", operation_id="feed_live", response_class=EventSourceResponse)
async def live_feed(
    request: Request,
    me: MyHandle,
    feed: FeedDep,
    max_seconds: Annotated[float, Query(gt=0, le=3600)] = 300,
) -> EventSourceResponse:
    """Server-sent events: a ``post`` event whenever an account the caller follows posts.
    The stream ends after ``max_seconds``; clients reconnect (EventSource does so itself)."""
    sub = feed.subscribe(me)
    deadline = time.monotonic() + max_seconds

    async def events() -> AsyncIterator[dict]:
        try:
            yield {"event": "ready", "data": "{}"}
            while time.monotonic() < deadline:
                msg = await feed.next_update(sub, timeout=POLL_S)
                if msg is None:
                    if await request.is_disconnected():
                        break
                    continue
                yield {"event": "post", "id": str(msg["id"]), "data": orjson.dumps(msg).decode()}
        finally:
            feed.unsubscribe(me, sub)

    return EventSourceResponse(events(), ping=15)
