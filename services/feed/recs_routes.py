"""Model serving routes: recommendations, similar items, ranking, interaction events.

Read routes are ``async``: scoring takes well under a millisecond, so a thread-pool hop
would cost more than the work. Every response names the model version it came from; what
happens for unknown users and items is documented on ``services.feed.service``.

Who may call what: a user's recommendations and a ranking for a viewer reveal that person's
tastes, so they need a key and are the caller's own (admins and the ``service`` role may ask
for anyone); recording interactions is for the ``service`` role. Similar items and the
serving status say nothing about any person and are public. Ids, counts and text in are
bounded (64-bit integers, finite floats, ``CleanText``): bad input is a 422, never a 500.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from models.ranker_features import Candidate
from services.deps import CurrentUser, require_roles
from services.feed.deps import FeedDep
from services.feed.service import Interaction, Scored
from services.social.text import CleanText

router = APIRouter(tags=["recommendations"])
Kind = Literal["video", "product", "post", "user"]
MAX_K = 100
MAX_INT = 2**63 - 1  # what a 64-bit store, an event's JSON and the lake can hold

Count = Annotated[int, Field(ge=0, le=MAX_INT)]
Name = Annotated[CleanText, Field(min_length=1, max_length=200)]
UnixSeconds = Annotated[float, Field(allow_inf_nan=False, description="unix seconds")]


def _int64(value: object) -> object:
    # Before the union, which would otherwise take a too-large int as a float.
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and not -MAX_INT - 1 <= value <= MAX_INT
    ):
        raise PydanticCustomError("int64", "an integer attribute is 64-bit: -2**63 to 2**63 - 1")
    return value


AttrValue = Annotated[
    Annotated[CleanText, Field(max_length=1000)]
    | bool
    | int
    | Annotated[float, Field(allow_inf_nan=False)],
    BeforeValidator(_int64),
]


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
    post_id: Name
    author: Annotated[CleanText, Field(max_length=200)] | None = None
    created_ts: UnixSeconds | None = None
    text_len: Count | None = None
    n_hashtags: Count | None = None
    has_media: bool | None = None
    engagements: Count | None = None
    views: Count | None = None


class RankRequest(BaseModel):
    viewer: Name = Field(description="whose ranking: the caller, unless admin or service")
    candidates: list[RankCandidate] = Field(max_length=5000)
    now: UnixSeconds | None = Field(default=None, description="unix seconds; default: now")


class RankedPost(BaseModel):
    post_id: str
    score: float


class RankResponse(BaseModel):
    model_version: str | None
    als_version: str | None
    source: Literal["ranker", "recency"]
    ranked: list[RankedPost]


class InteractionIn(BaseModel):
    user_id: Name
    item_id: Name
    kind: Kind
    type: Literal["view", "like", "watch", "purchase", "follow", "post"]
    watch_seconds: float | None = Field(default=None, ge=0, le=86400, allow_inf_nan=False)
    attrs: dict[Annotated[CleanText, Field(max_length=100)], AttrValue] = Field(
        default_factory=dict, max_length=50
    )
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
    user_id: Annotated[CleanText, Path(min_length=1, max_length=200)],
    me: CurrentUser,
    feed: FeedDep,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    kind: Kind | None = None,
) -> Recommendations:
    """Top-k items the user has not seen; unknown users get the most popular items
    (``source: "popularity"``), and with no promoted model the list is empty
    (``source: "none"``).

    They reveal the user's tastes: 401 without a key, 403 for anyone but the user, admins and
    the ``service`` role."""
    feed.ensure_may_read(me.user_id, user_id, privileged=me.has("service"))
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
    item_id: Annotated[CleanText, Path(min_length=1, max_length=200)],
    feed: FeedDep,
    kind: Kind = "video",
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    method: Literal["als", "also"] = "als",
) -> SimilarItems:
    """Items like this one (ALS cosine) or "also watched / also bought" (co-occurrence);
    404 for an item the served model never saw.

    Public, no key needed: item-to-item similarity is aggregated over everyone and names no
    user, so it reveals nothing personal."""
    sim = feed.similar(item_id, kind, k, method)
    return SimilarItems(
        item_id=sim.item_id,
        kind=sim.kind,
        method=sim.method,
        model_version=sim.model_version,
        items=_items(sim.items),
    )


@router.post("/rank", response_model=RankResponse, operation_id="rank_candidates")
def rank(body: RankRequest, me: CurrentUser, feed: FeedDep) -> RankResponse:
    """Score (viewer, post) candidates with the promoted feed ranker, best first (newest
    first, ``source: "recency"``, when no ranker is promoted).

    Scores use the viewer's affinities and ALS factors, so they reveal the viewer's tastes:
    401 without a key, 403 unless the viewer is the caller, an admin or the ``service`` role."""
    feed.ensure_may_read(me.user_id, body.viewer, privileged=me.has("service"))
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
    """Which versions this process serves, and any artifact that failed to load.

    Public, no key needed: model versions and load errors are operational facts about this
    process and name no user."""
    return ServingStatus(**feed.serving_status())
