"""Feed-ranking features for (viewer, candidate post) pairs, from a snapshot of the lake.

The feed service calls ``FeatureSnapshot.features(viewer, candidates, now, als)``. A candidate
may carry what the feed already knows (author, creation time, text, hashtags, counts, whether
the viewer follows the author); missing fields come from the snapshot the ranker was trained
with. Post events follow one contract: a post is created by an event of type ``post``/
``post_created`` (actor = author, entity = post id, attrs ``text``/``length``, ``hashtags``
(names or a count), ``has_media``); engagement is a ``like``/``repost``/``reply``/``comment``/
``share`` event by the viewer on the post (a ``repost`` carries ``repost_id``: the repost's own
post id, which is the same post for exposure); ``view``/``impression`` is exposure; ``follow``/
``unfollow`` (entity = the followed handle) is the follow graph.

Every feature is an observed count or rate: the viewer's history with the author and with the
post's hashtags, the post's and author's engagement, recency, content, and the ALS cosine. A
viewer's tastes are learnt from what they engaged with, never read from anywhere else.

Recency is two features: the post's age in hours, capped at ``age_cap`` (the oldest age the
ranker was trained on, so serving never extrapolates past it), and its age rank among the
candidates scored together (0 the newest, 1 the oldest). The simulated workloads compress days
into minutes and ``make run`` reads the feed minutes later: without the cap every candidate
would be older than anything trained on, and only the rank would still order them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from models.bundle import RecBundle

CREATE_TYPES = {"post", "post_created", "create_post", "posted"}
ENGAGE_TYPES = {"like", "repost", "reply", "comment", "share"}
EXPOSE_TYPES = {"view", "impression", "read"}
FOLLOW_TYPES = {"follow", "unfollow"}
POST_SYSTEMS = {"social", "feed"}
HASHTAG = re.compile(r"#(\w+)")
TAG_PRIOR = 3.0  # exposures' worth of the viewer's own engagement rate in a per-tag rate
FEATURES = [
    "author_affinity",
    "author_engagements",
    "follows_author",
    "tag_affinity",
    "tag_engage_rate",
    "age_hours",
    "recency_rank",
    "post_engagements",
    "post_views",
    "post_engagement_rate",
    "author_engagement_rate",
    "viewer_engage_rate",
    "text_len",
    "n_hashtags",
    "has_media",
    "als_score",
    "als_known",
]


@dataclass
class Candidate:
    """A post to score; unset fields are looked up in the snapshot."""

    post_id: str
    author: str | None = None
    created_ts: float | None = None
    text_len: int | None = None
    n_hashtags: int | None = None
    has_media: bool | None = None
    engagements: int | None = None
    views: int | None = None
    hashtags: tuple[str, ...] | None = None
    followed: bool | None = None


def post_events(events: pl.DataFrame) -> pl.DataFrame:
    """The post-related events (creation, engagement, exposure, follows) with a short type.

    ``post`` is the post id (for follows: the followed handle)."""
    if events.is_empty():
        return pl.DataFrame(
            schema={
                "ts": pl.Datetime("us", "UTC"),
                "type": pl.String,
                "actor": pl.String,
                "post": pl.String,
                "attrs": pl.String,
            }
        )
    kind = events["attrs"].fill_null("{}").str.json_decode(pl.Struct({"kind": pl.String}))
    t = pl.col("type").str.to_lowercase().str.split(".").list.last()
    is_post = (pl.col("kind") == "post") | (
        pl.col("kind").is_null() & pl.col("system").is_in(list(POST_SYSTEMS))
    )
    is_follow = pl.col("system").is_in(list(POST_SYSTEMS)) & pl.col("t").is_in(list(FOLLOW_TYPES))
    return (
        events.with_columns(kind.struct.field("kind").alias("kind"), t.alias("t"))
        .filter(
            (is_post & pl.col("t").is_in(list(CREATE_TYPES | ENGAGE_TYPES | EXPOSE_TYPES)))
            | is_follow
        )
        .select(
            pl.col("ts").cast(pl.Datetime("us", "UTC")),
            pl.col("t").alias("type"),
            "actor",
            pl.col("entity").alias("post"),
            "attrs",
        )
    )


def post_content(attrs: dict[str, Any]) -> tuple[int, tuple[str, ...], int, bool]:
    """Length, hashtag names (lower case), hashtag count and media flag of a creation event.

    Hashtags come from ``hashtags`` when it lists them, else from ``#words`` in ``text``."""
    text = attrs.get("text") or ""
    length = int(attrs.get("length", len(text)) or 0)
    tags = attrs.get("hashtags")
    if not isinstance(tags, list):
        tags = HASHTAG.findall(text) if isinstance(text, str) else []
    names = tuple(sorted({str(t).lower() for t in tags}))
    n_tags = len(tags) or (int(attrs["hashtags"]) if _is_count(attrs.get("hashtags")) else 0)
    return length, names, n_tags, bool(attrs.get("has_media", False))


def age_ranks(created: np.ndarray) -> np.ndarray:
    """Each post's age rank among ``created`` (unix seconds): 0 the newest, 1 the oldest,
    ties sharing the lowest rank of their group."""
    n = created.size
    if n <= 1:
        return np.zeros(n)
    newest_first = np.sort(-created)
    return np.searchsorted(newest_first, -created, side="left") / (n - 1)


def _is_count(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


@dataclass
class FeatureSnapshot:
    """Counts as of ``as_of``: per post, per author, per (viewer, author) and (viewer, tag)."""

    as_of: float = 0.0
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    affinity: dict[str, dict[str, int]] = field(default_factory=dict)
    viewer_total: dict[str, int] = field(default_factory=dict)
    viewer_seen: dict[str, int] = field(default_factory=dict)
    author_stats: dict[str, list[int]] = field(default_factory=dict)
    tag_engaged: dict[str, dict[str, int]] = field(default_factory=dict)
    tag_seen: dict[str, dict[str, int]] = field(default_factory=dict)
    follows: dict[str, set[str]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    engaged: dict[str, set[str]] = field(default_factory=dict)
    age_cap: float | None = None

    def resolve(self, post: str) -> str:
        """The post a repost id stands for (itself for an original)."""
        return self.aliases.get(post, post)

    @classmethod
    def from_events(cls, posts_frame: pl.DataFrame) -> FeatureSnapshot:
        """Build from ``post_events`` output (everything in it counts)."""
        import orjson

        snap = cls()
        if posts_frame.is_empty():
            return snap
        snap.as_of = posts_frame["ts"].max().timestamp()
        eng: Counter[str] = Counter()
        views: Counter[str] = Counter()
        affinity: dict[str, Counter[str]] = defaultdict(Counter)
        tag_eng: dict[str, Counter[str]] = defaultdict(Counter)
        tag_seen: dict[str, Counter[str]] = defaultdict(Counter)
        seen: Counter[str] = Counter()
        engaged: dict[str, set[str]] = defaultdict(set)
        for r in posts_frame.sort("ts").iter_rows(named=True):
            typ, actor = r["type"], r["actor"]
            if typ in FOLLOW_TYPES:
                if actor and r["post"]:
                    followed = snap.follows.setdefault(actor, set())
                    (followed.add if typ == "follow" else followed.discard)(r["post"])
                continue
            if typ in CREATE_TYPES:
                length, names, n_tags, media = post_content(orjson.loads(r["attrs"] or "{}"))
                snap.posts[r["post"]] = {
                    "author": actor,
                    "created_ts": r["ts"].timestamp(),
                    "text_len": length,
                    "tags": names,
                    "n_hashtags": n_tags,
                    "has_media": media,
                }
                continue
            if typ == "repost":
                repost_id = orjson.loads(r["attrs"] or "{}").get("repost_id")
                if repost_id is not None:
                    snap.aliases[str(repost_id)] = r["post"]
            post = snap.resolve(r["post"])
            info = snap.posts.get(post, {})
            if typ in ENGAGE_TYPES:
                eng[post] += 1
                if actor and post not in engaged[actor]:
                    engaged[actor].add(post)
                    if info.get("author"):
                        affinity[actor][info["author"]] += 1
                    for tag in info.get("tags", ()):
                        tag_eng[actor][tag] += 1
            else:
                views[post] += 1
                if actor:
                    seen[actor] += 1
                    for tag in info.get("tags", ()):
                        tag_seen[actor][tag] += 1
        for post, info in snap.posts.items():
            info["engagements"], info["views"] = eng[post], views[post]
            stats = snap.author_stats.setdefault(info["author"], [0, 0])
            stats[0] += eng[post]
            stats[1] += max(views[post], eng[post])
        snap.affinity = {v: dict(c) for v, c in affinity.items()}
        snap.viewer_total = {v: len(p) for v, p in engaged.items()}
        snap.viewer_seen = dict(seen)
        snap.tag_engaged = {v: dict(c) for v, c in tag_eng.items()}
        snap.tag_seen = {v: dict(c) for v, c in tag_seen.items()}
        snap.engaged = dict(engaged)
        return snap

    def viewer_rate(self, viewer: str) -> float:
        """The viewer's engagements per exposure, shrunk towards 0.2 for new viewers."""
        n_eng = self.viewer_total.get(viewer, 0)
        return (n_eng + 1.0) / (max(self.viewer_seen.get(viewer, 0), n_eng) + 5.0)

    def features(
        self,
        viewer: str,
        candidates: Sequence[Candidate],
        now: datetime | float | None = None,
        als: RecBundle | None = None,
    ) -> np.ndarray:
        """One row of ``FEATURES`` per candidate."""
        if now is None:
            now_ts = self.as_of
        else:
            now_ts = now.timestamp() if isinstance(now, datetime) else float(now)
        aff = self.affinity.get(viewer, {})
        total = self.viewer_total.get(viewer, 0)
        t_eng = self.tag_engaged.get(viewer, {})
        t_seen = self.tag_seen.get(viewer, {})
        follows = self.follows.get(viewer, set())
        rate = self.viewer_rate(viewer)
        als_scores = (
            als.score(viewer, [f"post:{c.post_id}" for c in candidates])
            if als is not None
            else [None] * len(candidates)
        )
        out = np.zeros((len(candidates), len(FEATURES)), dtype=np.float64)
        created_at = np.array(
            [
                c.created_ts
                if c.created_ts is not None
                else self.posts.get(self.resolve(c.post_id), {}).get("created_ts", now_ts)
                for c in candidates
            ],
            dtype=np.float64,
        )
        age_rank = age_ranks(created_at)
        age_hours = np.maximum(0.0, now_ts - created_at) / 3600.0
        if self.age_cap is not None:
            age_hours = np.minimum(age_hours, self.age_cap)
        for i, c in enumerate(candidates):
            p = self.posts.get(self.resolve(c.post_id), {})
            author = c.author or p.get("author")
            eng = c.engagements if c.engagements is not None else p.get("engagements", 0)
            views = c.views if c.views is not None else p.get("views", 0)
            tags = c.hashtags if c.hashtags is not None else p.get("tags", ())
            a_eng, a_views = self.author_stats.get(author, [0, 0])
            n_aff = aff.get(author, 0)
            followed = c.followed if c.followed is not None else author in follows
            tag_aff = max((t_eng.get(t, 0) for t in tags), default=0) / (total + 5.0)
            tag_rate = max(
                (
                    (t_eng.get(t, 0) + TAG_PRIOR * rate)
                    / (max(t_seen.get(t, 0), t_eng.get(t, 0)) + TAG_PRIOR)
                    for t in tags
                ),
                default=rate,
            )
            s = als_scores[i]
            out[i] = [
                (n_aff + 1) / (total + 5),
                n_aff,
                float(followed),
                tag_aff,
                tag_rate,
                age_hours[i],
                age_rank[i],
                eng,
                views,
                (eng + 1) / (max(views, eng) + 10),
                (a_eng + 1) / (a_views + 10),
                rate,
                c.text_len if c.text_len is not None else p.get("text_len", 0),
                c.n_hashtags if c.n_hashtags is not None else p.get("n_hashtags", len(tags)),
                float(c.has_media if c.has_media is not None else p.get("has_media", False)),
                0.0 if s is None else s,
                0.0 if s is None else 1.0,
            ]
        return out
