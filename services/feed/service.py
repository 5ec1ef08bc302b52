"""The news feed's service: ranked feeds, live updates and model serving, with their events.

``FeedService`` owns the model server (the promoted recommender and feed ranker, hot-swapped
when the registry's stage pointers move), the live-update broker, the feed policy and the
clock. It reads the social network through ``SocialService`` (its store for candidates, its
post notifications for live updates) and emits its own events, all with system ``feed``:
``impression`` for every post a feed showed (the ranker's exposure signal; likes after it are
its labels) and the implicit feedback recorded through ``record_interactions``.

Documented behaviour for unknowns: an unknown user gets the popularity fallback (``source
"popularity"``); an unknown item raises ``UnknownItem`` (404); with no promoted model at all
recommendations are empty with ``source "none"`` and ranking falls back to recency.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from models.ranker_features import Candidate
from models.registry import ModelRegistry
from services.errors import Forbidden, Invalid, NotFound
from services.feed.live import FeedBroker, Subscription, announce_post
from services.feed.ranking import FeedPolicy, RankedFeed, build_feed
from services.feed.serving import Loaded, ModelServer
from services.feed.settings import FeedSettings
from services.social.model import Post
from services.social.service import SocialService
from services.social.store import SocialStore
from warehouse.emitter import Emitter
from warehouse.events import Event

SYSTEM = "feed"
FUTURE_SLACK = timedelta(minutes=5)

Scored = list[tuple[str, float]]  # ("<kind>:<item>", score), best first


class UnknownItem(NotFound):
    """An item the served recommender never saw in its training data (404)."""


@dataclass(frozen=True)
class Recommendations:
    user_id: str
    kind: str | None
    model_version: str | None
    source: Literal["als", "popularity", "none"]
    items: Scored


@dataclass(frozen=True)
class SimilarItems:
    item_id: str
    kind: str
    method: Literal["als", "also"]
    model_version: str | None
    items: Scored


@dataclass(frozen=True)
class Ranking:
    model_version: str | None
    als_version: str | None
    source: Literal["ranker", "recency"]
    ranked: list[tuple[str, float]]  # (post id, score), best first


@dataclass(frozen=True)
class Interaction:
    """One piece of implicit feedback: a view, like, watch, purchase, follow or post."""

    user_id: str
    item_id: str
    kind: str
    type: str
    watch_seconds: float | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict)
    ts: datetime | None = None  # when it happened (offline clients, replays); default now


class FeedService:
    """The ranked feed, its live updates, and the models it and the API serve."""

    def __init__(
        self,
        social: SocialService,
        emitter: Emitter,
        *,
        server: ModelServer,
        conf: FeedSettings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.social = social
        self.emitter = emitter
        self.server = server
        self.conf = conf
        self.policy: FeedPolicy = conf.policy()
        self.broker = FeedBroker(conf.live_queue)
        self.clock = clock
        self._unsubscribe = social.subscribe_posts(self.announce)

    @property
    def store(self) -> SocialStore:
        return self.social.store

    def close(self) -> None:
        """Stop hearing of new posts (the social service outlives this one)."""
        unsubscribe, self._unsubscribe = self._unsubscribe, lambda: None
        unsubscribe()

    # -- the ranked feed -----------------------------------------------------------------------
    def feed(self, viewer: str, limit: int = 20) -> RankedFeed:
        """``viewer``'s ranked feed; every post shown is recorded as an ``impression``."""
        feed = build_feed(
            viewer,
            self.store,
            self.server.current(),
            limit=limit,
            policy=self.policy,
            now=self.clock(),
        )
        self.emitter.emit_events(
            [
                Event(
                    SYSTEM,
                    "impression",
                    actor=viewer,
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
        return feed

    # -- live updates --------------------------------------------------------------------------
    def subscribe(self, viewer: str) -> Subscription:
        """A queue of ``viewer``'s live updates, on the running event loop."""
        return self.broker.subscribe(viewer)

    def unsubscribe(self, viewer: str, sub: Subscription) -> None:
        self.broker.unsubscribe(viewer, sub)

    async def next_update(self, sub: Subscription, timeout: float) -> dict[str, Any] | None:
        """The next update of ``sub``, or ``None`` when none came within ``timeout`` seconds."""
        try:
            return await asyncio.wait_for(sub.queue.get(), timeout=timeout)
        except TimeoutError:
            return None

    def announce(self, post: Post) -> int:
        """Tell the connected followers of ``post``'s author about it; how many were told."""
        return announce_post(self.broker, self.store, post)

    # -- model serving -------------------------------------------------------------------------
    @property
    def registry(self) -> ModelRegistry:
        """The registry this service serves from (the training assets write to it)."""
        return self.server.registry

    def models(self) -> Loaded:
        """The models served now (after a throttled look at the registry's pointers)."""
        return self.server.current()

    def reload_models(self) -> Loaded:
        """Load whatever the registry's stage pointers name now, without waiting."""
        self.server.refresh(force=True)
        return self.server.loaded

    def serving_status(self) -> dict[str, Any]:
        """Served versions, production pointers, load errors and the number of reloads."""
        return self.server.status()

    @staticmethod
    def ensure_may_read(actor: str, user_id: str, privileged: bool) -> None:
        """Users read their own recommendations and rankings (ids compared exactly);
        ``privileged`` callers (admins, services) anyone's. ``Forbidden`` (403) otherwise."""
        if actor != user_id and not privileged:
            raise Forbidden("you may read only your own recommendations and rankings")

    def recommend(self, user_id: str, k: int = 10, kind: str | None = None) -> Recommendations:
        """Top-``k`` items ``user_id`` has not seen; unknown users get the most popular."""
        loaded = self.models()
        if loaded.recs is None:
            return Recommendations(user_id, kind, None, "none", [])
        ranked, fallback = loaded.recs.recommend(user_id, k, kind)
        source = "popularity" if fallback else "als"
        return Recommendations(user_id, kind, loaded.recs_version, source, ranked)

    def similar(
        self, item_id: str, kind: str = "video", k: int = 10, method: str = "als"
    ) -> SimilarItems:
        """Items like this one (ALS cosine) or "also watched / also bought" (co-occurrence)."""
        loaded = self.models()
        key = f"{kind}:{item_id}"
        if loaded.recs is None or key not in loaded.recs.items:
            raise UnknownItem(
                f"unknown {kind} item {item_id!r}: no interactions with it "
                "in the served model's training data"
            )
        fn = loaded.recs.similar if method == "als" else loaded.recs.also
        return SimilarItems(item_id, kind, method, loaded.recs_version, fn(key, k, kind))

    def rank(
        self, viewer: str, candidates: Sequence[Candidate], now: float | None = None
    ) -> Ranking:
        """Score (viewer, post) candidates with the promoted ranker, best first; newest first
        when no ranker is promoted."""
        loaded = self.models()
        if loaded.ranker is None:
            order = sorted(candidates, key=lambda c: -(c.created_ts or 0.0))
            ranked = [(c.post_id, c.created_ts or 0.0) for c in order]
            return Ranking(None, loaded.recs_version, "recency", ranked)
        cands = list(candidates)
        scores = loaded.ranker.score(viewer, cands, now or self.clock(), loaded.recs)
        pairs = sorted(zip(cands, scores.tolist(), strict=True), key=lambda cs: -cs[1])
        ranked = [(c.post_id, round(s, 6)) for c, s in pairs]
        return Ranking(loaded.ranker_version, loaded.recs_version, "ranker", ranked)

    def record_interactions(self, interactions: Sequence[Interaction]) -> int:
        """Record implicit feedback as ``feed`` events, in one durable append.

        Back-dated events are accepted up to ``interaction_max_age_days``; none may lie in
        the future (beyond a few minutes of clock skew). Raises ``Invalid`` (422) otherwise.
        """
        now = datetime.fromtimestamp(self.clock(), UTC)
        oldest = now - timedelta(days=self.conf.interaction_max_age_days)
        batch = []
        for e in interactions:
            if e.ts is not None and not oldest <= e.ts <= now + FUTURE_SLACK:
                raise Invalid(
                    f"ts must lie within the last {self.conf.interaction_max_age_days:g} days "
                    f"and not in the future (got {e.ts.isoformat()} for {e.item_id!r})"
                )
            attrs = {**e.attrs, "kind": e.kind}
            if e.watch_seconds is not None:
                attrs["watch_seconds"] = e.watch_seconds
            extra = {"ts": e.ts.astimezone(UTC)} if e.ts else {}
            batch.append(
                Event(SYSTEM, e.type, actor=e.user_id, entity=e.item_id, attrs=attrs, **extra)
            )
        self.emitter.emit_events(batch)
        return len(batch)
