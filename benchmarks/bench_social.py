"""Social and feed benchmark: fan-out cost, feed latency, and hybrid-timeline equality.

- Fan-out: publishing one post by an author with 10,000 followers (whose timelines are
  built), under push (threshold above the author) and hybrid (author pulled on read), same run.
- Feed: p99 of ``GET /feed`` over loopback with 10,000 users and 100,000 posts loaded and
  about 1,000 candidates ranked by a promoted ranker, served by uvicorn in a subprocess.
- Equality: the hybrid timeline against the naive pull timeline over a randomised history.

The social service comes from its composition root (``services.social.system.build``), as
in the app: posts are published through ``SocialService`` (store, fan-out and event). The
feed server's policy is set through its ``BLUEPRINT_FEED_*`` settings.

Last line: ``RESULT fanout_post_ms_10k=<x> feed_p99_ms=<x> timeline_equal=<b>
hybrid_vs_push_write_ratio=<x>``.
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
import orjson
import polars as pl
from sqlalchemy import insert, update

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # implicit's ALS, trained in this process

N_USERS = 10_001  # an author with 10,000 followers, and them
N_POSTS = 100_000
STAR_FOLLOWERS = 10_000


# The feed server's policy, as its settings (BLUEPRINT_FEED_*) in the server's environment.
FEED_ENV = {
    "BLUEPRINT_FEED_FOLLOWED_CANDIDATES": "800",
    "BLUEPRINT_FEED_POPULAR_CANDIDATES": "200",
    "BLUEPRINT_FEED_ALS_CANDIDATES": "0",
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


def train_and_promote_ranker(loaded: dict, rng: random.Random) -> str:
    """A real ranker trained on synthetic engagement events over the loaded posts."""
    from models.registry import ModelRegistry
    from models.training import train_ranker

    posts, follows = loaded["posts"], loaded["follows"]
    taste = {u: rng.randrange(50) for u in range(1, N_USERS + 1)}
    rows = []
    for pid, p in enumerate(posts[-30_000:], start=N_POSTS - 30_000 + 1):
        rows.append(
            (
                p["created_at"],
                "social",
                "post_created",
                f"u{p['author_id'] - 1:05d}",
                str(pid),
                orjson.dumps({"length": len(p["text"]), "hashtags": ["t"]}).decode(),
            )
        )
    follow_list = list(follows)
    for _ in range(60_000):
        a, _b = rng.choice(follow_list)
        pid = rng.randrange(N_POSTS - 30_000 + 1, N_POSTS + 1)
        p = posts[pid - 1]
        ts = p["created_at"] + timedelta(minutes=rng.randint(1, 120))
        rows.append((ts, "feed", "impression", f"u{a - 1:05d}", str(pid), '{"kind":"post"}'))
        liked = rng.random() < (0.45 if pid % 50 == taste[a] else 0.05) + min(p["likes"], 10) / 40
        if liked:
            rows.append(
                (ts + timedelta(seconds=5), "social", "like", f"u{a - 1:05d}", str(pid), "{}")
            )
    schema = {
        "ts": pl.Datetime("us", "UTC"),
        "system": pl.String,
        "type": pl.String,
        "actor": pl.String,
        "entity": pl.String,
        "attrs": pl.String,
    }
    events = pl.DataFrame(rows, schema=schema, orient="row")
    ranker, report, _ = train_ranker(events)
    registry = ModelRegistry(loaded["settings"].models_dir)
    version = registry.save(
        "ranker",
        "ranker.joblib",
        ranker.save,
        params={"bench": True},
        metrics={"auc": report.get("auc", 0)},
        snapshot={},
    )
    registry.promote("ranker", version, "benchmark")
    return version


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
            for _ in range(200):
                try:
                    if c.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
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
        print("training and promoting a feed ranker ...", flush=True)
        version = train_and_promote_ranker(loaded, rng)
        print(f"  ranker {version} promoted", flush=True)
        print("timeline equality over a randomised history ...", flush=True)
        equal = timeline_equality(data_dir)
        print(f"  hybrid == pull: {equal}", flush=True)
        print(f"feed latency over loopback ({N_USERS} users, {N_POSTS} posts) ...", flush=True)
        p50, p99, sample = feed_latency(loaded)
        info = sample["last"]
        print(
            f"  ranked_by={info['ranked_by']} candidates={info['candidates']} "
            f"server_elapsed_ms={info['elapsed_ms']}",
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
        f"hybrid_vs_push_write_ratio={hybrid / push:.4f}"
    )


if __name__ == "__main__":
    main()
