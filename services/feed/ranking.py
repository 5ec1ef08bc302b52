"""Building one viewer's ranked feed. Plain Python, called by ``FeedService.feed``.

Candidates come from three sources: the viewer's home timeline (followed accounts), recent
popular posts, and ALS out-of-network posts (posts by accounts the viewer does not follow,
best first by the served recommender). Reposts are collapsed into the post they repost: the
feed shows the original once, with who reposted it as a reason. The promoted ranker scores
the originals; then the diversity rule (``diversify``) keeps any one author to at most
``max_per_author`` of any ``author_window`` consecutive items, which bounds the top 10. With no
ranker promoted (or when candidate generation ate the latency budget) the feed is
reverse-chronological, under the same rule, and says so. Every item carries the reasons it
sits where it does: where it came from, what moved the ranker's score most, and whether the
author cap moved it down.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from models.bundle import RecBundle
from models.ranker_features import Candidate
from services.feed.serving import Loaded
from services.social.model import Post
from services.social.store import SocialStore


@dataclass(frozen=True)
class FeedPolicy:
    followed_candidates: int = 500
    popular_candidates: int = 200
    als_candidates: int = 300
    max_per_author: int = 2
    author_window: int = 10
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
    reasons: list[list[str]] = field(default_factory=list)
    reposted_by: list[list[str]] = field(default_factory=list)


def diversify(
    order: Sequence[Post], max_per_author: int, window: int = 10, limit: int | None = None
) -> list[Post]:
    """The best-first ``order`` re-ordered so that no author has more than ``max_per_author``
    posts in any ``window`` consecutive items: each slot takes the best remaining post whose
    author is under the cap in the ``window - 1`` items before it. When no remaining post
    qualifies the feed ends there: a shorter feed, never a broken rule."""
    pending = list(order)
    out: list[Post] = []
    while pending and (limit is None or len(out) < limit):
        recent = [p.author for p in out[max(0, len(out) - window + 1) :]]
        pick = next(
            (i for i, p in enumerate(pending) if recent.count(p.author) < max_per_author), None
        )
        if pick is None:
            break
        out.append(pending.pop(pick))
    return out


def als_candidates(
    viewer: str, store: SocialStore, recs: RecBundle | None, n: int, excluded_authors: set[int]
) -> list[Post]:
    """Up to ``n`` posts the served ALS ranks best for ``viewer`` among posts the social store
    holds, by accounts outside ``excluded_authors`` (followed accounts and the viewer).

    Empty for a viewer the recommender has no history for. The recommender's catalogue also
    holds items no store serves (posts recorded through ``POST /interactions``), so the
    ranking is walked, a slice at a time, until ``n`` servable posts are found: cutting it at
    ``n`` first can leave none."""
    if recs is None or n <= 0 or viewer not in recs.users:
        return []
    out: list[Post] = []
    looked, depth = 0, n + 16
    while True:
        ranked, _ = recs.recommend(viewer, depth, kind="post")
        keys = [item.split(":", 1)[1] for item, _ in ranked[looked:]]
        ids = [int(k) for k in keys if k.isdigit() and len(k) < 19]
        for post in store.posts_by_ids(ids):
            if post.author_id not in excluded_authors and post.repost_of is None:
                out.append(post)
                if len(out) == n:
                    return out
        if len(ranked) < depth:  # the whole catalogue was walked
            return out
        looked, depth = len(ranked), depth * 4


def gather_candidates(
    viewer: str, store: SocialStore, recs: RecBundle | None, policy: FeedPolicy
) -> tuple[list[Post], dict[int, list[str]], dict[str, int], set[int], int]:
    """Candidate posts with their sources, counts per source, the ids of the accounts the
    viewer follows, and the viewer's own id."""
    me = store.user_id(viewer)
    followees = store.followee_ids(viewer)
    followed = store.home_timeline_ids(viewer, None, policy.followed_candidates)
    popular = store.popular_posts(policy.popular_candidates)
    als = als_candidates(viewer, store, recs, policy.als_candidates, followees | {me})
    sources: dict[int, list[str]] = {}
    for name, ids in (("followed", followed), ("popular", popular), ("als", [p.id for p in als])):
        for pid in ids:
            sources.setdefault(pid, []).append(name)
    have = {p.id: p for p in als}
    posts = [*store.posts_by_ids([i for i in sources if i not in have]), *als]
    counts = {
        "followed": len(followed),
        "popular": len(popular),
        "als": len(als),
        "unique": len(sources),
    }
    return posts, sources, counts, followees, me


