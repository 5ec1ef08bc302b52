"""Model serving endpoints: recommendations, similar items, feed ranking, interaction events.

Read routes are ``async``: scoring takes well under a millisecond, so a thread-pool hop
would cost more than the work.

Documented behaviour for unknowns: an unknown user gets the popularity fallback
(``source: "popularity"``); an unknown item gets 404; with no promoted model at all the
recommendation answers 200 with ``source: "none"`` and no items, and ranking falls back to
reverse-chronological order (``source: "recency"``). Every response names the model version.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import AwareDatetime, BaseModel, Field, field_validator

from models.ranker_features import Candidate
from services.deps import EmitterDep, require_roles
from services.recs.serving import ModelServer, server_for
from warehouse.events import Event

router = APIRouter(tags=["recommendations"])
Kind = Literal["video", "product", "post", "user"]
MAX_K = 100
MAX_EVENT_AGE = timedelta(days=30)


async def _server(request: Request) -> ModelServer:
    return server_for(request.app)


ServerDep = Annotated[ModelServer, Depends(_server)]


async def startup(app) -> None:
    """Load the production models once, before the first request."""
    app.state.recs_server = ModelServer.for_dir(app.state.settings.models_dir)


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
        default=None, description="when it happened (offline clients, replays); default now"
    )

    @field_validator("ts")
    @classmethod
    def _recent(cls, ts: datetime | None) -> datetime | None:
        now = datetime.now(UTC)
        if ts is not None and not now - MAX_EVENT_AGE <= ts <= now + timedelta(minutes=5):
            raise ValueError("ts must lie within the last 30 days and not in the future")
        return ts


class InteractionsIn(BaseModel):
    events: list[InteractionIn] = Field(min_length=1, max_length=1000)


class Accepted(BaseModel):
    accepted: int


def _items(pairs: list[tuple[str, float]]) -> list[ScoredItem]:
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
    server: ServerDep,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    kind: Kind | None = None,
) -> Recommendations:
    """Top-k items the user has not seen; unknown users get the most popular items."""
    loaded = server.current()
    if loaded.recs is None:
        return Recommendations(
            user_id=user_id, kind=kind, model_version=None, source="none", items=[]
        )
    ranked, fallback = loaded.recs.recommend(user_id, k, kind)
    return Recommendations(
        user_id=user_id,
        kind=kind,
        model_version=loaded.recs_version,
        source="popularity" if fallback else "als",
        items=_items(ranked),
    )


@router.get("/items/{item_id}/similar", response_model=SimilarItems, operation_id="similar_items")
async def similar_items(
    item_id: str,
    server: ServerDep,
    kind: Kind = "video",
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    method: Literal["als", "also"] = "als",
) -> SimilarItems:
    """Items like this one (ALS cosine) or "also watched / also bought" (co-occurrence)."""
    loaded = server.current()
    key = f"{kind}:{item_id}"
    if loaded.recs is None or key not in loaded.recs.items:
        raise HTTPException(
            404,
            f"unknown {kind} item {item_id!r}: no interactions with it "
            "in the served model's training data",
        )
    fn = loaded.recs.similar if method == "als" else loaded.recs.also
    return SimilarItems(
        item_id=item_id,
        kind=kind,
        method=method,
        model_version=loaded.recs_version,
        items=_items(fn(key, k, kind)),
    )


@router.post("/rank", response_model=RankResponse, operation_id="rank_candidates")
def rank(body: RankRequest, server: ServerDep) -> RankResponse:
    """Score (viewer, post) candidates with the promoted feed ranker, best first."""
    loaded = server.current()
    if loaded.ranker is None:
        order = sorted(body.candidates, key=lambda c: -(c.created_ts or 0.0))
        return RankResponse(
            model_version=None,
            als_version=loaded.recs_version,
            source="recency",
            ranked=[RankedPost(post_id=c.post_id, score=c.created_ts or 0.0) for c in order],
        )
    cands = [Candidate(**c.model_dump()) for c in body.candidates]
    scores = loaded.ranker.score(body.viewer, cands, body.now or time.time(), loaded.recs)
    ranked = sorted(zip(cands, scores.tolist(), strict=True), key=lambda cs: -cs[1])
    return RankResponse(
        model_version=loaded.ranker_version,
        als_version=loaded.recs_version,
        source="ranker",
        ranked=[RankedPost(post_id=c.post_id, score=round(s, 6)) for c, s in ranked],
    )


@router.post(
    "/interactions",
    response_model=Accepted,
    status_code=202,
    operation_id="record_interactions",
    dependencies=[require_roles("service")],
)
def record_interactions(body: InteractionsIn, emitter: EmitterDep) -> Accepted:
    """Record implicit feedback (views, likes, watch time, purchases) as ``recs`` events."""
    batch = []
    for e in body.events:
        attrs = {**e.attrs, "kind": e.kind}
        if e.watch_seconds is not None:
            attrs["watch_seconds"] = e.watch_seconds
        extra = {"ts": e.ts.astimezone(UTC)} if e.ts else {}
        batch.append(Event("recs", e.type, actor=e.user_id, entity=e.item_id, attrs=attrs, **extra))
    emitter.emit_events(batch)  # one durable append for the whole batch
    return Accepted(accepted=len(body.events))


class ServingStatus(BaseModel):
    recs_version: str | None
    ranker_version: str | None
    production: dict[str, str | None]
    errors: dict[str, dict[str, str]]
    reloads: int


@router.get("/models/serving", response_model=ServingStatus, operation_id="models_serving")
async def serving_status(server: ServerDep) -> ServingStatus:
    """Which versions this process serves, and any artifact that failed to load."""
    return ServingStatus(**server.status())
