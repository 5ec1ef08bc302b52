"""News feed workload: implicit feedback for its models, then a look at what they serve.

The feed's own traffic (reading ``GET /feed``, which records impressions) comes from the
social workload's readers; this one feeds the recommender and ranker. Runs after the
interactive systems (order 80). When the lake does not already hold enough
interaction events from other systems, it generates its own through ``POST /interactions``
from a latent-factor world (fixed, so repeated runs see the same tastes; fresh samples each
run): video views, watch time and likes, product views and purchases, posts with views and
likes. After the assets ran, the summary asks the API for recommendations and a ranked feed.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from models.simulate import item_events, post_events
from pipelines.workload import WorkloadContext

WORLD_SEED = 2026
ENOUGH_EXTERNAL = 5000
BATCH = 1000
SPAN_MINUTES = 10


def _external_interactions(ctx: WorkloadContext) -> int:
    """Interaction-like events other systems already landed in the lake."""
    from warehouse.lake import Lake

    lake = Lake(ctx.settings.lake_dir)
    if "events" not in lake.tables():
        return 0
    sql = (
        "SELECT count(*) AS n FROM events WHERE system IN ('video', 'shop', 'social', 'feed') "
        "AND lower(type) SIMILAR TO '.*(view|like|watch|purchase|order_placed|follow).*'"
    )
    return int(lake.query(sql)["n"][0])


class FeedWorkload:
    name = "feed"
    order = 80

    def run(self, ctx: WorkloadContext) -> None:
        external = _external_interactions(ctx)
        facts: dict[str, Any] = ctx.facts.setdefault(self.name, {"external": external})
        if external >= ENOUGH_EXTERNAL:
            ctx.log(f"    lake already holds {external} interaction events; generating none")
            facts["generated"] = 0
            return
        n_users = max(50, int(300 * ctx.scale))
        sample = ctx.rng.randrange(1_000_000)
        # The simulated activity happened over the last few minutes (sent with its times).
        span = timedelta(minutes=SPAN_MINUTES)
        start = datetime.now(UTC) - span
        sims = item_events(
            n_users=n_users,
            per_user=20,
            seed=WORLD_SEED,
            sample_seed=sample,
            start=start,
            span=span,
        )
        sims += post_events(
            n_users=n_users,
            n_posts=max(60, int(300 * ctx.scale)),
            views_per_user=30,
            seed=WORLD_SEED + 1,
            sample_seed=sample,
            start=start,
            span=span,
        )
        sims.sort(key=lambda e: e.ts)
        started = time.perf_counter()
        for i in range(0, len(sims), BATCH):
            batch = [
                {
                    "user_id": e.user,
                    "item_id": e.entity,
                    "kind": e.kind,
                    "type": e.type,
                    "watch_seconds": e.attrs.get("watch_seconds"),
                    "attrs": {k: v for k, v in e.attrs.items() if k != "watch_seconds"},
                    "ts": e.ts.isoformat(),
                }
                for e in sims[i : i + BATCH]
            ]
            resp = ctx.client.post(
                "/interactions", json={"events": batch}, headers=ctx.admin_headers
            )
            resp.raise_for_status()
        facts.update(generated=len(sims), users=n_users)
        ctx.log(
            f"    {len(sims)} interaction events for {n_users} users through "
            f"POST /interactions ({time.perf_counter() - started:.1f}s)"
        )

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        lines = []
        status = ctx.client.get("/models/serving").json()
        lines.append(
            f"serving recs={status['recs_version']} ranker={status['ranker_version']}"
            + (f" errors={status['errors']}" if status["errors"] else "")
        )
        lines += _ranker_evaluation(ctx, status["ranker_version"])
        # Recommendations and rankings are their user's own: the summary asks as the admin.
        admin = ctx.admin_headers
        for user, kind in (("u0", "video"), ("u1", "product"), ("stranger", "video")):
            params = {"k": 5, "kind": kind}
            r = ctx.client.get(f"/recommendations/{user}", params=params, headers=admin).json()
            items = ", ".join(f"{i['item_id']}({i['score']:.2f})" for i in r["items"])
            lines.append(f"{user} {kind}: model {r['model_version']} [{r['source']}] {items}")
        posts = ctx.client.get(
            "/recommendations/u2", params={"k": 20, "kind": "post"}, headers=admin
        ).json()
        cands = [{"post_id": i["item_id"]} for i in posts["items"]]
        if cands:
            body = {"viewer": "u2", "candidates": cands}
            ranked = ctx.client.post("/rank", json=body, headers=admin).json()
            top = ", ".join(f"{c['post_id']}({c['score']:.3f})" for c in ranked["ranked"][:5])
            lines.append(f"u2 feed: ranker {ranked['model_version']} [{ranked['source']}] {top}")
        return lines


def _ranker_evaluation(ctx: WorkloadContext, version: str | None) -> list[str]:
    """The served ranker's offline evaluation, as registered with it."""
    from models.registry import ModelRegistry

    if not version:
        return []
    m = ModelRegistry(ctx.settings.models_dir).meta("ranker", version).get("metrics", {})
    if "ndcg@10" not in m:
        return []
    return [
        f"ranker {version} on the lake's later exposures ({m['slates']:.0f} viewers): "
        f"nDCG@10 {m['ndcg@10']:.3f} vs reverse-chronological {m['chrono_ndcg@10']:.3f} "
        f"({m['lift_vs_chrono']:+.1%}) and popularity {m['popularity_ndcg@10']:.3f}; "
        f"AUC {m['auc']:.3f} vs {m['chrono_auc']:.3f} and {m['popularity_auc']:.3f}"
    ]


WORKLOAD = FeedWorkload()