def collapse_reposts(
    posts: list[Post], store: SocialStore, sources: dict[int, list[str]]
) -> tuple[list[Post], dict[int, list[str]], dict[int, list[str]]]:
    """Originals only: every repost is folded into the post it reposts (fetched if needed).

    Returns the originals, who reposted each, and each original's sources (a repost's sources
    count for its original)."""
    originals: dict[int, Post] = {p.id: p for p in posts if p.repost_of is None}
    reposted_by: dict[int, list[str]] = {}
    merged: dict[int, list[str]] = {pid: list(sources.get(pid, [])) for pid in originals}
    reposts = [p for p in posts if p.repost_of is not None]
    missing = [p.repost_of for p in reposts if p.repost_of not in originals]
    for p in store.posts_by_ids(list(dict.fromkeys(missing))):
        originals[p.id] = p
        merged.setdefault(p.id, [])
    for r in reposts:
        if r.repost_of not in originals:
            continue
        who = reposted_by.setdefault(r.repost_of, [])
        if r.author not in who:
            who.append(r.author)
        for s in sources.get(r.id, []):
            tag = "reposted" if s == "followed" else s
            if tag not in merged[r.repost_of]:
                merged[r.repost_of].append(tag)
    return list(originals.values()), reposted_by, merged


def _source_reason(post: Post, sources: list[str], reposters: list[str]) -> list[str]:
    out = []
    if "followed" in sources:
        out.append(f"from @{post.author}, whom you follow")
    if reposters:
        shown = ", ".join(f"@{h}" for h in reposters[:3])
        more = f" and {len(reposters) - 3} more" if len(reposters) > 3 else ""
        out.append(f"reposted by {shown}{more}")
    if "popular" in sources:
        out.append(f"popular now ({post.likes + post.reposts + post.replies} engagements)")
    if "als" in sources:
        out.append("out of network: readers with similar taste engaged with posts like it (ALS)")
    return out


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
    fetched, sources, counts, followees, me = gather_candidates(viewer, store, loaded.recs, policy)
    originals, reposted_by, merged = collapse_reposts(fetched, store, sources)
    posts = [p for p in originals if p.author_id != me]
    counts["shown_as_originals"] = len(posts)
    spent = (time.perf_counter() - started) * 1000
    ranker = loaded.ranker
    explained: dict[int, list[str]] = {}
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
        when = now or time.time()
        cands = {
            p.id: Candidate(
                post_id=str(p.id),
                author=p.author,
                created_ts=p.created_at.timestamp(),
                text_len=len(p.text),
                n_hashtags=len(p.hashtags),
                hashtags=tuple(sorted({t.lower() for t in p.hashtags})),
                engagements=p.likes + p.reposts + p.replies,
                followed=p.author_id in followees,
            )
            for p in posts
        }
        X = ranker.features(viewer, list(cands.values()), when, loaded.recs)
        row_of = {p.id: i for i, p in enumerate(posts)}
        score_of = {p.id: s for p, s in zip(posts, ranker.predict(X).tolist(), strict=True)}
        order = sorted(posts, key=lambda p: (-score_of[p.id], -p.id))
        ranked_by, version, reason = "ranker", loaded.ranker_version, "ranked by the promoted model"
    final = diversify(order, policy.max_per_author, policy.author_window, limit)
    if ranked_by == "ranker":
        why = ranker.explain_rows(X[[row_of[p.id] for p in final]])
        explained = {
            p.id: [f"{delta:+.3f} {label}" for label, delta in w]
            for p, w in zip(final, why, strict=True)
        }
    rank_of = {p.id: i for i, p in enumerate(order)}
    reasons = []
    for pos, p in enumerate(final):
        r = _source_reason(p, merged.get(p.id, []), reposted_by.get(p.id, []))
        r += explained.get(p.id, [])
        if rank_of[p.id] < pos:
            r.append(
                f"moved down from #{rank_of[p.id] + 1} by the author cap "
                f"({policy.max_per_author} per {policy.author_window})"
            )
        reasons.append(r)
    if len(final) < min(limit, len(posts)):
        reason += (
            f"; the feed ends after {len(final)} items: every other candidate's author is at the "
            f"cap ({policy.max_per_author} per {policy.author_window})"
        )
    return RankedFeed(
        posts=final,
        scores=[score_of[p.id] for p in final],
        ranked_by=ranked_by,
        reason=reason,
        ranker_version=version,
        als_version=loaded.recs_version,
        candidates=counts,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        reasons=reasons,
        reposted_by=[reposted_by.get(p.id, []) for p in final],
    )
