"""Model serving routes: recommendations, similar items, ranking, interaction events.

Read routes are ``async``: scoring takes well under a millisecond, so a thread-pool hop
would cost more than the work. Every response names the model version it came from; what
happens for unknown users and items is documented on ``services.feed.service``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from models.ranker_features import Candidate
from services.deps import require_roles
from services.feed.deps import FeedDep
from services.feed.service import Interaction, Scored

router = APIRouter(tags=["recommendations"])
Kind = Literal["video", "product", "post", "user"]
MAX_K = 100


class ScoredItem(BaseModel):
    item_id: str
    kind: str
    score: float


class Recommendations(BaseModel):
    user_id: str
    kind: str | None
    model_version: str | None = Field(description="registry version of the recs model")
    source: Literal["als", "popularity", "none"]
    items: list[ScoredItem]


class SimilarItems(BaseModel):
    item_id: str
    kind: str
    method: str
    model_version: str | None
    items: list[ScoredItem]


class RankCandidate(BaseModel):
    post_id: str = Field(min_length=1, max_length=200)
    author: str | None = None
    created_ts: float | None = Field(default=None, description="unix seconds")
    text_len: int | None = Field(default=None, ge=0)
    n_hashtags: int | None = Field(default=None, ge=0)
    has_media: bool | None = None
    engagements: int | None = Field(default=None, ge=0)
    views: int | None = Field(default=None, ge=0)


class RankRequest(BaseModel):
    viewer: str = Field(min_length=1, max_length=200)
    candidates: list[RankCandidate] = Field(max_length=5000)
    now: float | None = Field(default=None, description="unix seconds; default: now")


class RankedPost(BaseModel):
    post_id: str
    score: float


class RankResponse(BaseModel):
    model_version: str | None
    als_version: str | None
    source: Literal["ranker", "recency"]
    ranked: list[RankedPost]


class InteractionIn(BaseModel):
    user_id: str = Field(min_length=1, max_length=200)
    item_id: str = Field(min_length=1, max_length=200)
    kind: Kind
    type: Literal["view", "like", "watch", "purchase", "follow", "post"]
    watch_seconds: float | None = Field(default=None, ge=0, le=86400)
    attrs: dict[str, str | int | float | bool] = Field(default_factory=dict)
    ts: AwareDatetime | None = Field(
        default=None,
        description="when it happened (offline clients, replays), within the last 30 days; "
        "default now",
    )


class InteractionsIn(BaseModel):
    events: list[InteractionIn] = Field(min_length=1, max_length=1000)


class Accepted(BaseModel):
    accepted: int


class ServingStatus(BaseModel):
    recs_version: str | None
    ranker_version: str | None
    production: dict[str, str | None]
    errors: dict[str, dict[str, str]]
    reloads: int


def _items(pairs: Scored) -> list[ScoredItem]:
    out = []
    for key, score in pairs:
        kind, _, item = key.partition(":")
        out.append(ScoredItem(item_id=item, kind=kind, score=round(score, 6)))
    return out


@router.get(
    "/recommendations/{user_id}",
    response_model=Recommendations,
    operation_id="recommendations_for_user",
)
async def recommendations(
    user_id: str,
    feed: FeedDep,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    kind: Kind | None = None,
) -> Recommendations:
    """Top-k items the user has not seen; unknown users get the most popular items
    (``source: "popularity"``), and with no promoted model the list is empty
    (``source: "none"``)."""
    rec = feed.recommend(user_id, k, kind)
    return Recommendations(
        user_id=rec.user_id,
        kind=rec.kind,
        model_version=rec.model_version,
        source=rec.source,
        items=_items(rec.items),
    )


@router.get("/items/{item_id}/similar", response_model=SimilarItems, operation_id="similar_items")
async def similar_items(
    item_id: str,
    feed: FeedDep,
    kind: Kind = "video",
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    method: Literal["als", "also"] = "als",
) -> SimilarItems:
    """Items like this one (ALS cosine) or "also watched / also bought" (co-occurrence);
    404 for an item the served model never saw."""
    sim = feed.similar(item_id, kind, k, method)
    return SimilarItems(
        item_id=sim.item_id,
        kind=sim.kind,
        method=sim.method,
        model_version=sim.model_version,
        items=_items(sim.items),
    )


@router.post("/rank", response_model=RankResponse, operation_id="rank_candidates")
def rank(body: RankRequest, feed: FeedDep) -> RankResponse:
    """Score (viewer, post) candidates with the promoted feed ranker, best first (newest
    first, ``source: "recency"``, when no ranker is promoted)."""
    cands = [Candidate(**c.model_dump()) for c in body.candidates]
    ranking = feed.rank(body.viewer, cands, body.now)
    return RankResponse(
        model_version=ranking.model_version,
        als_version=ranking.als_version,
        source=ranking.source,
        ranked=[RankedPost(post_id=p, score=s) for p, s in ranking.ranked],
    )


@router.post(
    "/interactions",
    response_model=Accepted,
    status_code=202,
    operation_id="record_interactions",
    dependencies=[require_roles("service")],
)
def record_interactions(body: InteractionsIn, feed: FeedDep) -> Accepted:
    """Record implicit feedback (views, likes, watch time, purchases) as ``feed`` events."""
    accepted = feed.record_interactions(
        [
            Interaction(
                user_id=e.user_id,
                item_id=e.item_id,
                kind=e.kind,
                type=e.type,
                watch_seconds=e.watch_seconds,
                attrs=e.attrs,
                ts=e.ts,
            )
            for e in body.events
        ]
    )
    return Accepted(accepted=accepted)


@router.get("/models/serving", response_model=ServingStatus, operation_id="models_serving")
async def serving_status(feed: FeedDep) -> ServingStatus:
    """Which versions this process serves, and any artifact that failed to load."""
    return ServingStatus(**feed.serving_status())
