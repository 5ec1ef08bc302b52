"""Building one viewer's ranked feed. Plain Python, called by ``FeedService.feed``.

Candidates come from three sources: the viewer's home timeline (followed accounts), recent
popular posts, and ALS out-of-network posts. The promoted ranker scores them; then a diversity
rule keeps any one author from filling the screen. With no ranker promoted (or when candidate
generation ate the latency budget) the feed is reverse-chronological and says so.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from models.ranker_features import Candidate
from services.feed.serving import Loaded
from services.social.model import Post
from services.social.store import SocialStore


@dataclass(frozen=True)
class FeedPolicy:
    followed_candidates: int = 500
    popular_candidates: int = 200
    als_candidates: int = 300
    max_same_author_run: int = 2
    budget_ms: float = 200.0


@dataclass
class RankedFeed:
    posts: list[Post]
    scores: list[float]
    ranked_by: str  # "ranker" or "reverse_chronological"
    reason: str
    ranker_version: str | None
    als_version: str | None
    candidates: dict[str, int] = field(default_factory=dict)
    elapsed_ms: float = 0.0


def diversify(order: Sequence[Post], max_run: int, limit: int | None = None) -> list[Post]:
    """The first ``limit`` posts re-ordered so that no author has more than ``max_run`` in a
    row, keeping the ranking otherwise (the best post that breaks the run is pulled forward)."""
    pending = list(order)
    out: list[Post] = []
    while pending and (limit is None or len(out) < limit):
        run_author = None
        if len(out) >= max_run and len({p.author for p in out[-max_run:]}) == 1:
            run_author = out[-1].author
        pick = next((i for i, p in enumerate(pending) if p.author != run_author), 0)
        out.append(pending.pop(pick))
    return out


def gather_candidates(
    viewer: str, store: SocialStore, recs, policy: FeedPolicy
) -> tuple[list[int], dict[str, int]]:
    followed = store.home_timeline_ids(viewer, None, policy.followed_candidates)
    popular = store.popular_posts(policy.popular_candidates)
    als: list[int] = []
    if recs is not None:
        items, fallback = recs.recommend(viewer, policy.als_candidates, kind="post")
        if not fallback:
            als = [
                int(item.split(":", 1)[1]) for item, _ in items if item.split(":", 1)[1].isdigit()
            ]
    ids = list(dict.fromkeys([*followed, *popular, *als]))
    return ids, {
        "followed": len(followed),
        "popular": len(popular),
        "als": len(als),
        "unique": len(ids),
    }


def build_feed(
    viewer: str,
    store: SocialStore,
    loaded: Loaded,
    *,
    limit: int = 20,
    policy: FeedPolicy = FeedPolicy(),
    now: float | None = None,
) -> RankedFeed:
    """Rank ``viewer``'s feed with the served models in ``loaded`` (a ``ModelServer`` snapshot);
    ``now`` (unix seconds) is when the ranker measures recency from."""
    started = time.perf_counter()
    ids, counts = gather_candidates(viewer, store, loaded.recs, policy)
    me = store.user_id(viewer)
    posts = [p for p in store.posts_by_ids(ids) if p.author_id != me]
    spent = (time.perf_counter() - started) * 1000
    ranker = loaded.ranker
    if ranker is None or spent > policy.budget_ms * 0.7:
        reason = (
            "no ranker promoted yet"
            if ranker is None
            else (f"candidate generation took {spent:.0f} ms of a {policy.budget_ms:.0f} ms budget")
        )
        order = sorted(posts, key=lambda p: p.id, reverse=True)
        score_of = {p.id: 0.0 for p in posts}
        ranked_by, version = "reverse_chronological", None
    else:
        cands = [
            Candidate(
                post_id=str(p.id),
                author=p.author,
                created_ts=p.created_at.timestamp(),
                text_len=len(p.text),
                n_hashtags=p.text.count("#"),
                engagements=p.likes + p.reposts + p.replies,
            )
            for p in posts
        ]
        raw = ranker.score(viewer, cands, now or time.time(), loaded.recs)
        score_of = {p.id: s for p, s in zip(posts, raw.tolist(), strict=True)}
        order = sorted(posts, key=lambda p: (-score_of[p.id], -p.id))
        ranked_by, version, reason = "ranker", loaded.ranker_version, "ranked by the promoted model"
    final = diversify(order, policy.max_same_author_run, limit)
    return RankedFeed(
        posts=final,
        scores=[score_of[p.id] for p in final],
        ranked_by=ranked_by,
        reason=reason,
        ranker_version=version,
        als_version=loaded.recs_version,
        candidates=counts,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )
