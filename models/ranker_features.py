"""Feed-ranking features for (viewer, candidate post) pairs, from a snapshot of the lake.

The feed service calls ``FeatureSnapshot.features(viewer, candidates, now, als)``. A candidate
may carry what the feed already knows (author, creation time, text, counts); missing fields
come from the snapshot the ranker was trained with. Post events follow one contract: a post
is created by an event of type ``post``/``post_created`` (actor = author, entity = post id,
attrs ``text``/``length``, ``hashtags``, ``has_media``); engagement is a ``like``/``repost``/
``reply``/``comment``/``share`` event by the viewer on the post; ``view``/``impression`` is
exposure.
"""

from __future__ import annotations

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
POST_SYSTEMS = {"social", "feed"}
FEATURES = [
    "author_affinity",
    "author_engagements",
    "recency_hours",
    "post_engagements",
    "post_views",
    "post_engagement_rate",
    "author_engagement_rate",
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


def post_events(events: pl.DataFrame) -> pl.DataFrame:
    """The post-related events (creation, engagement, exposure) with a short type."""
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
    return (
        events.with_columns(kind.struct.field("kind").alias("kind"), t.alias("t"))
        .filter(
            (pl.col("kind") == "post")
            | (pl.col("kind").is_null() & pl.col("system").is_in(list(POST_SYSTEMS)))
        )
        .filter(pl.col("t").is_in(list(CREATE_TYPES | ENGAGE_TYPES | EXPOSE_TYPES)))
        .select(
            pl.col("ts").cast(pl.Datetime("us", "UTC")),
            pl.col("t").alias("type"),
            "actor",
            pl.col("entity").alias("post"),
            "attrs",
        )
    )


def _content(attrs: dict[str, Any]) -> tuple[int, int, bool]:
    text = attrs.get("text") or ""
    length = int(attrs.get("length", len(text)) or 0)
    tags = attrs.get("hashtags")
    n_tags = len(tags) if isinstance(tags, list) else int(tags or text.count("#"))
    return length, n_tags, bool(attrs.get("has_media", False))


@dataclass
class FeatureSnapshot:
    """Counts as of ``as_of``: per post, per author and per (viewer, author)."""

    as_of: float = 0.0
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    affinity: dict[str, dict[str, int]] = field(default_factory=dict)
    viewer_total: dict[str, int] = field(default_factory=dict)
    author_stats: dict[str, list[int]] = field(default_factory=dict)

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
        rows = posts_frame.sort("ts").iter_rows(named=True)
        for r in rows:
            post, typ = r["post"], r["type"]
            if typ in CREATE_TYPES:
                length, tags, media = _content(orjson.loads(r["attrs"] or "{}"))
                snap.posts[post] = {
                    "author": r["actor"],
                    "created_ts": r["ts"].timestamp(),
                    "text_len": length,
                    "n_hashtags": tags,
                    "has_media": media,
                }
            elif typ in ENGAGE_TYPES:
                eng[post] += 1
                author = snap.posts.get(post, {}).get("author")
                if author and r["actor"]:
                    affinity[r["actor"]][author] += 1
            else:
                views[post] += 1
        for post, info in snap.posts.items():
            info["engagements"], info["views"] = eng[post], views[post]
            stats = snap.author_stats.setdefault(info["author"], [0, 0])
            stats[0] += eng[post]
            stats[1] += max(views[post], eng[post])
        snap.affinity = {v: dict(c) for v, c in affinity.items()}
        snap.viewer_total = {v: sum(c.values()) for v, c in affinity.items()}
        return snap

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
        als_scores = (
            als.score(viewer, [f"post:{c.post_id}" for c in candidates])
            if als is not None
            else [None] * len(candidates)
        )
        out = np.zeros((len(candidates), len(FEATURES)), dtype=np.float64)
        for i, c in enumerate(candidates):
            p = self.posts.get(c.post_id, {})
            author = c.author or p.get("author")
            created = c.created_ts if c.created_ts is not None else p.get("created_ts", now_ts)
            eng = c.engagements if c.engagements is not None else p.get("engagements", 0)
            views = c.views if c.views is not None else p.get("views", 0)
            a_eng, a_views = self.author_stats.get(author, [0, 0])
            n_aff = aff.get(author, 0)
            s = als_scores[i]
            out[i] = [
                (n_aff + 1) / (total + 5),
                n_aff,
                max(0.0, (now_ts - created) / 3600.0),
                eng,
                views,
                (eng + 1) / (max(views, eng) + 10),
                (a_eng + 1) / (a_views + 10),
                c.text_len if c.text_len is not None else p.get("text_len", 0),
                c.n_hashtags if c.n_hashtags is not None else p.get("n_hashtags", 0),
                float(c.has_media if c.has_media is not None else p.get("has_media", False)),
                0.0 if s is None else s,
                0.0 if s is None else 1.0,
            ]
        return out
