"""A latent-factor generator of realistic implicit feedback, for the workload and tests.

Users and items get random taste vectors; a user picks items with probability softmax(
taste . item / temperature + log popularity), so there is real structure for ALS to find and a
long tail for popularity to miss. Posts get engagement that depends on viewer-author affinity,
media and length, so the ranker has signal too.
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
    """Post creations, views and likes with author affinity, recency and media effects."""
    world = np.random.default_rng(seed)
    start = start or datetime.now(UTC) - span
    authors = world.choice(n_users, size=min(n_users, max(5, n_users // 5)), replace=False)
    taste = world.normal(size=(n_users, 4))
    rng = np.random.default_rng(seed if sample_seed is None else sample_seed)
    prefix = f"s{sample_seed}-" if sample_seed is not None else ""
    out: list[SimEvent] = []
    posts: list[tuple[str, int, float, bool]] = []
    for p in range(n_posts):
        author = int(rng.choice(authors))
        t = float(rng.random()) * 0.9
        media = bool(rng.random() < 0.3)
        length = int(rng.integers(10, 280))
        posts.append((f"{prefix}p{p}", author, t, media))
        out.append(
            SimEvent(
                f"{user_prefix}{author}",
                f"{prefix}p{p}",
                "post",
                "post",
                start + span * t,
                {"length": length, "hashtags": int(rng.poisson(1)), "has_media": media},
                system="feed",
            )
        )
    post_authors = np.array([a for _, a, _, _ in posts])
    for u in range(n_users):
        # People mostly see posts of authors close to them (follows), some at random.
        reach = np.exp(2.0 * (taste[post_authors] @ taste[u]) / 2)
        reach /= reach.sum()
        for j in rng.choice(len(posts), size=views_per_user, p=reach):
            pid, author, t, media = posts[int(j)]
            seen_at = min(1.0, t + float(rng.random()) * 0.1)
            ts = start + span * seen_at
            out.append(SimEvent(f"{user_prefix}{u}", pid, "post", "view", ts, {}))
            affinity = float(taste[u] @ taste[author]) / 2
            logit = -1.6 + 1.4 * affinity + (0.8 if media else 0.0) - 3 * (seen_at - t)
            if rng.random() < 1 / (1 + np.exp(-logit)):
                out.append(SimEvent(f"{user_prefix}{u}", pid, "post", "like", ts, {}))
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
