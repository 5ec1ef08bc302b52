"""Social and feed benchmark: fan-out cost, feed latency, and hybrid-timeline equality.

- Fan-out: publishing one post by an author with 10,000 followers (whose timelines are
  built), under push (threshold above the author) and hybrid (author pulled on read), same run.
- Feed: p99 of ``GET /feed`` over loopback with 10,000 users and 100,000 posts loaded and
  about 1,000 candidates (followed, popular and ALS out-of-network) ranked by a promoted
  ranker, served by uvicorn in a subprocess.
- Equality: the hybrid timeline against the naive pull timeline over a randomised history.

The social service comes from its composition root (``services.social.system.build``), as
in the app: posts are published through ``SocialService`` (store, fan-out and event). The
feed server's policy is set through its ``BLUEPRINT_FEED_*`` settings.

- Ranking quality: the feed ranker against reverse-chronological and popularity order on a
  later window of a simulated world's exposures (hidden tastes decide engagement; the ranker
  only sees the lake), nDCG@10 and AUC, same rows, same run (``ranker_quality``).
  The same comparison on the app's own lake: ``make run``'s social workload through the API,
  its ``GET /feed`` impressions and engagements (``app_ranker_quality``).
- Diversity: the most posts one author has in the served top 10 (the cap is 2).

Last line: ``RESULT fanout_post_ms_10k=<x> feed_p99_ms=<x> timeline_equal=<b>
hybrid_vs_push_write_ratio=<x> feed_ndcg10=<x> feed_chrono_ndcg10=<x> feed_max_per_author=<n>
feed_als_candidates=<n> feed_app_ndcg10=<x> feed_app_chrono_ndcg10=<x>``.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import polars as pl
from sqlalchemy import insert, update

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # implicit's ALS, trained in this process

N_USERS = 10_001  # an author with 10,000 followers, and them
N_POSTS = 100_000
STAR_FOLLOWERS = 10_000
QUALITY_USERS, QUALITY_POSTS, QUALITY_SEED = 1500, 1500, 42


# The feed server's policy, as its settings (BLUEPRINT_FEED_*) in the server's environment.
FEED_ENV = {
    "BLUEPRINT_FEED_FOLLOWED_CANDIDATES": "800",
    "BLUEPRINT_FEED_POPULAR_CANDIDATES": "200",
    "BLUEPRINT_FEED_ALS_CANDIDATES": "200",
    "BLUEPRINT_FEED_BUDGET_MS": "50",
}


def make_app():
    """uvicorn factory for the feed server (only the systems the feed needs)."""
    from services.app import create_app

    return create_app(only=["social", "feed"])


def social_service(settings, **conf):
    """The social service from its composition root, emitting to its own spool source."""
    from services.social.settings import SocialSettings
    from services.social.system import build
    from warehouse.emitter import Emitter, make_transport

    return build(settings, Emitter(make_transport(settings, "bench")), conf=SocialSettings(**conf))


def load(data_dir: Path, rng: random.Random) -> dict:
    from services.social import tables as t
    from warehouse.settings import Settings

    settings = Settings(data_dir=data_dir)
    svc = social_service(settings)
    store = svc.store
    now = datetime.now(UTC)
    users = [
        {
            "handle": f"u{i:05d}",
            "display_name": f"User {i}",
            "bio": "",
            "followers": 0,
            "following": 0,
            "has_pull_posts": False,
            "created_at": now,
        }
        for i in range(N_USERS)
    ]
    weights = [1 / (i + 1) ** 1.1 for i in range(N_USERS)]
    follows: set[tuple[int, int]] = set()
    for u in range(1, N_USERS + 1):
        for v in rng.choices(range(1, N_USERS + 1), weights=weights, k=15):
            if v != u:
                follows.add((u, v))
    viewer = N_USERS  # the reader follows 400 accounts across the popularity range
    for v in rng.sample(range(1, N_USERS), 400):
        follows.add((viewer, v))
    followers = [0] * (N_USERS + 1)
    following = [0] * (N_USERS + 1)
    for a, b in follows:
        following[a] += 1
        followers[b] += 1
    for i, u in enumerate(users, start=1):
        u["followers"], u["following"] = followers[i], following[i]
        u["has_pull_posts"] = followers[i] >= store.fanout_threshold
    authors = rng.choices(range(1, N_USERS + 1), weights=weights, k=N_POSTS)
    start = now - timedelta(days=2)
    posts = []
    for pid, a in enumerate(authors, start=1):
        likes = int(rng.expovariate(1 / 3))
        posts.append(
            {
                "author_id": a,
                "text": f"post {pid} #t{pid % 50}",
                "reply_to": None,
                "repost_of": None,
                "pushed": followers[a] < store.fanout_threshold,
                "likes": likes,
                "reposts": likes // 4,
                "replies": 0,
                "idempotency_key": None,
                "created_at": start + timedelta(seconds=pid * 1.5),
            }
        )
    with store.engine.begin() as conn:
        conn.execute(insert(t.users), users)
        conn.execute(
            insert(t.follows),
            [{"follower_id": a, "followee_id": b, "created_at": now} for a, b in follows],
        )
        for i in range(0, len(posts), 20_000):
            conn.execute(insert(t.posts), posts[i : i + 20_000])
    return {
        "service": svc,
        "store": store,
        "viewer": f"u{viewer - 1:05d}",
        "posts": posts,
        "follows": follows,
        "settings": settings,
    }


def ranker_quality(data_dir: Path) -> tuple[dict, object]:
    """The ranker against reverse-chronological and popularity order, offline, same run.

    A simulated social world (``models.simulate.post_events``: hidden favourite topics and
    hidden per-post appeal decide engagement) is emitted as events, ingested into a lake and
    read back the way the training asset reads it; ``train_ranker`` then trains on an earlier
    window of exposures and scores the later one."""
    from models.interactions import load_events
    from models.simulate import post_events
    from models.training import ranker_metrics, train_ranker
    from warehouse.emitter import Emitter, make_transport
    from warehouse.events import Event
    from warehouse.ingest import ingest_spool
    from warehouse.lake import Lake
    from warehouse.settings import Settings

    settings = Settings(data_dir=data_dir / "quality")
    emitter = Emitter(make_transport(settings, "bench"))
    span = timedelta(hours=6)
    sims = post_events(
        n_users=QUALITY_USERS,
        n_posts=QUALITY_POSTS,
        views_per_user=40,
        seed=QUALITY_SEED,
        start=datetime.now(UTC) - span,
        span=span,
    )
    events = [
        Event(
            e.system,
            e.type,
            actor=e.user,
            entity=e.entity,
            attrs={"kind": e.kind, **e.attrs},
            ts=e.ts,
        )
        for e in sims
    ]
    for i in range(0, len(events), 5000):
        emitter.emit_events(events[i : i + 5000])
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    lake_events = load_events(Lake(settings.lake_dir))
    ranker, report, _ = train_ranker(lake_events)
    return {**ranker_metrics(report), "rows": report["rows"], "events": lake_events.height}, ranker


def app_ranker_quality(data_dir: Path) -> dict:
    """The same comparison on the app's own lake: ``make run``'s social workload (scale 1)
    through the API in process, its ``GET /feed`` impressions and engagements ingested, then
    the training asset's code on them."""
    from fastapi.testclient import TestClient

    from models.interactions import load_events
    from models.training import ranker_metrics, train_ranker
    from pipelines.workload import WorkloadContext
    from pipelines.workload.social import WORKLOAD
    from services.app import create_app
    from warehouse.emitter import Emitter, make_transport
    from warehouse.ingest import ingest_spool
    from warehouse.lake import Lake
    from warehouse.settings import get_settings

    # As ``make run`` does: the app and everything it calls read one data directory.
    env = {
        "BLUEPRINT_DATA_DIR": str(data_dir / "app"),
        "BLUEPRINT_RATE_LIMIT_PER_MINUTE": "10000000",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    get_settings.cache_clear()
    try:
        settings = get_settings()
        emitter = Emitter(make_transport(settings, "app"))
        with TestClient(create_app(settings, emitter)) as client:
            ctx = WorkloadContext(
                client=client, settings=settings, rng=random.Random(5), log=lambda _m: None
            )
            WORKLOAD.run(ctx)
            emitter.flush()
        emitter.close()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    events = load_events(Lake(settings.lake_dir))
    _, report, _ = train_ranker(events)
    return {**ranker_metrics(report), "rows": report["rows"], "events": events.height}


def promote_models(loaded: dict, ranker, rng: random.Random) -> tuple[str, str]:
    """Promote the offline-evaluated ranker, and an ALS fitted on likes over the loaded posts
    (hidden topic per reader) so the feed has out-of-network candidates."""
    from models.bundle import RecBundle
    from models.interactions import build_interactions
    from models.recommenders import ALSRecommender
    from models.registry import ModelRegistry

    registry = ModelRegistry(loaded["settings"].models_dir)
    version = registry.save(
        "ranker", "model.joblib", ranker.save, params={"bench": True}, metrics={}, snapshot={}
    )
    registry.promote("ranker", version, "benchmark")
    recent = range(N_POSTS - 30_000 + 1, N_POSTS + 1)
    by_topic: dict[int, list[int]] = {}
    for pid in recent:
        by_topic.setdefault(pid % 50, []).append(pid)
    users = [f"u{u:05d}" for u in rng.sample(range(N_USERS - 1), 3000)] + [loaded["viewer"]]
    now = datetime.now(UTC)
    rows = []
    for u in users:
        topic = rng.randrange(50)
        for pid in rng.sample(by_topic[topic], 15) + rng.sample(recent, 5):
            rows.append((u, f"post:{pid}", "post", "like", 4.0, now))
    frame = pl.DataFrame(
        rows, schema=["user", "item", "kind", "action", "weight", "ts"], orient="row"
    ).with_columns(pl.col("ts").cast(pl.Datetime("us", "UTC")))
    data = build_interactions(frame)
    model = ALSRecommender(factors=32, iterations=10, random_state=0).fit(data.matrix)
    recs = registry.save(
        "recs",
        "model.npz",
        RecBundle.from_model(model, data).save,
        params={},
        metrics={},
        snapshot={},
    )
    registry.promote("recs", recs, "benchmark")
    return version, recs


def max_per_author(items: list[dict], top: int = 10) -> int:
    """The most items one author has in the feed's top ``top``."""
    authors = [i["author"] for i in items[:top]]
    return max((authors.count(a) for a in authors), default=0)


def fanout_cost(loaded: dict) -> tuple[float, float]:
    from services.social import tables as t

    svc, store = loaded["service"], loaded["store"]
    star = 1  # the most popular account gets exactly STAR_FOLLOWERS followers
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        conn.execute(t.follows.delete().where(t.follows.c.followee_id == star))
        conn.execute(
            insert(t.follows),
            [
                {"follower_id": u, "followee_id": star, "created_at": now}
                for u in range(2, STAR_FOLLOWERS + 2)
            ],
        )
        conn.execute(update(t.users).where(t.users.c.id == star).values(followers=STAR_FOLLOWERS))
    for uid in range(1, N_USERS + 1):  # active users: timelines built
        store.timelines.replace(uid, [])

    def publish(threshold: int) -> float:
        store.fanout_threshold = threshold
        times = []
        for i in range(5):
            started = time.perf_counter()
            svc.create_post("u00000", f"announcement {threshold} {i}")
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    push = publish(10**9)
    hybrid = publish(1000)
    return push, hybrid


def timeline_equality(data_dir: Path) -> bool:
    from warehouse.settings import Settings

    rng = random.Random(11)
    svc = social_service(Settings(data_dir=data_dir / "eq"), fanout_threshold=5, fanout_batch=3)
    store = svc.store
    # In-process timelines vanish with a restart; Redis ones (scaled out) survive it.
    forget = getattr(store.timelines, "forget_all", lambda: None)
    users = [f"e{i}" for i in range(20)]
    for u in users:
        svc.create_user(u)
    ok = True
    try:
        for _ in range(2_000):
            kind = rng.choice(["follow", "follow", "unfollow", "post", "post", "read", "restart"])
            a, b = rng.sample(users, 2)
            if kind == "follow":
                svc.follow(a, b)
            elif kind == "unfollow":
                svc.unfollow(a, b)
            elif kind == "post":
                svc.create_post(a, "x")
            elif kind == "restart" and rng.random() < 0.05:
                forget()
            else:
                hybrid = store.home_timeline_ids(a, None, 50)
                ok &= hybrid == store.pull_home_timeline_ids(a, None, 50)
        for u in users:
            hybrid = store.home_timeline_ids(u, None, 100)
            ok &= hybrid == store.pull_home_timeline_ids(u, None, 100)
    finally:
        svc.close()
    return bool(ok)


def feed_latency(loaded: dict, requests: int = 300) -> tuple[float, float, dict]:
    from tests.conftest import free_port

    port = free_port()
    env = {
        **os.environ,
        "BLUEPRINT_DATA_DIR": str(loaded["settings"].data_dir),
        "BLUEPRINT_RATE_LIMIT_PER_MINUTE": "100000000",
        "BLUEPRINT_SOCIAL_FANOUT_THRESHOLD": str(loaded["store"].fanout_threshold),
        "OPENBLAS_NUM_THREADS": "1",
        **FEED_ENV,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "benchmarks.bench_social:make_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as c:
            deadline = time.monotonic() + 180  # a loaded 2-core box imports the app slowly
            while True:
                try:
                    if c.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError as exc:
                    if proc.poll() is not None:
                        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                        raise RuntimeError(f"the feed server died: {err[-2000:]}") from exc
                    if time.monotonic() > deadline:
                        raise RuntimeError("the feed server did not answer in 180 s") from exc
                    time.sleep(0.2)
            admin = {"X-API-Key": loaded["settings"].admin_api_key}
            key = c.post("/auth/keys", json={"user_id": loaded["viewer"]}, headers=admin).json()
            headers = {"X-API-Key": key["api_key"]}
            first = c.get("/feed", headers=headers).json()
            lat = []
            for _ in range(requests):
                started = time.perf_counter()
                r = c.get("/feed", headers=headers)
                lat.append((time.perf_counter() - started) * 1000)
                r.raise_for_status()
            last = r.json()
        lat.sort()
        p50 = lat[len(lat) // 2]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        return p50, p99, {"first": first, "last": last}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="bench-social-") as tmp:
        data_dir = Path(tmp)
        started = time.perf_counter()
        print(f"loading {N_USERS} users and {N_POSTS} posts ...", flush=True)
        loaded = load(data_dir, rng)
        print(f"  loaded in {time.perf_counter() - started:.1f}s", flush=True)
        print("ranker vs reverse-chronological and popularity, offline ...", flush=True)
        quality, ranker = ranker_quality(data_dir)
        print(
            f"  {quality['events']} lake events; rows train={quality['rows']['train']} "
            f"test={quality['rows']['test']}; {quality['slates']:.0f} test viewers; "
            f"model {quality['model']}",
            flush=True,
        )
        print(
            f"  nDCG@10 ranker {quality['ndcg@10']:.4f}, reverse-chronological "
            f"{quality['chrono_ndcg@10']:.4f}, popularity {quality['popularity_ndcg@10']:.4f} "
            f"(lift vs chronological {quality['lift_vs_chrono']:+.1%})",
            flush=True,
        )
        print(
            f"  AUC ranker {quality['auc']:.4f}, "
            f"reverse-chronological {quality['chrono_auc']:.4f}, "
            f"popularity {quality['popularity_auc']:.4f}",
            flush=True,
        )
        print("the same on the app's own lake (make run's social workload) ...", flush=True)
        app = app_ranker_quality(data_dir)
        print(
            f"  {app['events']} lake events; {app['slates']:.0f} test viewers; nDCG@10 ranker "
            f"{app['ndcg@10']:.4f}, reverse-chronological {app['chrono_ndcg@10']:.4f}, "
            f"popularity {app['popularity_ndcg@10']:.4f} (lift vs chronological "
            f"{app['lift_vs_chrono']:+.1%}); AUC {app['auc']:.4f} vs {app['chrono_auc']:.4f} "
            f"and {app['popularity_auc']:.4f}",
            flush=True,
        )
        version, recs = promote_models(loaded, ranker, rng)
        print(f"  ranker {version} and recs {recs} promoted for the latency run", flush=True)
        print("timeline equality over a randomised history ...", flush=True)
        equal = timeline_equality(data_dir)
        print(f"  hybrid == pull: {equal}", flush=True)
        print(f"feed latency over loopback ({N_USERS} users, {N_POSTS} posts) ...", flush=True)
        p50, p99, sample = feed_latency(loaded)
        info = sample["last"]
        per_author = max(max_per_author(sample["first"]["items"]), max_per_author(info["items"]))
        print(
            f"  ranked_by={info['ranked_by']} candidates={info['candidates']} "
            f"server_elapsed_ms={info['elapsed_ms']} max_per_author_top10={per_author}",
            flush=True,
        )
        print(f"  p50={p50:.1f} ms p99={p99:.1f} ms", flush=True)
        print(f"fan-out of one post to {STAR_FOLLOWERS} followers ...", flush=True)
        try:
            push, hybrid = fanout_cost(loaded)
        finally:
            loaded["service"].close()
        print(f"  push {push:.2f} ms, hybrid (author pulled) {hybrid:.2f} ms", flush=True)
    print(
        f"RESULT fanout_post_ms_10k={push:.2f} feed_p99_ms={p99:.1f} "
        f"timeline_equal={'true' if equal else 'false'} "
        f"hybrid_vs_push_write_ratio={hybrid / push:.4f} "
        f"feed_ndcg10={quality['ndcg@10']:.4f} feed_chrono_ndcg10={quality['chrono_ndcg@10']:.4f} "
        f"feed_max_per_author={per_author} feed_als_candidates={info['candidates'].get('als', 0)} "
        f"feed_app_ndcg10={app['ndcg@10']:.4f} feed_app_chrono_ndcg10={app['chrono_ndcg@10']:.4f}"
    )


if __name__ == "__main__":
    main()
