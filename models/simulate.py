"""A latent-factor generator of realistic implicit feedback, for the workload and tests.

Users and items get random taste vectors; a user picks items with probability softmax(
taste . item / temperature + log popularity), so there is real structure for ALS to find and a
long tail for popularity to miss. Posts get engagement from hidden favourite topics and hidden
per-post appeal (``engage_logit``): the ranker has to learn both from what it observes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np


@dataclass
class SimEvent:
    user: str
    entity: str
    kind: str
    type: str
    ts: datetime
    attrs: dict[str, Any]
    system: str = "feed"

    def to_row(self) -> dict[str, Any]:
        """An ``events``-table-like row (what the lake would hold)."""
        import orjson

        return {
            "ts": self.ts,
            "system": self.system,
            "type": self.type,
            "actor": self.user,
            "entity": self.entity,
            "attrs": orjson.dumps({"kind": self.kind, **self.attrs}).decode(),
        }


def item_events(
    n_users: int = 200,
    n_items: dict[str, int] | None = None,
    per_user: int = 30,
    factors: int = 6,
    temperature: float = 0.35,
    seed: int = 0,
    start: datetime | None = None,
    span: timedelta = timedelta(hours=2),
    user_prefix: str = "u",
    sample_seed: int | None = None,
) -> list[SimEvent]:
    """Views, likes, watch time (videos) and purchases (products) for ``n_users`` users.

    ``seed`` fixes the latent world (tastes, popularity); ``sample_seed`` (default: ``seed``)
    only the sampled behaviour, so repeated runs observe one consistent world."""
    world = np.random.default_rng(seed)
    n_items = n_items or {"video": 120, "product": 80}
    start = start or datetime.now(UTC) - span
    users = world.normal(size=(n_users, factors))
    out: list[SimEvent] = []
    catalogue = [(kind, i) for kind, n in n_items.items() for i in range(n)]
    vecs = world.normal(size=(len(catalogue), factors))
    pop = np.log(world.zipf(1.6, size=len(catalogue)).clip(max=50))
    rng = np.random.default_rng(seed if sample_seed is None else sample_seed)
    for u in range(n_users):
        logits = vecs @ users[u] / (temperature * np.sqrt(factors)) + pop
        p = np.exp(logits - logits.max())
        p /= p.sum()
        n = max(3, int(rng.poisson(per_user)))
        picks = rng.choice(len(catalogue), size=min(n, len(catalogue)), replace=False, p=p)
        times = np.sort(rng.random(picks.size))
        for j, t in zip(picks, times, strict=True):
            kind, i = catalogue[j]
            ts = start + span * float(t)
            user = f"{user_prefix}{u}"
            out.append(SimEvent(user, f"{kind[0]}{i}", kind, "view", ts, {}))
            affinity = float(vecs[j] @ users[u]) / np.sqrt(factors)
            if kind == "video":
                watched = float(np.clip(60 * (2 + 4 * affinity + rng.normal()), 5, 900))
                out.append(SimEvent(user, f"v{i}", kind, "watch", ts, {"watch_seconds": watched}))
            if rng.random() < 0.25 + 0.3 * max(0.0, affinity):
                typ = "like" if kind == "video" else "purchase"
                out.append(SimEvent(user, f"{kind[0]}{i}", kind, typ, ts, {}))
    return sorted(out, key=lambda e: e.ts)


TOPICS = ("python", "data", "music", "football", "cooking", "travel", "movies", "space")


def engage_logit(topic_match: bool, appeal: float, staleness: float) -> float:
    """The simulated readers' hidden engagement model (log-odds), shared by every workload.

    ``topic_match``: the post's topic is one of the reader's hidden favourite topics;
    ``appeal``: the post's hidden quality; ``staleness``: how old the post was when seen, in
    units of the workload's own clock. Nothing here is a feature the ranker reads: the reader's
    favourites and the post's appeal never reach the lake; the ranker can only estimate them
    from past engagements (per-hashtag rates, per-author affinity, engagement counts, ALS).
    """
    return -2.2 + 2.2 * float(topic_match) + appeal - 1.5 * staleness


def post_events(
    n_users: int = 120,
    n_posts: int = 300,
    views_per_user: int = 40,
    seed: int = 1,
    start: datetime | None = None,
    span: timedelta = timedelta(hours=2),
    user_prefix: str = "u",
    sample_seed: int | None = None,
) -> list[SimEvent]:
    """Follows, post creations (with hashtags), views and likes of a small social world.

    Each user has two hidden favourite topics; authors mostly post on theirs; each post has a
    hidden appeal. People follow authors mostly at random with some taste homophily, see
    posts of followed authors more often than others, and like what they see with
    probability ``sigmoid(engage_logit(...))``. ``seed`` fixes the world, ``sample_seed``
    (default: ``seed``) the sampled behaviour."""
    world = np.random.default_rng(seed)
    start = start or datetime.now(UTC) - span
    authors = world.choice(n_users, size=min(n_users, max(5, n_users // 5)), replace=False)
    favourites = [
        set(world.choice(len(TOPICS), size=2, replace=False).tolist()) for _ in range(n_users)
    ]
    rng = np.random.default_rng(seed if sample_seed is None else sample_seed)
    prefix = f"s{sample_seed}-" if sample_seed is not None else ""
    out: list[SimEvent] = []
    follows: list[set[int]] = []
    for u in range(n_users):
        shared = np.array([len(favourites[u] & favourites[a]) for a in authors], dtype=float)
        w = (1.0 + 2.0 * shared) / (1.0 + 2.0 * shared).sum()
        k = min(len(authors) - 1, 3 + int(rng.poisson(4)))
        chosen = {int(a) for a in rng.choice(authors, size=k, replace=False, p=w)} - {u}
        follows.append(chosen)
        for a in sorted(chosen):
            out.append(
                SimEvent(f"{user_prefix}{u}", f"{user_prefix}{a}", "user", "follow", start, {})
            )
    posts: list[tuple[str, int, float, int, float]] = []  # id, author, time, topic, appeal
    for p in range(n_posts):
        author = int(rng.choice(authors))
        t = float(rng.random()) * 0.9
        fav = sorted(favourites[author])
        topic = int(rng.choice(fav)) if rng.random() < 0.8 else int(rng.integers(len(TOPICS)))
        appeal = float(rng.normal(0, 0.7))
        posts.append((f"{prefix}p{p}", author, t, topic, appeal))
        attrs = {
            "text": f"#{TOPICS[topic]}",
            "length": int(rng.integers(10, 280)),
            "has_media": bool(rng.random() < 0.3),
        }
        out.append(
            SimEvent(
                f"{user_prefix}{author}", f"{prefix}p{p}", "post", "post", start + span * t, attrs
            )
        )
    post_authors = np.array([a for _, a, _, _, _ in posts])
    for u in range(n_users):
        # People mostly see posts of the accounts they follow, some others at random.
        reach = np.where(np.isin(post_authors, list(follows[u])), 6.0, 1.0)
        reach[post_authors == u] = 0.0
        reach /= reach.sum()
        size = min(views_per_user, int((reach > 0).sum()))
        for j in rng.choice(len(posts), size=size, replace=False, p=reach):
            pid, _author, t, topic, appeal = posts[int(j)]
            seen_at = min(1.0, t + float(rng.random()) * 0.1)
            ts = start + span * seen_at
            out.append(SimEvent(f"{user_prefix}{u}", pid, "post", "view", ts, {}))
            logit = engage_logit(topic in favourites[u], appeal, 10 * (seen_at - t))
            if rng.random() < 1 / (1 + np.exp(-logit)):
                like_at = ts + timedelta(seconds=1)
                out.append(SimEvent(f"{user_prefix}{u}", pid, "post", "like", like_at, {}))
    return sorted(out, key=lambda e: e.ts)


def to_frame(events: list[SimEvent]):
    """Simulated events as a polars frame shaped like the lake's ``events`` table."""
    import polars as pl

    return pl.DataFrame(
        [e.to_row() for e in events],
        schema={
            "ts": pl.Datetime("us", "UTC"),
            "system": pl.String,
            "type": pl.String,
            "actor": pl.String,
            "entity": pl.String,
            "attrs": pl.String,
        },
    )
